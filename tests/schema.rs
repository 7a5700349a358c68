//! The JSON Schema of the settings: the checked-in copy is up to date, it is
//! a valid schema, it accepts the contract's example and rejects documents
//! the module refuses for their shape.
//!
//! `UPDATE_SCHEMA=1 cargo test --test schema` rewrites the checked-in copy.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use serde_json::{json, Value as Json};
use std::path::PathBuf;
use walkme_webhooks::core::schema::settings_schema;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/settings-v1.schema.json")
}

fn checked_in() -> Json {
    let text = std::fs::read_to_string(schema_path()).expect("schema/settings-v1.schema.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&checked_in()).expect("the schema compiles")
}

/// The schema's complaints about `doc`, as `instance path: message`.
fn schema_errors(doc: &Json) -> Vec<String> {
    let v = validator();
    v.iter_errors(doc)
        .map(|e| format!("{}: {}", e.instance_path(), e))
        .collect()
}

#[test]
fn the_checked_in_schema_is_up_to_date() {
    let generated = settings_schema();
    if std::env::var("UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::create_dir_all(schema_path().parent().unwrap()).unwrap();
        std::fs::write(schema_path(), &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        on_disk == generated,
        "schema/settings-v1.schema.json is out of date; run `UPDATE_SCHEMA=1 cargo test --test schema` and commit it"
    );
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let s = checked_in();
    assert!(jsonschema::meta::is_valid(&s));
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(
        s["$id"],
        "https://walkme-webhooks.dev/schema/settings-v1.schema.json"
    );
    assert_eq!(s["properties"]["version"]["const"], 1);
    assert_eq!(s["required"], json!(["version"]));
    let dest = &s["$defs"]["Destination"]["properties"];
    assert_eq!(
        (
            dest["timeoutMs"]["minimum"].as_u64(),
            dest["timeoutMs"]["maximum"].as_u64()
        ),
        (Some(100), Some(120_000))
    );
    assert_eq!(
        (
            dest["maxAttempts"]["minimum"].as_u64(),
            dest["maxAttempts"]["maximum"].as_u64()
        ),
        (Some(1), Some(25))
    );
    let ops: Vec<&str> = s["$defs"]["Operator"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let want: Vec<&str> = walkme_webhooks::core::settings::Operator::ALL
        .iter()
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(ops, want);
}

#[test]
fn the_contract_example_is_accepted() {
    assert_eq!(schema_errors(&example()), Vec::<String>::new());
    // And so are the smallest document and one with every auth type.
    assert!(validator().is_valid(&json!({ "version": 1 })));
    let mut d = doc(json!({}), json!({}));
    for auth in [
        json!({ "type": "none" }),
        json!({ "type": "bearer" }),
        json!({ "type": "bearer", "token": "t" }),
        json!({ "type": "basic", "username": "u", "password": "p" }),
        json!({ "type": "oauth2", "tokenUrl": "https://a.example.com/t", "clientId": "c", "scope": "s" }),
    ] {
        d["destinations"][0]["auth"] = auth.clone();
        assert_eq!(schema_errors(&d), Vec::<String>::new(), "{auth}");
        valid(&d);
    }
}

#[test]
fn unknown_fields_are_allowed_as_the_module_ignores_them() {
    let mut d = example();
    d["editor"] = json!({ "x": 1 });
    d["webhooks"][0]["owner"] = json!("cs");
    d["destinations"][0]["color"] = json!("red");
    assert!(validator().is_valid(&d));
    valid(&d);
}

#[test]
fn invalid_documents_are_rejected_by_the_schema_and_the_module() {
    let set = |pointer: &str, v: Json| {
        let mut d = example();
        *d.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}")) = v;
        d
    };
    let remove = |pointer: &str| {
        let mut d = example();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        d.pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(key);
        d
    };
    let cases: Vec<(&str, Json)> = vec![
        ("version 2", set("/version", json!(2))),
        ("version as text", set("/version", json!("1"))),
        ("no version", remove("/version")),
        ("settings as a list", json!([])),
        (
            "method not a request type",
            set("/destinations/0/method", json!("FETCH")),
        ),
        (
            "mode not a mode",
            set("/destinations/0/mode", json!("fast")),
        ),
        (
            "timeoutMs too small",
            set("/destinations/0/timeoutMs", json!(50)),
        ),
        (
            "timeoutMs too large",
            set("/destinations/0/timeoutMs", json!(120_001)),
        ),
        (
            "maxAttempts zero",
            set("/destinations/0/maxAttempts", json!(0)),
        ),
        (
            "maxAttempts a fraction",
            set("/destinations/0/maxAttempts", json!(2.5)),
        ),
        (
            "maxAttempts as text",
            set("/destinations/0/maxAttempts", json!("3")),
        ),
        (
            "auth type unknown",
            set("/destinations/0/auth", json!({ "type": "digest" })),
        ),
        (
            "basic without username",
            set("/destinations/0/auth", json!({ "type": "basic" })),
        ),
        (
            "oauth2 without tokenUrl",
            set(
                "/destinations/0/auth",
                json!({ "type": "oauth2", "clientId": "c" }),
            ),
        ),
        ("url missing", remove("/destinations/0/url")),
        ("url a number", set("/destinations/0/url", json!(5))),
        (
            "headers an object",
            set("/destinations/0/headers", json!({})),
        ),
        (
            "header without name",
            set("/destinations/0/headers/0", json!({ "value": "x" })),
        ),
        (
            "idempotencyHeader text",
            set("/destinations/0/idempotencyHeader", json!("yes")),
        ),
        ("webhooks an object", set("/webhooks", json!({}))),
        ("webhook without event", remove("/webhooks/0/event")),
        (
            "webhook without destination",
            remove("/webhooks/0/destination"),
        ),
        ("enabled a number", set("/webhooks/0/enabled", json!(1))),
        (
            "operator unknown",
            set("/webhooks/0/conditions/0/operator", json!("eq")),
        ),
        (
            "join unknown",
            set("/webhooks/0/conditions/0/join", json!("xor")),
        ),
        (
            "condition without property",
            remove("/webhooks/0/conditions/1/property"),
        ),
        (
            "ignoreCase text",
            set("/webhooks/0/conditions/0/ignoreCase", json!("no")),
        ),
        (
            "properties text",
            set("/webhooks/0/properties", json!("user.id")),
        ),
        (
            "selection without name",
            set("/webhooks/0/properties/0", json!({ "as": "x" })),
        ),
        (
            "static without name",
            set("/webhooks/0/static/0", json!({ "value": 1 })),
        ),
        (
            "captureInputValues text",
            set("/captureInputValues", json!("false")),
        ),
    ];
    let v = validator();
    for (what, d) in &cases {
        assert!(!v.is_valid(d), "the schema accepts: {what}");
        assert!(parse(d).is_err(), "the module accepts: {what}");
    }
    // The schema points at the place.
    let errs = schema_errors(&set("/webhooks/0/conditions/0/operator", json!("eq")));
    assert!(
        errs.iter()
            .any(|e| e.starts_with("/webhooks/0/conditions/0/operator: ")),
        "{errs:#?}"
    );
    let errs = schema_errors(&set("/destinations/0/maxAttempts", json!(0)));
    assert!(
        errs.iter()
            .any(|e| e.starts_with("/destinations/0/maxAttempts: ")),
        "{errs:#?}"
    );
}
