//! Which characters merchant-supplied text may hold.
//!
//! Identifiers and names (order ids, customer fields, merchant names, filters) are one line of
//! printable text: a control character there is at best a mistake and at worst a forged log line
//! or a header injection downstream. Free text (descriptions, reasons, notes) may also break
//! lines and tab. NUL is refused everywhere: Postgres cannot store it, so the stores disagreed.

/// The problem with `s` as one line of printable text, if any.
pub fn single_line_problem(s: &str) -> Option<&'static str> {
    s.chars()
        .any(char::is_control)
        .then_some("must not contain control characters")
}

/// The problem with `s` as free text (newlines and tabs allowed), if any.
pub fn free_text_problem(s: &str) -> Option<&'static str> {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .then_some("must not contain control characters other than newlines and tabs")
}

/// The problem with `s` as free text of at most `max` characters, if any.
pub fn free_text_within(s: &str, max: usize) -> Option<String> {
    if s.chars().count() > max {
        return Some(format!("must be at most {max} characters"));
    }
    free_text_problem(s).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_lines_refuse_every_control_character_free_text_keeps_line_breaks() {
        for bad in ["a\0b", "a\nb", "a\tb", "\u{7f}", "\u{85}", "\u{1b}[31m"] {
            assert!(single_line_problem(bad).is_some(), "{bad:?}");
        }
        assert!(single_line_problem("Order #42 — ok ✓").is_none());
        assert!(free_text_problem("line one\r\nline\ttwo").is_none());
        for bad in ["a\0b", "\u{1b}[2J", "\u{7f}"] {
            assert!(free_text_problem(bad).is_some(), "{bad:?}");
        }
    }
}
