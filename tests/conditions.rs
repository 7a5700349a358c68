//! Conditions through the public API: rows read from settings JSON, compiled
//! and evaluated against events, and matched by the engine.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use serde_json::{json, Value as Json};
use walkme_webhooks::core::condition::Conditions;
use walkme_webhooks::core::event::Event;
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::settings::Operator;

/// Whether `rows` (settings JSON) hold for the event `props`.
fn holds(rows: Json, props_: Json) -> bool {
    let s = valid(&doc(json!({}), json!({ "conditions": rows })));
    let c = Conditions::compile(&s.webhooks[0].conditions, &NativeHost).expect("compiles");
    c.test(&Event::from_pairs(props(props_)), &NativeHost)
}

fn row(property: &str, operator: &str, value: Json) -> Json {
    json!({ "property": property, "operator": operator, "value": value })
}

fn one(property: &str, operator: &str, value: Json, event: Json) -> bool {
    holds(json!([row(property, operator, value)]), event)
}

#[test]
fn all_fourteen_operators_hold_and_fail() {
    let ev = json!({
        "survey.name": "NPS Q3",
        "answer.value": 4,
        "tags": ["beta", "admin"],
        "flag": true
    });
    // (property, operator, value, expected)
    let cases: &[(&str, &str, Json, bool)] = &[
        ("survey.name", "equals", json!("NPS Q3"), true),
        ("survey.name", "equals", json!("NPS"), false),
        ("survey.name", "not_equals", json!("NPS"), true),
        ("survey.name", "not_equals", json!("NPS Q3"), false),
        ("survey.name", "contains", json!("S Q"), true),
        ("survey.name", "contains", json!("q3"), false),
        ("survey.name", "not_contains", json!("CSAT"), true),
        ("survey.name", "not_contains", json!("Q3"), false),
        ("survey.name", "starts_with", json!("NPS"), true),
        ("survey.name", "starts_with", json!("Q3"), false),
        ("survey.name", "ends_with", json!("Q3"), true),
        ("survey.name", "ends_with", json!("NPS"), false),
        ("survey.name", "matches", json!("^NPS Q[1-4]$"), true),
        ("survey.name", "matches", json!("^Q"), false),
        ("answer.value", "gt", json!(3), true),
        ("answer.value", "gt", json!(4), false),
        ("answer.value", "gte", json!(4), true),
        ("answer.value", "gte", json!(4.5), false),
        ("answer.value", "lt", json!(5), true),
        ("answer.value", "lt", json!(4), false),
        ("answer.value", "lte", json!(4), true),
        ("answer.value", "lte", json!(3.99), false),
        ("survey.name", "exists", json!(null), true),
        ("nothing", "exists", json!(null), false),
        ("nothing", "not_exists", json!(null), true),
        ("survey.name", "not_exists", json!(null), false),
        ("answer.value", "in", json!([1, 2, 4]), true),
        ("answer.value", "in", json!([1, 2, 3]), false),
        ("tags", "contains", json!("admin"), true),
        ("tags", "contains", json!("adm"), false),
        ("flag", "equals", json!(true), true),
        ("flag", "equals", json!("true"), true),
        ("flag", "equals", json!(false), false),
    ];
    let mut seen = std::collections::HashSet::new();
    for (p, op, v, want) in cases {
        assert_eq!(one(p, op, v.clone(), ev.clone()), *want, "{p} {op} {v}");
        seen.insert(*op);
    }
    assert_eq!(seen.len(), Operator::ALL.len(), "every operator is covered");
}

#[test]
fn ignore_case_applies_to_every_text_operator() {
    let ev = json!({ "s": "Hello World" });
    for (op, v) in [
        ("equals", "hello world"),
        ("contains", "LO WO"),
        ("starts_with", "hELLO"),
        ("ends_with", "WORLD"),
        ("matches", "^hello"),
    ] {
        let plain = holds(json!([row("s", op, json!(v))]), ev.clone());
        let mut r = row("s", op, json!(v));
        r["ignoreCase"] = json!(true);
        let folded = holds(json!([r]), ev.clone());
        assert!(!plain && folded, "{op} {v}");
    }
    let mut r = row("s", "not_equals", json!("HELLO WORLD"));
    r["ignoreCase"] = json!(true);
    assert!(!holds(json!([r]), ev.clone()));
    let mut r = row("s", "in", json!(["x", "HELLO world"]));
    r["ignoreCase"] = json!(true);
    assert!(holds(json!([r]), ev));
}

#[test]
fn and_binds_tighter_than_or_across_rows() {
    // a AND b OR c AND d  ==  (a AND b) OR (c AND d)
    let rows = |j0: &str, j1: &str, j2: &str| {
        json!([
            { "property": "a", "operator": "exists", "join": j0 },
            { "property": "b", "operator": "exists", "join": j1 },
            { "property": "c", "operator": "exists", "join": j2 },
            { "property": "d", "operator": "exists" }
        ])
    };
    let ev = |a: bool, b: bool, c: bool, d: bool| {
        let mut m = serde_json::Map::new();
        for (k, on) in [("a", a), ("b", b), ("c", c), ("d", d)] {
            if on {
                m.insert(k.into(), json!(1));
            }
        }
        Json::Object(m)
    };
    for bits in 0..16u8 {
        let (a, b, c, d) = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0, bits & 8 != 0);
        assert_eq!(
            holds(rows("and", "or", "and"), ev(a, b, c, d)),
            (a && b) || (c && d),
            "a and b or c and d with {a} {b} {c} {d}"
        );
        assert_eq!(
            holds(rows("or", "and", "or"), ev(a, b, c, d)),
            a || (b && c) || d,
            "a or b and c or d with {a} {b} {c} {d}"
        );
        assert_eq!(
            holds(rows("and", "and", "and"), ev(a, b, c, d)),
            a && b && c && d
        );
        assert_eq!(
            holds(rows("or", "or", "or"), ev(a, b, c, d)),
            a || b || c || d
        );
    }
    // The join of the last row links to nothing.
    assert!(holds(
        json!([{ "property": "a", "operator": "exists", "join": "or" }]),
        ev(true, false, false, false)
    ));
    assert!(holds(json!([]), json!({})), "no rows: every event matches");
}

#[test]
fn a_missing_or_null_property_fails_every_row_but_not_exists() {
    for (op, _) in Operator::ALL {
        let value = match op {
            Operator::In => json!([null, "", 0]),
            Operator::Matches => json!(".*"),
            Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte => json!(0),
            _ => json!(""),
        };
        let name = op.as_str();
        for ev in [json!({}), json!({ "p": null })] {
            assert_eq!(
                one("p", name, value.clone(), ev.clone()),
                op == Operator::NotExists,
                "{name} on {ev}"
            );
        }
    }
}

#[test]
fn numbers_and_numeric_strings() {
    // A numeric string compares as a number when the other side is a number.
    assert!(one("n", "equals", json!(7), json!({ "n": "7" })));
    assert!(one("n", "equals", json!(7), json!({ "n": " 7.0 " })));
    assert!(one("n", "equals", json!("7"), json!({ "n": 7 })));
    assert!(one("n", "gt", json!(9), json!({ "n": "10" })));
    assert!(one("n", "lt", json!("1e3"), json!({ "n": 999 })));
    assert!(one("n", "in", json!(["4", 5]), json!({ "n": 4 })));
    // Two strings compare as text ("10" < "9").
    assert!(one("n", "lt", json!("9"), json!({ "n": "10" })));
    // Text that is not a number never orders against a number.
    for op in ["gt", "gte", "lt", "lte"] {
        assert!(!one("n", op, json!(1), json!({ "n": "abc" })), "{op}");
        assert!(!one("n", op, json!(1), json!({ "n": "" })), "{op}");
    }
    assert!(!one("n", "equals", json!(0), json!({ "n": "" })));
    assert!(!one("n", "equals", json!(16), json!({ "n": "0x10" })));
    // Numbers are written as JavaScript writes them for text operators.
    assert!(one("n", "equals", json!("4.5"), json!({ "n": 4.5 })));
    assert!(one("n", "starts_with", json!("100"), json!({ "n": 1000 })));
    assert!(one("n", "matches", json!("^1\\.5$"), json!({ "n": 1.5 })));
}

#[test]
fn booleans_and_text_compare_as_the_editor_writes_them() {
    assert!(one("b", "equals", json!("true"), json!({ "b": true })));
    assert!(one("b", "not_equals", json!("false"), json!({ "b": true })));
    assert!(!one("b", "equals", json!(1), json!({ "b": true })));
    assert!(one("b", "in", json!([true]), json!({ "b": true })));
    assert!(!one("b", "in", json!([1]), json!({ "b": true })));
}

#[test]
fn the_engine_counts_the_webhooks_an_event_matches() {
    let d = json!({
        "version": 1,
        "destinations": [{ "id": "d", "url": "https://example.com/in" }],
        "webhooks": [
            { "id": "low", "event": "survey.submitted", "destination": "d",
              "conditions": [{ "property": "answer.value", "operator": "lte", "value": 6 }] },
            { "id": "nps", "event": "survey.submitted", "destination": "d",
              "conditions": [{ "property": "survey.name", "operator": "equals", "value": "nps", "ignoreCase": true }] },
            { "id": "off", "event": "survey.submitted", "destination": "d", "enabled": false },
            { "id": "other", "event": "survey.dismissed", "destination": "d" }
        ]
    });
    let mut e = engine(&d);
    let ev = |name: &str, v: f64| props(json!({ "survey.name": name, "answer.value": v }));
    assert_eq!(e.emit("survey.submitted", ev("NPS", 4.0), T0), 2);
    assert_eq!(e.emit("survey.submitted", ev("NPS", 9.0), T0), 1);
    assert_eq!(e.emit("survey.submitted", ev("CSAT", 9.0), T0), 0);
    assert_eq!(e.emit("survey.dismissed", vec![], T0), 1);
    assert_eq!(
        e.emit("survey.nope", vec![], T0),
        0,
        "unknown event types match nothing"
    );
    assert!(e.wants("survey.submitted") && e.wants("survey.dismissed"));
    assert!(!e.wants("menu.opened"));
    assert_eq!(e.stats().matched, 4);
}

#[test]
fn conditions_see_the_properties_the_module_fills_in() {
    let d = doc(
        json!({}),
        json!({ "conditions": [
            { "property": "event.type", "operator": "equals", "value": "survey.submitted" },
            { "property": "user.role", "operator": "equals", "value": "admin" },
            { "property": "page.path", "operator": "starts_with", "value": "/app" }
        ] }),
    );
    let mut e = engine(&d);
    e.set_context(walkme_webhooks::core::engine::Context {
        path: "/app/settings".into(),
        ..Default::default()
    });
    assert_eq!(e.emit("survey.submitted", vec![], T0), 0, "no user yet");
    e.identify(Some("u-1".into()), props(json!({ "role": "admin" })));
    assert_eq!(e.emit("survey.submitted", vec![], T0), 1);
}
