//! The prose lists of gateways: README.md's list and default test accounts, docs/sandbox.md's
//! accounts, and docs/gateways/README.md's notes and `confirm_webhooks` list, against the
//! descriptors' ids, display names, capabilities and production bases (and the simulators'
//! built-in accounts).

use super::{between, names_in, names_where, read, table_after};
use payrail::providers::GATEWAYS;

fn all_names() -> Vec<&'static str> {
    names_where(|_| true)
}

#[test]
fn the_readme_names_every_gateway() {
    let file = "README.md";
    let readme = read(file);
    let list = between(&readme, "Gateways:", "each with an adapter", file);
    assert_eq!(names_in(list), all_names(), "{file}: the `Gateways:` line");
    for name in all_names() {
        assert!(
            list.contains(&format!("**{name}**")),
            "{file}: `{name}` in bold"
        );
    }
}

#[test]
fn the_gateway_notes_list_one_note_per_gateway() {
    let file = "docs/gateways/README.md";
    let text = read(file);
    let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("- [")).collect();
    assert_eq!(notes.len(), GATEWAYS.len(), "{file}: one note per gateway");
    for (line, gateway) in notes.iter().zip(GATEWAYS) {
        let (id, name) = (gateway.id, gateway.display_name);
        let link = format!("- [{id}.md]({id}.md): ");
        assert!(
            line.starts_with(&link) && line.contains(name),
            "{file}: `{line}` should start with `{link}` and name {name}"
        );
        read(&format!("docs/gateways/{id}.md"));
    }
    let confirming = between(&text, "(`confirm_webhooks`:", ")", file);
    assert_eq!(
        names_in(confirming),
        names_where(|g| g.capabilities.confirm_webhooks),
        "{file}: the gateways whose webhooks are confirmed by a query"
    );
}

/// A table of default test accounts: one row per gateway (display name), in order, whose first
/// code span is the simulator's built-in credential object, valid for the gateway.
fn check_account_table(file: &str, marker: &str) {
    let rows = table_after(&read(file), marker, file);
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        all_names(),
        "{file}: one account per gateway, in order"
    );
    let defaults = payrail::sim::default_credentials();
    for ((row, gateway), (sim_id, built_in)) in rows.iter().zip(GATEWAYS).zip(defaults) {
        assert_eq!(
            sim_id, gateway.id,
            "the simulators are listed as the gateways"
        );
        let json = between(&row[1], "`", "`", file);
        let documented: serde_json::Value = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{file}: {} credentials `{json}`: {e}", gateway.id));
        assert_eq!(
            documented, built_in,
            "{file}: the {} simulator's built-in account",
            gateway.display_name
        );
        (gateway.validate_credentials)(&documented)
            .unwrap_or_else(|e| panic!("{file}: {} credentials: {e}", gateway.id));
    }
}

#[test]
fn the_default_test_accounts_are_the_simulators() {
    check_account_table("README.md", "Default test credentials:");
    check_account_table("docs/sandbox.md", "Default test accounts");
}

/// What a note's opening paragraph must say of a gateway's refunds, cancel and customer.
fn opening_claims(caps: &payrail::providers::Capabilities) -> Vec<&'static str> {
    let refund = match (caps.refund, caps.partial_refund) {
        (false, _) => "no refund",
        (true, true) => "partial refunds",
        (true, false) => "refund (full only)",
    };
    let cancel = if caps.cancel {
        "and cancel"
    } else {
        "no cancel"
    };
    let mut claims = vec![refund, cancel];
    if caps.requires_customer {
        claims.push("name and email are required");
    }
    claims
}

#[test]
fn each_gateway_note_opens_with_its_id_and_capabilities_and_names_its_base() {
    for gateway in GATEWAYS {
        let file = format!("docs/gateways/{}.md", gateway.id);
        let text = read(&file);
        let opening = text.split("\n\n").nth(1).unwrap_or_default();
        let opening = opening.split_whitespace().collect::<Vec<_>>().join(" ");
        let id = format!("Provider id `{}`", gateway.id);
        for claim in [id.as_str()]
            .into_iter()
            .chain(opening_claims(&gateway.capabilities))
        {
            assert!(
                opening.contains(claim),
                "{file}: the opening paragraph should say `{claim}`: {opening}"
            );
        }
        let base = format!("`{}", gateway.default_base_url);
        assert!(text.contains(&base), "{file}: the production base {base}`");
        let says_customer = opening.contains("name and email are required");
        assert_eq!(
            says_customer, gateway.capabilities.requires_customer,
            "{file}: whether the customer's name and email are required"
        );
    }
}
