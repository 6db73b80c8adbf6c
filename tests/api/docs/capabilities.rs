//! docs/ARCHITECTURE.md's capability table, one row per gateway, cell for cell from the
//! descriptors' `Capabilities`.

use super::{read, table_after};
use payrail::providers::{Capabilities, GATEWAYS};

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "—"
    }
}

/// The row the table must have for a gateway with these capabilities (after the id cell).
fn expected_cells(caps: &Capabilities) -> Vec<String> {
    let refund = match (caps.refund, caps.partial_refund) {
        (false, _) => "—",
        (true, true) => "yes",
        (true, false) => "yes (full only)",
    };
    let methods: Vec<&str> = caps.methods.iter().map(|m| m.as_str()).collect();
    vec![
        yes_no(caps.create).to_owned(),
        yes_no(caps.query).to_owned(),
        refund.to_owned(),
        yes_no(caps.cancel).to_owned(),
        caps.webhook_scheme.to_owned(),
        methods.join(", "),
        caps.currencies.join(", "),
    ]
}

#[test]
fn the_capability_table_matches_the_descriptors() {
    let file = "docs/ARCHITECTURE.md";
    let rows = table_after(&read(file), "## Gateway capabilities", file);
    let documented: Vec<&str> = rows.iter().map(|r| r[0].trim_matches('`')).collect();
    let declared: Vec<&str> = GATEWAYS.iter().map(|g| g.id).collect();
    assert_eq!(
        documented, declared,
        "{file}: one row per gateway, in order"
    );
    for (row, gateway) in rows.iter().zip(GATEWAYS) {
        assert_eq!(
            &row[1..],
            &expected_cells(&gateway.capabilities)[..],
            "{file}: capability row of `{}` (create, query, refund, cancel, webhook scheme, \
             methods, currencies)",
            gateway.id
        );
    }
}
