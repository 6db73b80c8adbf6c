//! openapi.yaml against the descriptors: its enums of gateway ids and of methods, the credential
//! object of each gateway, the connect example, and which gateways refund and how.
//!
//! No YAML parser is among the dependencies, so the spec is read by indentation, as
//! `ops.rs` reads its paths: it is block-style YAML throughout.

use super::{names_in, names_where, read};
use payrail::providers::{Method, ProviderId, GATEWAYS};

const FILE: &str = "openapi.yaml";

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// One mapping entry: the text after `key:` on its line, and the lines under it.
struct Node<'a> {
    inline: &'a str,
    block: Vec<&'a str>,
}

/// The entry at `path` (keys from the top, each a child of the one before).
fn node<'a>(spec: &'a str, path: &[&str]) -> Node<'a> {
    let mut found = Node {
        inline: "",
        block: spec.lines().collect(),
    };
    for key in path {
        let depth = found
            .block
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| indent(l))
            .min()
            .unwrap_or(0);
        let head = format!("{key}:");
        let at = found
            .block
            .iter()
            .position(|l| indent(l) == depth && l.trim_start().starts_with(&head))
            .unwrap_or_else(|| panic!("{FILE} has no `{}`", path.join(" → ")));
        found = Node {
            inline: found.block[at].trim_start()[head.len()..].trim(),
            block: found.block[at + 1..]
                .iter()
                .take_while(|l| l.trim().is_empty() || indent(l) > depth)
                .copied()
                .collect(),
        };
    }
    found
}

fn unquote(scalar: &str) -> &str {
    scalar.trim().trim_matches(|c| c == '"' || c == '\'')
}

/// A sequence written either `[a, b]` or as `- a` lines.
fn sequence(inline: &str, block: &[&str]) -> Vec<String> {
    match inline.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        Some(flow) => flow.split(',').map(|v| unquote(v).to_owned()).collect(),
        None => block
            .iter()
            .map_while(|l| l.trim_start().strip_prefix("- "))
            .map(|v| unquote(v).to_owned())
            .collect(),
    }
}

/// Every `enum:` in the spec: (line number, values).
fn enums(spec: &str) -> Vec<(usize, Vec<String>)> {
    let lines: Vec<&str> = spec.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(inline) = line.trim_start().strip_prefix("enum:") {
            found.push((i + 1, sequence(inline.trim(), &lines[i + 1..])));
        }
    }
    found
}

#[test]
fn every_enum_of_gateway_ids_or_methods_lists_exactly_the_declared_ones() {
    let ids: Vec<String> = GATEWAYS.iter().map(|g| g.id.to_owned()).collect();
    let methods: Vec<String> = Method::ALL.iter().map(|m| m.as_str().to_owned()).collect();
    let spec = read(FILE);
    let all = enums(&spec);
    for (vocabulary, what) in [(&ids, "gateway ids"), (&methods, "methods")] {
        let naming: Vec<_> = all
            .iter()
            .filter(|(_, values)| values.iter().any(|v| vocabulary.contains(v)))
            .collect();
        assert!(!naming.is_empty(), "{FILE}: no enum of {what}");
        for (line, values) in naming {
            assert_eq!(
                values, vocabulary,
                "{FILE}:{line}: the enum of {what}, in order"
            );
        }
    }
}

#[test]
fn the_credential_object_of_each_gateway_is_its_descriptors() {
    let spec = read(FILE);
    let path = [
        "components",
        "schemas",
        "ConnectProviderRequest",
        "properties",
        "credentials",
        "description",
    ];
    let description = node(&spec, &path).block;
    let bullets: Vec<&str> = description
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("* "))
        .collect();
    assert_eq!(
        bullets.len(),
        GATEWAYS.len(),
        "{FILE}: one credential object per gateway"
    );
    for (bullet, gateway) in bullets.iter().zip(GATEWAYS) {
        let expected = format!("* `{}`: `{}`", gateway.id, gateway.credentials_shape);
        assert!(
            bullet.starts_with(&expected),
            "{FILE}: the credentials of `{}` should read `{expected}`, not `{bullet}`",
            gateway.id
        );
    }
}

/// The connect endpoint's request example, as YAML text.
fn connect_example(spec: &str) -> String {
    let path = [
        "paths",
        "/v1/admin/merchants/{id}/providers/{provider}",
        "put",
        "requestBody",
        "content",
        "application/json",
        "example",
    ];
    node(spec, &path).block.join("\n")
}

/// A mapping of plain scalars, as a JSON object of strings.
fn string_map(lines: &[&str]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = lines
        .iter()
        .filter_map(|l| l.trim().split_once(':'))
        .map(|(k, v)| (k.to_owned(), unquote(v).into()))
        .collect();
    map.into()
}

#[test]
fn the_connect_example_is_valid_for_its_gateway() {
    let example = connect_example(&read(FILE));
    let field = |key: &str| node(&example, &[key]);
    let base_url = unquote(field("base_url").inline);
    let id = base_url.rsplit('/').next().unwrap();
    let gateway = ProviderId::parse(id)
        .unwrap_or_else(|| panic!("{FILE}: the example's base_url `{base_url}` names no gateway"))
        .descriptor();
    (gateway.validate_credentials)(&string_map(&field("credentials").block))
        .unwrap_or_else(|e| panic!("{FILE}: the example's credentials for `{id}`: {e}"));
    let caps = &gateway.capabilities;
    let values = |key: &str| sequence(field(key).inline, &field(key).block);
    for currency in values("currencies") {
        let taken = caps.currencies.contains(&currency.as_str());
        assert!(taken, "{FILE}: `{id}` takes no {currency}");
    }
    for method in values("methods") {
        let offered = caps.methods.iter().any(|m| m.as_str() == method);
        assert!(offered, "{FILE}: `{id}` offers no `{method}`");
    }
}

#[test]
fn the_refund_description_says_which_gateways_refund_and_how() {
    let spec = read(FILE);
    let path = ["paths", "/v1/payments/{id}/refunds", "post", "description"];
    let description = node(&spec, &path).block;
    let prose = description.iter().flat_map(|l| l.split_whitespace());
    let prose = prose.collect::<Vec<_>>().join(" ");
    let gateways = prose
        .split("Gateways: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{FILE}: the refund description has no `Gateways:`"));
    // A clause no gateway fits may be left out.
    let clause = |says: &str| {
        let found = gateways.split(';').find(|c| c.contains(says));
        found.map(names_in).unwrap_or_default()
    };
    let cases = [
        (
            // "refunds" or "refund": one gateway or several.
            "only the whole payment",
            names_where(|g| g.capabilities.refund && !g.capabilities.partial_refund),
        ),
        (
            "any amount",
            names_where(|g| g.capabilities.refund && g.capabilities.partial_refund),
        ),
        ("no refund API", names_where(|g| !g.capabilities.refund)),
    ];
    for (says, declared) in cases {
        assert_eq!(
            clause(says),
            declared,
            "{FILE}: the gateways in the clause `{says}`"
        );
    }
}
