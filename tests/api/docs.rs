//! The docs say what the code declares. Every gateway fact a reader finds in `openapi.yaml`,
//! `README.md` or `docs/` (ids, display names, capabilities, credential objects, default test
//! accounts) is read back here and compared with `GATEWAYS`, the gateway descriptors, so a
//! gateway added, renamed or changed in code fails these tests until its docs follow.

mod capabilities;
mod gateway_lists;
mod openapi;

use payrail::providers::{GatewayDescriptor, GATEWAYS};

/// A file of the repository, as text.
fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The body rows of the first Markdown table after `marker` in `text`, cells trimmed.
fn table_after(text: &str, marker: &str, file: &str) -> Vec<Vec<String>> {
    let after = text
        .split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("{file} has no `{marker}`"));
    after
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The text of `text` from `start` to the next `end` after it (both excluded).
fn between<'a>(text: &'a str, start: &str, end: &str, file: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{file} has no `{start}`"))
        + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{file} has no `{end}` after `{start}`"));
    &text[from..from + len]
}

/// The display names of the gateways `text` names, in the list's order.
fn names_in(text: &str) -> Vec<&'static str> {
    GATEWAYS
        .iter()
        .map(|g| g.display_name)
        .filter(|name| text.contains(name))
        .collect()
}

/// The display names of the gateways for which `holds` is true, in the list's order.
fn names_where(holds: impl Fn(&GatewayDescriptor) -> bool) -> Vec<&'static str> {
    GATEWAYS
        .iter()
        .filter(|g| holds(g))
        .map(|g| g.display_name)
        .collect()
}
