//! Property-based tests: evaluation, mapping, templating, request building
//! and reading settings never panic on arbitrary input, hold their
//! invariants, and valid settings survive a serialise / parse round trip.
#![cfg(not(target_arch = "wasm32"))]

mod common;
#[path = "common/gen.rs"]
mod gen;

use proptest::prelude::*;
use proptest::sample::select;
use walkme_webhooks::core::condition::Conditions;
use walkme_webhooks::core::event::Event;
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::mapping::default_body;
use walkme_webhooks::core::request::{self, MAX_BODY_BYTES};
use walkme_webhooks::core::settings::{
    Auth, Condition, Destination, Format, Header, Join, Method, Mode, Operator, PropertySelection,
    Settings, StaticProperty, Webhook,
};
use walkme_webhooks::core::template;
use walkme_webhooks::core::url;
use walkme_webhooks::core::value::Value;

// ------------------------------------------------------------ strategies

const NAMES: &[&str] = &[
    "a",
    "b",
    "c",
    "user.id",
    "answer.value",
    "survey.name",
    "tags",
    "email",
    "n",
    "missing",
];

const TEXTS: &[&str] = &[
    "",
    " ",
    "7",
    " 4.5 ",
    "-1e3",
    "0x10",
    "true",
    "NPS",
    "nps",
    "Jane@Example.com ",
    "{{user.id}}",
    "{{properties}}",
    "{{a}} and {{b}}",
    "{{",
    "}}",
    "{{ }}",
    "{{a}",
    "é😀",
    "a/b?c=d&e#f",
    "line\nbreak",
    "\u{0}",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(TEXTS).prop_map(str::to_string),
        ".{0,12}",
        "[a-z{} .]{0,16}",
    ]
}

/// Any scalar, including numbers JSON cannot carry.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        (-100i32..100).prop_map(|n| Value::Number(n as f64)),
        (-1e6..1e6f64).prop_map(Value::Number),
        text().prop_map(Value::String),
    ]
}

/// A scalar JSON can carry (finite numbers).
fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_filter("finite", |n| n.is_finite())
            .prop_map(Value::Number),
        (-100i32..100).prop_map(|n| Value::Number(n as f64)),
        text().prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![select(NAMES).prop_map(str::to_string), ".{0,8}"]
}

fn nest(leaf: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5).prop_map(Value::Object),
        ]
    })
    .boxed()
}

/// Any value (objects may repeat keys, numbers may be NaN).
fn value() -> BoxedStrategy<Value> {
    nest(scalar().boxed())
}

/// A value as JSON text would give it: finite numbers, unique keys.
fn json_value() -> BoxedStrategy<Value> {
    nest(json_scalar().boxed())
        .prop_map(|v| {
            // Unique keys, as a JSON reader keeps them.
            let text = serde_json::to_string(&v).unwrap();
            serde_json::from_str(&text).unwrap()
        })
        .boxed()
}

fn event() -> impl Strategy<Value = Event> {
    prop::collection::vec((key(), value()), 0..10).prop_map(Event::from_pairs)
}

fn operator() -> impl Strategy<Value = Operator> {
    select(Operator::ALL.iter().map(|(o, _)| *o).collect::<Vec<_>>())
}

fn condition() -> impl Strategy<Value = Condition> {
    (
        select(NAMES),
        operator(),
        value(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(p, operator, value, ignore_case, or)| Condition {
            property: p.to_string(),
            operator,
            value,
            ignore_case,
            join: if or { Join::Or } else { Join::And },
        })
}

fn selection() -> impl Strategy<Value = Option<Vec<PropertySelection>>> {
    prop::option::of(prop::collection::vec(
        (key(), prop::option::of(key()), any::<bool>())
            .prop_map(|(name, rename, hash)| PropertySelection { name, rename, hash }),
        0..6,
    ))
}

fn statics() -> impl Strategy<Value = Vec<StaticProperty>> {
    prop::collection::vec(
        (key(), value()).prop_map(|(name, value)| StaticProperty { name, value }),
        0..4,
    )
}

fn webhook_for(conditions: Vec<Condition>) -> impl Strategy<Value = Webhook> {
    (selection(), statics()).prop_map(move |(properties, static_properties)| Webhook {
        id: "w".into(),
        name: String::new(),
        enabled: true,
        event: "survey.submitted".into(),
        conditions: conditions.clone(),
        properties,
        static_properties,
        destination: "d".into(),
    })
}

fn method() -> impl Strategy<Value = Method> {
    select(Method::ALL.to_vec())
}

fn mode() -> impl Strategy<Value = Mode> {
    select(vec![Mode::Cors, Mode::Simple, Mode::NoCors])
}

fn url_template() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            prop_oneof![
                "[a-z0-9_-]{1,6}".prop_map(|s| s),
                select(NAMES).prop_map(|n| format!("{{{{{n}}}}}")),
            ],
            0..4,
        ),
        prop::option::of(select(NAMES)),
    )
        .prop_map(|(segments, query)| {
            let mut u = format!("https://example.com/{}", segments.join("/"));
            if let Some(q) = query {
                u.push_str(&format!("?q={{{{{q}}}}}&fixed=1"));
            }
            u
        })
}

fn destination() -> impl Strategy<Value = Destination> {
    (
        method(),
        url_template(),
        mode(),
        prop::option::of(value()),
        any::<bool>(),
        prop::collection::vec(
            ("X-[A-Za-z0-9]{1,6}", "[ -~]{0,12}").prop_map(|(name, value)| Header { name, value }),
            0..3,
        ),
    )
        .prop_map(
            |(method, url, mode, body, idempotency_header, headers)| Destination {
                id: "d".into(),
                platform: String::new(),
                method,
                url,
                auth: Auth::None,
                headers,
                mode,
                format: Format::default_for(mode),
                body,
                batch: None,
                rate: None,
                timeout_ms: 10_000,
                max_attempts: 8,
                idempotency_header,
            },
        )
}

// ------------------------------------------------------ valid settings

/// Valid settings documents from the shared generator (tests/common/gen.rs),
/// fed from a seed.
fn generated(style: gen::Style) -> impl Strategy<Value = Value> {
    any::<u64>().prop_map(move |seed| gen::document(&mut gen::SplitMix(seed), style))
}

/// The settings of a generated document (which must be valid).
fn settings_of(doc: &Value) -> Settings {
    Settings::parse(doc, &NativeHost).unwrap_or_else(|p| {
        panic!(
            "a generated document is refused: {p:#?}\n{}",
            json_text(doc)
        )
    })
}

fn json_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// The JSON text of valid settings, as `Settings` serialises it (key order
/// kept: read back into the core's ordered `Value`).
fn serialised(s: &Settings) -> String {
    let json: Value = serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap();
    json_text(&json)
}

// ------------------------------------------------------------------ tests

/// Pieces of JSON text (and near misses) for the text reader.
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "\\",
    "1",
    "-0.5e3",
    "1e999",
    "true",
    "null",
    " ",
    "\"version\"",
    "\"destinations\"",
    "\"webhooks\"",
    "\"id\"",
    "\"url\"",
    "\"https://example.com\"",
    "\"event\"",
    "\"survey.submitted\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "é",
    "{\"version\":1,",
];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn conditions_evaluate_as_an_or_of_and_groups(
        rows in prop::collection::vec(condition(), 0..6),
        ev in event(),
    ) {
        let Ok(all) = Conditions::compile(&rows, &NativeHost) else {
            // Only a pattern that does not compile is refused.
            prop_assert!(rows.iter().any(|r| r.operator == Operator::Matches));
            return Ok(());
        };
        let got = all.test(&ev, &NativeHost);
        // The model: each row alone, grouped at every `or`.
        let single = |r: &Condition| {
            let mut r = r.clone();
            r.join = Join::And;
            Conditions::compile(&[r], &NativeHost).unwrap().test(&ev, &NativeHost)
        };
        let mut want = rows.is_empty();
        let mut group = true;
        for (i, r) in rows.iter().enumerate() {
            group &= single(r);
            if r.join == Join::Or || i + 1 == rows.len() {
                want |= group;
                group = true;
            }
        }
        prop_assert_eq!(got, want);
    }

    #[test]
    fn negated_operators_are_complements(
        c in condition(),
        ev in event(),
    ) {
        let present = !matches!(ev.get(&c.property), None | Some(Value::Null));
        let run = |op: Operator| {
            let mut r = c.clone();
            r.operator = op;
            Conditions::compile(&[r], &NativeHost).ok().map(|x| x.test(&ev, &NativeHost))
        };
        prop_assert_eq!(run(Operator::Exists), Some(present));
        prop_assert_eq!(run(Operator::NotExists), Some(!present));
        for (op, neg) in [(Operator::Equals, Operator::NotEquals), (Operator::Contains, Operator::NotContains)] {
            let (a, b) = (run(op).unwrap(), run(neg).unwrap());
            if present {
                prop_assert_ne!(a, b, "{:?} / {:?}", op, neg);
            } else {
                prop_assert!(!a && !b);
            }
        }
    }

    #[test]
    fn mapping_never_panics_and_selects_what_it_says(
        hook in webhook_for(vec![]),
        ev in event(),
    ) {
        let body = default_body(&hook, &ev, &NativeHost);
        let Value::Object(pairs) = &body else { panic!("an object") };
        // Output names are unique.
        for (i, (k, _)) in pairs.iter().enumerate() {
            prop_assert!(!pairs[..i].iter().any(|(o, _)| o == k), "{} repeated", k);
        }
        // Static properties win.
        for st in &hook.static_properties {
            let last = hook.static_properties.iter().rev().find(|s| s.name == st.name).unwrap();
            prop_assert_eq!(body.get(&st.name), Some(&last.value));
        }
        match &hook.properties {
            None if hook.static_properties.is_empty() => {
                prop_assert_eq!(pairs.as_slice(), ev.pairs());
            }
            Some(sel) => {
                for (k, _) in pairs {
                    prop_assert!(
                        sel.iter().any(|s| s.output_name() == k)
                            || hook.static_properties.iter().any(|s| &s.name == k)
                    );
                }
            }
            None => {}
        }
    }

    #[test]
    fn templates_never_panic_and_keep_plain_values(
        t in value(),
        ev in event(),
        flat in value(),
        u in url_template(),
    ) {
        let out = template::render(&t, &ev, &flat, &NativeHost);
        let text = serde_json::to_string(&t).unwrap();
        if !text.contains("{{") {
            prop_assert_eq!(&out, &t);
        }
        let _ = template::check_placeholders(&text);
        // A value that would change the path's shape ("." or ".." as a
        // segment) makes the URL refused: nothing is sent.
        let Some(rendered) = template::render_url(&u, &ev, &flat, &NativeHost) else {
            return Ok(());
        };
        // A value can never change where the request goes.
        let p = url::parts(&rendered).unwrap();
        prop_assert_eq!(p.host, "example.com");
        prop_assert!(!p.has_userinfo);
        prop_assert!(!rendered.contains(' '));
    }

    #[test]
    fn request_building_never_panics_and_stays_in_bounds(
        dest in destination(),
        hook in webhook_for(vec![]),
        ev in event(),
        key in ".{0,20}",
    ) {
        match request::build(&dest, &request::Compiled::new(&dest), &[(&hook, &ev)], &key, &NativeHost) {
            Err(why) => prop_assert!(why.contains("32 KiB") || why.contains("path segment"), "{}", why),
            Ok(r) => {
                prop_assert!(r.size() <= MAX_BODY_BYTES);
                prop_assert_eq!(r.method, dest.method);
                prop_assert_eq!(r.mode, dest.mode);
                prop_assert_eq!(url::parts(&r.url).unwrap().host, "example.com");
                match &r.body {
                    None => prop_assert_eq!(dest.method, Method::Get),
                    // JSON, unless a text template asked for text as it is.
                    Some(b) => {
                        let text_as_is = dest.format == Format::Text
                            && matches!(dest.body, Some(Value::String(_)));
                        prop_assert!(text_as_is || serde_json::from_str::<serde_json::Value>(b).is_ok(), "{}", b);
                    }
                }
                if dest.mode != Mode::Cors {
                    prop_assert!(r.headers.iter().all(|(n, _)| n == "Content-Type"));
                }
                if dest.mode == Mode::Cors && dest.idempotency_header {
                    let safe = walkme_webhooks::core::request::header_safe(&key);
                    prop_assert_eq!(r.headers.last(), Some(&("Idempotency-Key".to_string(), safe)));
                }
            }
        }
    }

    #[test]
    fn reading_any_document_never_panics(doc in value()) {
        if let Err(problems) = Settings::parse(&doc, &NativeHost) {
            prop_assert!(!problems.is_empty());
            for p in &problems {
                prop_assert!(!p.path.is_empty() && !p.message.is_empty());
            }
        }
    }

    #[test]
    fn reading_a_damaged_example_never_panics(
        edits in prop::collection::vec((0usize..24, json_value()), 1..4),
    ) {
        const POINTERS: &[&str] = &[
            "/version", "/captureInputValues", "/destinations", "/destinations/0",
            "/destinations/0/id", "/destinations/0/method", "/destinations/0/url",
            "/destinations/0/auth", "/destinations/0/headers", "/destinations/0/headers/0",
            "/destinations/0/mode", "/destinations/0/body", "/destinations/0/timeoutMs",
            "/webhooks", "/webhooks/0", "/webhooks/0/event", "/webhooks/0/conditions",
            "/webhooks/0/conditions/0", "/webhooks/0/conditions/0/value",
            "/webhooks/0/conditions/1/operator", "/webhooks/0/properties",
            "/webhooks/0/properties/0", "/webhooks/0/static", "/webhooks/0/destination",
        ];
        let mut doc = common::example();
        for (i, v) in edits {
            if let Some(slot) = doc.pointer_mut(POINTERS[i]) {
                *slot = serde_json::to_value(&v).unwrap();
            }
        }
        let text = doc.to_string();
        match Settings::from_json(&text, &NativeHost) {
            Ok(s) => prop_assert_eq!(s.version, 1),
            Err(p) => prop_assert!(!p.is_empty()),
        }
    }

    #[test]
    fn reading_any_text_never_panics(
        tokens in prop::collection::vec(select(JSON_TOKENS), 0..60),
        junk in prop::collection::vec(any::<char>(), 0..8),
    ) {
        let mut text: String = tokens.concat();
        text.extend(junk);
        if let Err(p) = Settings::from_json(&text, &NativeHost) {
            prop_assert!(!p.is_empty());
        }
    }

    #[test]
    fn generated_settings_are_valid(
        doc in generated(gen::Style::Lenient),
        canonical in generated(gen::Style::Canonical),
    ) {
        for doc in [&doc, &canonical] {
            // As JSON text (the runtime, the editor) and as a value (what a
            // JavaScript object reads as): the same settings.
            let text = json_text(doc);
            let read = Settings::from_json(&text, &NativeHost);
            prop_assert!(read.is_ok(), "{:#?}\n{}", read, text);
            prop_assert_eq!(read.ok(), Some(settings_of(doc)));
        }
    }

    #[test]
    fn valid_settings_survive_a_round_trip(doc in generated(gen::Style::Lenient)) {
        let s = settings_of(&doc);
        let text = serialised(&s);
        let back = Settings::from_json(&text, &NativeHost);
        prop_assert_eq!(back, Ok(s), "{}", text);
    }

    #[test]
    fn valid_settings_are_accepted_by_the_schema(doc in generated(gen::Style::Canonical)) {
        // The document as written, and the settings as they serialise.
        let written = serde_json::to_value(&doc).unwrap();
        let serialised: serde_json::Value = serde_json::from_str(&serialised(&settings_of(&doc))).unwrap();
        for doc in [written, serialised] {
            let errors: Vec<String> = SCHEMA.with(|v| v.iter_errors(&doc).map(|e| e.to_string()).collect());
            prop_assert!(errors.is_empty(), "{:?} for {}", errors, doc);
        }
    }
}

thread_local! {
    static SCHEMA: jsonschema::Validator = {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/settings-v1.schema.json");
        let schema = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    };
}
