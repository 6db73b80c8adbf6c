//! The gateway capability table in docs/ARCHITECTURE.md says what the code declares.

use payrail::providers::{ProviderId, Registry};

/// Rows of the table under "## Gateway capabilities", cells trimmed.
fn readme_rows() -> Vec<Vec<String>> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ARCHITECTURE.md"))
            .unwrap();
    let table = readme
        .split("## Gateway capabilities")
        .nth(1)
        .expect("docs/ARCHITECTURE.md has the capability table");
    table
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

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "—"
    }
}

#[test]
fn the_readme_capability_table_matches_the_declared_capabilities() {
    let registry = Registry::new(reqwest::Client::new());
    let rows = readme_rows();
    let documented: Vec<&str> = rows.iter().map(|r| r[0].trim_matches('`')).collect();
    let available: Vec<&str> = registry
        .available()
        .into_iter()
        .map(ProviderId::as_str)
        .collect();
    assert_eq!(
        documented, available,
        "one row per gateway with an adapter, in order"
    );
    for row in &rows {
        let id = ProviderId::parse(row[0].trim_matches('`')).unwrap();
        let caps = registry.get(id).unwrap().capabilities();
        let refund = match (caps.refund, caps.partial_refund) {
            (false, _) => "—",
            (true, true) => "yes",
            (true, false) => "yes (full only)",
        };
        let methods: Vec<&str> = caps.methods.iter().map(|m| m.as_str()).collect();
        let expected = [
            yes_no(caps.create).to_owned(),
            yes_no(caps.query).to_owned(),
            refund.to_owned(),
            yes_no(caps.cancel).to_owned(),
            caps.webhook_scheme.to_owned(),
            methods.join(", "),
            caps.currencies.join(", "),
        ];
        assert_eq!(&row[1..], &expected[..], "capability table row for {id}");
    }
}
