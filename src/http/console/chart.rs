//! Bar charts drawn on the server as inline SVG (no script, no chart library): one bar per
//! group, its length the payments created, a green part for those paid. The template writes
//! every label through askama, so a gateway or method name is escaped like any other value.

/// One bar, positioned in the chart's coordinates.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub y: u32,
    pub text_y: u32,
    pub width: u32,
    pub ok_width: u32,
}

pub struct Chart {
    pub title: String,
    pub height: u32,
    pub bars: Vec<Bar>,
}

/// Where bars start, how long the longest is, and each row's height (viewBox units).
pub const BAR_X: u32 = 120;
const BAR_MAX: u32 = 180;
const ROW: u32 = 24;

/// Lengths scaled to the largest `total`; a non-empty bar is at least 1 unit long.
fn scaled(part: i64, max: i64) -> u32 {
    if part <= 0 || max <= 0 {
        return 0;
    }
    ((part as f64 / max as f64 * f64::from(BAR_MAX)).round() as u32).max(1)
}

/// A chart of `(label, created, paid)` rows.
pub fn bars(title: String, rows: &[(String, i64, i64)]) -> Chart {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let bars = rows
        .iter()
        .zip(0u32..)
        .map(|((label, total, ok), i)| Bar {
            label: label.clone(),
            value: format!("{ok}/{total}"),
            y: i * ROW + 4,
            text_y: i * ROW + 19,
            width: scaled(*total, max),
            ok_width: scaled(*ok, max),
        })
        .collect::<Vec<_>>();
    Chart {
        title,
        height: (bars.len() as u32).max(1) * ROW + 8,
        bars,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_scale_to_the_largest_group() {
        let c = super::bars(
            "t".into(),
            &[
                ("a".into(), 10, 5),
                ("b".into(), 1, 0),
                ("c".into(), 1000, 1),
            ],
        );
        let widths: Vec<(u32, u32)> = c.bars.iter().map(|b| (b.width, b.ok_width)).collect();
        assert_eq!(widths, [(2, 1), (1, 0), (180, 1)]);
        assert_eq!(c.bars[2].value, "1/1000");
        assert_eq!(c.height, 3 * 24 + 8);
    }
}
