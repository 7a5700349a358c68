//! Settings documents: reading, every validation rule with its exact path and
//! message, all problems at once, and warnings.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use serde_json::json;
use walkme_webhooks::core::settings::{Auth, Join, Method, Mode, Operator};
use walkme_webhooks::core::validate;
use walkme_webhooks::core::value::Value;

// ---------------------------------------------------------------- reading

#[test]
fn the_contract_example_parses_into_the_expected_settings() {
    let s = valid(&example());
    assert_eq!(s.version, 1);
    assert!(!s.capture_input_values);
    let d = &s.destinations[0];
    assert_eq!(d.id, "slack-cs");
    assert_eq!(d.platform, "Slack");
    assert_eq!(d.method, Method::Post);
    assert_eq!(d.url, "https://hooks.slack.com/services/T000/B000/XXXX");
    assert_eq!(d.auth, Auth::None);
    assert_eq!(d.headers.len(), 1);
    assert_eq!(d.headers[0].name, "X-Team");
    assert_eq!(d.mode, Mode::Simple);
    assert_eq!(
        d.body
            .as_ref()
            .and_then(|b| b.get("text"))
            .and_then(Value::as_str),
        Some("{{user.id}} answered {{answer.value}} on {{survey.name}}")
    );
    assert_eq!((d.timeout_ms, d.max_attempts), (10_000, 8));
    assert!(!d.idempotency_header);
    let w = &s.webhooks[0];
    assert_eq!(
        (w.id.as_str(), w.name.as_str()),
        ("wh-nps", "NPS answers to Slack")
    );
    assert!(w.enabled);
    assert_eq!(w.event, "survey.submitted");
    assert_eq!(w.conditions.len(), 2);
    assert_eq!(w.conditions[0].operator, Operator::Equals);
    assert!(w.conditions[0].ignore_case);
    assert_eq!(w.conditions[0].join, Join::And);
    assert_eq!(w.conditions[1].operator, Operator::Lte);
    assert_eq!(w.conditions[1].value, Value::Number(6.0));
    let props = w.properties.as_ref().unwrap();
    assert_eq!(props[0].output_name(), "identity");
    assert_eq!(props[1].output_name(), "answer.value");
    assert_eq!(w.static_properties[0].name, "app_id");
    assert_eq!(w.static_properties[0].value, Value::from("3742"));
    assert_eq!(w.destination, "slack-cs");
}

#[test]
fn the_fixture_is_the_example_of_the_contract() {
    // The fixture is compiled in (`include_str!`): without it this file
    // does not build. The contract lives beside the repository (shared/),
    // so it is looked for there, or where WMWH_SPEC says; a run that cannot
    // read it fails rather than passing without checking, unless it says
    // so on purpose (WMWH_SPEC=none, for a checkout without shared/).
    let wanted = std::env::var("WMWH_SPEC").ok();
    if wanted.as_deref() == Some("none") {
        eprintln!("the_fixture_is_the_example_of_the_contract: not checked (WMWH_SPEC=none)");
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<std::path::PathBuf> = match &wanted {
        Some(p) => vec![p.into()],
        None => root
            .ancestors()
            .map(|a| a.join("shared/spec/webhooks-v1.md"))
            .collect(),
    };
    let spec = candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_else(|| {
            panic!(
                "the contract (shared/spec/webhooks-v1.md) was not found in {candidates:?}; \
                 set WMWH_SPEC to its path, or WMWH_SPEC=none to skip this check"
            )
        });
    let start = spec
        .find("## 3. Published settings JSON")
        .expect("section 3");
    let block = &spec[start..];
    let open = block.find("```json\n").expect("a json block") + "```json\n".len();
    let close = block[open..].find("```").expect("closed") + open;
    assert_eq!(&block[open..close], CONTRACT_EXAMPLE);
}

#[test]
fn defaults_apply_when_fields_are_left_out() {
    let s = valid(&doc(json!({}), json!({})));
    let d = &s.destinations[0];
    assert_eq!(d.method, Method::Post);
    assert_eq!(d.mode, Mode::Cors);
    assert_eq!(d.auth, Auth::None);
    assert_eq!((d.timeout_ms, d.max_attempts), (10_000, 8));
    assert!(d.headers.is_empty() && d.body.is_none() && !d.idempotency_header);
    let w = &s.webhooks[0];
    assert!(w.enabled, "enabled defaults to true");
    assert!(w.conditions.is_empty() && w.static_properties.is_empty());
    assert!(w.properties.is_none(), "no selection means all properties");
    assert_eq!(w.conditions.first().map(|c| c.join), None);
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    let mut d = example();
    d["editorState"] = json!({ "open": true });
    d["destinations"][0]["color"] = json!("red");
    d["destinations"][0]["auth"]["note"] = json!(1);
    d["destinations"][0]["headers"][0]["comment"] = json!("x");
    d["webhooks"][0]["owner"] = json!("cs-team");
    d["webhooks"][0]["conditions"][0]["uiId"] = json!(17);
    d["webhooks"][0]["properties"][0]["label"] = json!("Identity");
    d["webhooks"][0]["static"][0]["hint"] = json!(null);
    assert_eq!(valid(&d), valid(&example()));
}

#[test]
fn a_missing_version_is_refused() {
    let mut d = example();
    d.as_object_mut().unwrap().remove("version");
    assert_eq!(
        only_problem(&d),
        "version: is missing; add \"version\": 1 (this module reads settings version 1)"
    );
}

#[test]
fn an_unknown_version_is_refused() {
    let mut d = example();
    d["version"] = json!(2);
    assert_eq!(
        only_problem(&d),
        "version: 2 is not supported; this module reads settings version 1 (publish version 1 settings or update the module)"
    );
    d["version"] = json!("1");
    assert!(only_problem(&d).starts_with("version: \"1\" is not supported;"));
    d["version"] = json!(1.5);
    assert!(only_problem(&d).starts_with("version: 1.5 is not supported;"));
}

#[test]
fn text_that_is_not_json_or_not_an_object_is_refused() {
    let p = walkme_webhooks::core::settings::Settings::from_json(
        "{ \"version\": 1,",
        &walkme_webhooks::core::host::NativeHost,
    )
    .unwrap_err();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "$");
    assert!(
        p[0].message.starts_with("not valid JSON: "),
        "{}",
        p[0].message
    );
    assert_eq!(
        only_problem(&json!([1, 2])),
        "$: settings must be an object, not a list"
    );
}

#[test]
fn lenient_spellings_are_read() {
    let d = doc(
        json!({ "method": "post", "headers": [{ "name": "X-Num", "value": 42 }] }),
        json!({ "properties": ["user.id"], "conditions": [
            { "property": "a", "operator": "exists", "join": "OR" }
        ] }),
    );
    let s = valid(&d);
    assert_eq!(s.destinations[0].method, Method::Post);
    assert_eq!(s.destinations[0].headers[0].value, "42");
    let sel = &s.webhooks[0].properties.as_ref().unwrap()[0];
    assert_eq!(
        (sel.name.as_str(), sel.rename.as_deref()),
        ("user.id", None)
    );
    assert_eq!(s.webhooks[0].conditions[0].join, Join::Or);
}

// ------------------------------------------------------- validation rules

#[test]
fn duplicate_ids_are_refused() {
    let mut d = doc(json!({}), json!({}));
    let dest = d["destinations"][0].clone();
    d["destinations"].as_array_mut().unwrap().push(dest);
    let hook = d["webhooks"][0].clone();
    d["webhooks"].as_array_mut().unwrap().push(hook);
    let p = problems(&d);
    assert_eq!(p.len(), 2, "{p:#?}");
    assert_eq!(
        p[0].to_string(),
        "destinations[1].id: \"d1\" is already the id of destinations[0]; ids must be unique"
    );
    assert_eq!(
        p[1].to_string(),
        "webhooks[1].id: \"w1\" is already the id of webhooks[0]; ids must be unique"
    );
}

#[test]
fn a_webhook_id_may_not_contain_a_colon() {
    // The delivery key is `event.id:webhook.id`.
    assert_eq!(
        only_problem(&doc(json!({}), json!({ "id": "a:b" }))),
        "webhooks[0].id: \"a:b\" contains ':'; use letters, digits, - or _"
    );
}

#[test]
fn an_unknown_event_is_refused_with_a_suggestion() {
    assert_eq!(
        only_problem(&doc(json!({}), json!({ "event": "survey.sumbitted" }))),
        "webhooks[0].event: \"survey.sumbitted\" is not an event of the catalog; did you mean \"survey.submitted\"?"
    );
    assert_eq!(
        only_problem(&doc(json!({}), json!({ "event": "checkout.completed.today" }))),
        "webhooks[0].event: \"checkout.completed.today\" is not an event of the catalog; pick one from catalog()"
    );
    // Ids are exact: no case folding.
    assert!(
        only_problem(&doc(json!({}), json!({ "event": "Survey.Submitted" })))
            .contains("did you mean \"survey.submitted\"?")
    );
}

#[test]
fn a_webhook_pointing_at_a_missing_destination_is_refused() {
    assert_eq!(
        only_problem(&doc(json!({}), json!({ "destination": "slack" }))),
        "webhooks[0].destination: no destination has the id \"slack\" (known: d1)"
    );
    let mut d = doc(json!({}), json!({}));
    d["destinations"] = json!([]);
    assert_eq!(
        only_problem(&d),
        "webhooks[0].destination: no destination has the id \"d1\"; add a destination first"
    );
}

#[test]
fn urls_must_be_https_except_for_localhost() {
    let url = |u: &str| doc(json!({ "url": u }), json!({}));
    assert_eq!(
        only_problem(&url("http://example.com/hook")),
        "destinations[0].url: must use https:// (plain http is only allowed for localhost and 127.0.0.1, not example.com)"
    );
    assert_eq!(
        only_problem(&url("ftp://example.com/hook")),
        "destinations[0].url: must use https://, not ftp://"
    );
    assert_eq!(
        only_problem(&url("example.com/hook")),
        "destinations[0].url: is not an absolute URL (it must start with https://)"
    );
    assert_eq!(
        only_problem(&url("http://localhost.evil.com/hook")),
        "destinations[0].url: must use https:// (plain http is only allowed for localhost and 127.0.0.1, not localhost.evil.com)"
    );
    for ok in [
        "http://localhost:8787/hook",
        "http://LOCALHOST/hook",
        "http://[::1]:8787/hook",
        "http://127.0.0.1:9000/in?x=1",
        "https://example.com/users/@me?mail=a@b.example",
        "https://hooks.example.com/{{user.id}}/in?q={{survey.name}}",
    ] {
        valid(&url(ok));
    }
}

#[test]
fn urls_with_user_info_are_refused() {
    let p = problems(&doc(
        json!({ "url": "https://token@example.com/hook" }),
        json!({}),
    ));
    assert_eq!(
        message_at(&p, "destinations[0].url"),
        "must not contain a user name or password; use basic authentication instead"
    );
    assert_eq!(
        only_problem(&doc(json!({ "url": "https://user:pass@example.com/hook" }), json!({}))),
        "destinations[0].url: must not contain a user name or password; use basic authentication instead"
    );
}

#[test]
fn placeholders_in_the_scheme_or_host_are_refused() {
    let msg = "may use {{placeholders}} only in its path and query, not in its scheme or host";
    for url in [
        "https://{{tenant}}.example.com/hook",
        "https://api.example.com{{suffix}}/hook",
        "https://{{host}}/hook",
    ] {
        let p = problems(&doc(json!({ "url": url }), json!({})));
        assert_eq!(message_at(&p, "destinations[0].url"), msg, "{url}");
    }
    let p = problems(&doc(json!({ "url": "https://example.com/{{a" }), json!({})));
    assert_eq!(
        message_at(&p, "destinations[0].url"),
        "has a {{ without a closing }}"
    );
}

#[test]
fn header_names_must_be_http_tokens() {
    let d = doc(
        json!({ "headers": [{ "name": "X Team", "value": "cs" }] }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].headers[0].name: \"X Team\" is not a valid header name; use letters, digits and !#$%&'*+-.^_`|~ only, no spaces"
    );
    let d = doc(
        json!({ "headers": [{ "name": "X:Team", "value": "cs" }] }),
        json!({}),
    );
    assert!(only_problem(&d).contains("\"X:Team\" is not a valid header name"));
}

#[test]
fn header_values_with_line_breaks_are_refused() {
    for v in ["a\r\nX-Evil: 1", "a\nb", "a\rb"] {
        let d = doc(
            json!({ "headers": [{ "name": "X-Team", "value": v }] }),
            json!({}),
        );
        assert_eq!(
            only_problem(&d),
            "destinations[0].headers[0].value: contains a line break; header values must be on one line"
        );
    }
    let d = doc(
        json!({ "headers": [{ "name": "X-Team", "value": "日本" }] }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].headers[0].value: contains characters a header cannot carry (control characters or non-Latin-1 text)"
    );
}

#[test]
fn headers_the_browser_owns_are_refused() {
    for name in [
        "Cookie",
        "host",
        "Content-Length",
        "Sec-Fetch-Mode",
        "Proxy-Authorization",
    ] {
        let d = doc(
            json!({ "headers": [{ "name": name, "value": "x" }] }),
            json!({}),
        );
        assert_eq!(
            only_problem(&d),
            format!("destinations[0].headers[0].name: \"{name}\" is set by the browser and cannot be sent from a page; remove it")
        );
    }
}

#[test]
fn an_idempotency_key_header_conflicts_with_idempotency_header() {
    // Found by the engine fuzz target: both were sent, so the browser joined
    // them into one value ("mine, <key>") and the key no longer named one
    // delivery.
    let d = doc(
        json!({
            "mode": "cors",
            "idempotencyHeader": true,
            "headers": [{ "name": "idempotency-key", "value": "mine" }]
        }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].headers[0].name: Idempotency-Key is already set by idempotencyHeader (a key per delivery); remove this header"
    );
    valid(&doc(
        json!({ "mode": "cors", "headers": [{ "name": "Idempotency-Key", "value": "mine" }] }),
        json!({}),
    ));
}

#[test]
fn an_authorization_header_conflicts_with_auth() {
    let d = doc(
        json!({
            "auth": { "type": "bearer", "token": "t" },
            "headers": [{ "name": "authorization", "value": "Bearer x" }]
        }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].headers[0].name: Authorization is already set by the bearer authentication; remove this header"
    );
    // Without auth, an Authorization header is the user's own business.
    valid(&doc(
        json!({ "headers": [{ "name": "Authorization", "value": "Key abc" }] }),
        json!({}),
    ));
}

#[test]
fn simple_and_no_cors_modes_refuse_what_they_cannot_send() {
    let d = doc(
        json!({
            "mode": "simple",
            "method": "PUT",
            "auth": { "type": "bearer", "token": "t" },
            "idempotencyHeader": true
        }),
        json!({}),
    );
    let p = problems(&d);
    assert_eq!(
        message_at(&p, "destinations[0].method"),
        "PUT cannot be sent in simple mode (only GET and POST); use mode cors"
    );
    assert_eq!(
        message_at(&p, "destinations[0].auth"),
        "authentication cannot be sent in simple mode; use mode cors or put the key in the URL"
    );
    assert_eq!(
        message_at(&p, "destinations[0].idempotencyHeader"),
        "Idempotency-Key cannot be sent in simple mode; use mode cors"
    );
    assert_eq!(p.len(), 3, "{p:#?}");
    let d = doc(json!({ "mode": "no-cors", "method": "DELETE" }), json!({}));
    assert_eq!(
        only_problem(&d),
        "destinations[0].method: DELETE cannot be sent in no-cors mode (only GET and POST); use mode cors"
    );
}

#[test]
fn headers_in_simple_mode_are_a_warning_not_an_error() {
    // The contract's own example has a header in simple mode: it is valid,
    // the header is not sent, and the editor is told so.
    let s = valid(&example());
    let w = validate::warnings(&s);
    assert_eq!(
        message_at(&w, "destinations[0].headers"),
        "headers are not sent in simple mode (a simple request carries none); remove them or use mode cors"
    );
    let s = valid(&doc(
        json!({ "mode": "no-cors", "headers": [{ "name": "X-A", "value": "1" }] }),
        json!({}),
    ));
    assert!(
        message_at(&validate::warnings(&s), "destinations[0].headers")
            .starts_with("headers are not sent in no-cors mode")
    );
}

#[test]
fn a_matches_pattern_must_compile() {
    let d = doc(
        json!({}),
        json!({ "conditions": [{ "property": "survey.name", "operator": "matches", "value": "(unclosed" }] }),
    );
    assert_eq!(
        only_problem(&d),
        "webhooks[0].conditions[0].value: the pattern does not compile: a ( has no closing )"
    );
    let d = doc(
        json!({}),
        json!({ "conditions": [{ "property": "survey.name", "operator": "matches", "value": 5 }] }),
    );
    assert_eq!(
        only_problem(&d),
        "webhooks[0].conditions[0].value: must be a pattern (text), not a number"
    );
}

#[test]
fn in_needs_a_list_and_comparisons_need_a_scalar() {
    let row = |op: &str, v: serde_json::Value| {
        doc(
            json!({}),
            json!({ "conditions": [{ "property": "p", "operator": op, "value": v }] }),
        )
    };
    assert_eq!(
        only_problem(&row("in", json!("a"))),
        "webhooks[0].conditions[0].value: must be a list of values for the operator in, e.g. [\"a\", \"b\"]"
    );
    assert_eq!(
        only_problem(&row("gt", json!({ "n": 1 }))),
        "webhooks[0].conditions[0].value: must be a number (or text) to compare with, not an object"
    );
    assert_eq!(
        only_problem(&row("lte", json!(null))),
        "webhooks[0].conditions[0].value: is missing; lte compares with a value, e.g. \"NPS\" or 6"
    );
    // A row without a value would compare with nothing and never hold.
    let no_value = doc(
        json!({}),
        json!({ "conditions": [{ "property": "survey.name", "operator": "equals" }] }),
    );
    assert_eq!(
        only_problem(&no_value),
        "webhooks[0].conditions[0].value: is missing; equals compares with a value, e.g. \"NPS\" or 6"
    );
    valid(&row("not_exists", json!(null)));
    // in and matches say what they need in their own words.
    assert_eq!(
        only_problem(&row("matches", json!(null))),
        "webhooks[0].conditions[0].value: must be a pattern (text), not null"
    );
    assert_eq!(
        only_problem(&row("equals", json!(["a"]))),
        "webhooks[0].conditions[0].value: must be text, a number or true/false, not a list; for a list use the operator in"
    );
    valid(&row("exists", json!({ "ignored": true })));
    valid(&row("in", json!([])));
}

#[test]
fn names_with_whitespace_are_refused_with_the_contract_message() {
    let d = doc(
        json!({}),
        json!({
            "properties": [{ "name": "user.id", "as": "user id" }],
            "static": [{ "name": "app_id", "value": 1 }, { "name": "app id", "value": "3742" }]
        }),
    );
    let p = problems(&d);
    assert_eq!(p.len(), 2, "{p:#?}");
    // The contract: `webhooks[0].static[1].name: "app id" contains whitespace`.
    let contract = "webhooks[0].static[1].name: \"app id\" contains whitespace";
    assert!(p[1].to_string().starts_with(contract), "{}", p[1]);
    assert_eq!(
        p[1].message,
        "\"app id\" contains whitespace; use app_id or camelCase instead"
    );
    assert_eq!(
        p[0].to_string(),
        "webhooks[0].properties[0].as: \"user id\" contains whitespace; use user_id or camelCase instead"
    );
    let tab = doc(
        json!({}),
        json!({ "static": [{ "name": "a\tb", "value": 1 }] }),
    );
    assert!(only_problem(&tab).contains("contains whitespace; use a_b"));
}

#[test]
fn output_names_must_be_unique() {
    let d = doc(
        json!({}),
        json!({
            "properties": [{ "name": "user.id", "as": "who" }, { "name": "who" }, { "name": "page.url", "as": "who" }],
            "static": [{ "name": "k", "value": 1 }, { "name": "k", "value": 2 }]
        }),
    );
    let p = problems(&d);
    assert_eq!(
        p.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "webhooks[0].properties[1].name: \"who\" is already sent by webhooks[0].properties[0]; give one of them another name",
            "webhooks[0].properties[2].as: \"who\" is already sent by webhooks[0].properties[0]; give one of them another name",
            "webhooks[0].static[1].name: \"k\" is already the name of webhooks[0].static[0]",
        ]
    );
}

#[test]
fn timeout_and_attempts_must_be_in_range() {
    let at = |k: &str, v: serde_json::Value| only_problem(&doc(json!({ k: v }), json!({})));
    assert_eq!(
        at("timeoutMs", json!(50)),
        "destinations[0].timeoutMs: must be a whole number from 100 to 120000"
    );
    assert_eq!(
        at("timeoutMs", json!(120_001)),
        "destinations[0].timeoutMs: must be a whole number from 100 to 120000"
    );
    assert_eq!(
        at("maxAttempts", json!(0)),
        "destinations[0].maxAttempts: must be a whole number from 1 to 25"
    );
    assert_eq!(
        at("maxAttempts", json!(2.5)),
        "destinations[0].maxAttempts: must be a whole number from 1 to 25"
    );
    assert_eq!(
        at("maxAttempts", json!("3")),
        "destinations[0].maxAttempts: must be a number, not a string"
    );
    let s = valid(&doc(
        json!({ "timeoutMs": 100, "maxAttempts": 25 }),
        json!({}),
    ));
    assert_eq!(
        (s.destinations[0].timeout_ms, s.destinations[0].max_attempts),
        (100, 25)
    );
    let s = valid(&doc(
        json!({ "timeoutMs": 120_000, "maxAttempts": 1 }),
        json!({}),
    ));
    assert_eq!(
        (s.destinations[0].timeout_ms, s.destinations[0].max_attempts),
        (120_000, 1)
    );
}

#[test]
fn wrong_json_types_are_reported_at_their_path() {
    let cases: &[(serde_json::Value, serde_json::Value, &str)] = &[
        (json!({ "url": 5 }), json!({}), "destinations[0].url: must be text, not a number"),
        (json!({ "headers": {} }), json!({}), "destinations[0].headers: must be a list, not an object"),
        (json!({ "headers": ["X-A"] }), json!({}), "destinations[0].headers[0]: must be a header (an object), not a string"),
        (json!({ "method": "FETCH" }), json!({}), "destinations[0].method: \"FETCH\" is not a request type; use GET, POST, PUT, PATCH or DELETE"),
        (json!({ "method": 1 }), json!({}), "destinations[0].method: must be text (GET, POST, PUT, PATCH or DELETE), not a number"),
        (json!({ "mode": "fast" }), json!({}), "destinations[0].mode: \"fast\" is not a mode; use cors, simple or no-cors"),
        (json!({ "auth": { "type": "digest" } }), json!({}), "destinations[0].auth.type: \"digest\" is not an authentication type; use none, bearer, basic or oauth2"),
        (json!({ "auth": "bearer" }), json!({}), "destinations[0].auth: must be an auth setting (an object), not a string"),
        (json!({ "auth": { "type": "basic" } }), json!({}), "destinations[0].auth.username: is missing"),
        (json!({ "idempotencyHeader": "yes" }), json!({}), "destinations[0].idempotencyHeader: must be true or false, not a string"),
        (json!({}), json!({ "enabled": 1 }), "webhooks[0].enabled: must be true or false, not a number"),
        (json!({}), json!({ "event": "" }), "webhooks[0].event: is empty"),
        (json!({}), json!({ "id": null }), "webhooks[0].id: is missing"),
        (json!({}), json!({ "conditions": {} }), "webhooks[0].conditions: must be a list, not an object"),
        (json!({}), json!({ "conditions": [{ "property": "a" }] }), "webhooks[0].conditions[0].operator: is missing; use equals, contains, gt, exists, ..."),
        (json!({}), json!({ "conditions": [{ "property": "a", "operator": "exists", "join": "xor" }] }), "webhooks[0].conditions[0].join: must be \"and\" or \"or\", not \"xor\""),
        (json!({}), json!({ "conditions": [{ "property": "a", "operator": "exists", "ignoreCase": "no" }] }), "webhooks[0].conditions[0].ignoreCase: must be true or false, not a string"),
        (json!({}), json!({ "properties": "user.id" }), "webhooks[0].properties: must be a list, not a string"),
        (json!({}), json!({ "properties": [{ "as": "x" }] }), "webhooks[0].properties[0].name: is missing"),
        (json!({}), json!({ "static": [{ "value": 1 }] }), "webhooks[0].static[0].name: is missing"),
    ];
    for (dest, hook, want) in cases {
        assert_eq!(&only_problem(&doc(dest.clone(), hook.clone())), want);
    }
    let p = problems(&doc(
        json!({}),
        json!({ "conditions": [{ "property": "a", "operator": "eq" }] }),
    ));
    assert_eq!(
        message_at(&p, "webhooks[0].conditions[0].operator"),
        "\"eq\" is not an operator; use one of equals, not_equals, contains, not_contains, starts_with, ends_with, matches, gt, gte, lt, lte, exists, not_exists, in"
    );
}

#[test]
fn auth_rules() {
    let d = doc(
        json!({ "auth": { "type": "basic", "username": "a:b", "password": "p" } }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].auth.username: must not contain ':'"
    );
    let d = doc(
        json!({ "auth": { "type": "oauth2", "tokenUrl": "http://auth.example.com/token", "clientId": "c" } }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].auth.tokenUrl: must use https:// (plain http is only allowed for localhost and 127.0.0.1, not auth.example.com)"
    );
    let s = valid(&doc(
        json!({ "auth": { "type": "oauth2", "tokenUrl": "https://a/t", "clientId": "c", "scope": "" } }),
        json!({}),
    ));
    assert!(matches!(
        &s.destinations[0].auth,
        Auth::OAuth2 {
            scope: None,
            client_secret: None,
            ..
        }
    ));
}

#[test]
fn body_templates_are_checked() {
    let d = doc(
        json!({ "body": { "a": "{{user.id} answered", "b": ["{{}}"] } }),
        json!({}),
    );
    let p = problems(&d);
    assert_eq!(
        p.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "destinations[0].body.a: has a {{ without a closing }}",
            "destinations[0].body.b[0]: has an empty {{}} placeholder; put a property name inside",
        ]
    );
    let d = doc(
        json!({ "method": "GET", "body": "{{properties}}" }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].body: a GET request sends its body template as query parameters, so it must be an object"
    );
}

// --------------------------------------------------- all problems at once

#[test]
fn every_problem_is_listed_at_once_with_exact_paths() {
    let d = json!({
        "version": 1,
        "destinations": [
            { "id": "broken", "url": "https://ok.example.com", "mode": "fast" },
            { "id": "plain", "url": "http://example.com/hook",
              "headers": [{ "name": "Bad Name", "value": "x\ny" }] },
            { "id": "plain", "url": "https://example.com", "timeoutMs": 5 }
        ],
        "webhooks": [
            { "id": "a", "event": "survey.submitted", "destination": "broken" },
            { "id": "b", "event": "survey.sumbitted", "destination": "nowhere" },
            { "id": "c", "event": "menu.opened", "destination": "plain",
              "conditions": [
                  { "property": "x", "operator": "in", "value": "no list" },
                  { "property": "y", "operator": "gt", "value": { "n": 1 } }
              ],
              "static": [{ "name": "app id", "value": 1 }] },
            { "id": "d", "event": "menu.opened", "destination": "plain", "enabled": "yes" }
        ]
    });
    let p = problems(&d);
    let got: Vec<String> = p.iter().map(|p| p.path.clone()).collect();
    assert_eq!(
        got,
        [
            // Read errors first, in document order ...
            "destinations[0].mode",
            "destinations[2].timeoutMs",
            "webhooks[3].enabled",
            // ... then the rules, still at the paths of the document.
            "destinations[1].url",
            "destinations[1].headers[0].name",
            "destinations[1].headers[0].value",
            "destinations[2].id",
            "webhooks[1].event",
            "webhooks[1].destination",
            "webhooks[2].conditions[0].value",
            "webhooks[2].conditions[1].value",
            "webhooks[2].static[0].name",
        ],
        "{p:#?}"
    );
    // A webhook pointing at a destination that could not be read is not
    // also told that its destination is missing.
    assert!(!p.iter().any(|p| p.path == "webhooks[0].destination"));
    assert_eq!(
        message_at(&p, "destinations[2].id"),
        "\"plain\" is already the id of destinations[1]; ids must be unique"
    );
}

// ---------------------------------------------------------------- warnings

#[test]
fn published_secrets_are_warned_about() {
    let cases = [
        (
            json!({ "type": "bearer", "token": "t0k" }),
            "destinations[0].auth.token",
            "token",
        ),
        (
            json!({ "type": "basic", "username": "u", "password": "pw" }),
            "destinations[0].auth.password",
            "password",
        ),
        (
            json!({ "type": "oauth2", "tokenUrl": "https://a.example.com/t", "clientId": "c", "clientSecret": "s" }),
            "destinations[0].auth.clientSecret",
            "client secret",
        ),
    ];
    for (auth, path, what) in cases {
        let s = valid(&doc(json!({ "auth": auth }), json!({})));
        let w = validate::warnings(&s);
        assert_eq!(w.len(), 1, "{w:#?}");
        assert_eq!(
            w[0].to_string(),
            format!("{path}: this {what} is published to every visitor of the page; leave it out and let the token come from your own site (auth.tokenFrom) or call hooks.setTokenProvider(\"d1\", ...) from your app instead")
        );
    }
    // No secret published, nothing to warn about.
    let s = valid(&doc(json!({ "auth": { "type": "bearer" } }), json!({})));
    assert!(validate::warnings(&s).is_empty());
}

#[test]
fn known_hosts_say_what_a_browser_can_send_them() {
    // A mode the host does not take from a page: the fix is named.
    let cases = [
        (
            "https://hooks.slack.com/services/T/B/X",
            "simple",
            "Slack does not take cors mode from a page; use mode simple or no-cors",
        ),
        (
            "https://www.google-analytics.com/mp/collect?measurement_id=G-1",
            "no-cors",
            "Google Analytics 4 does not take cors mode from a page; use mode no-cors",
        ),
        (
            "https://hooks.zapier.com/hooks/catch/1/abc/",
            "no-cors",
            "Zapier does not take cors mode from a page; use mode no-cors",
        ),
    ];
    for (url, mode, want) in cases {
        let s = valid(&doc(json!({ "url": url }), json!({})));
        let w = validate::warnings(&s);
        let m = message_at(&w, "destinations[0].mode");
        assert!(m.starts_with(want), "{m}");
        assert_eq!(
            w.iter()
                .find(|p| p.path == "destinations[0].mode")
                .unwrap()
                .code
                .as_str(),
            "host_limit"
        );
        // In the mode the warning asks for, only the published URL is left to say.
        let s = valid(&doc(json!({ "url": url, "mode": mode }), json!({})));
        let w = validate::warnings(&s);
        assert_eq!(w.len(), 1, "{url} in {mode}: {w:#?}");
        assert!(
            message_at(&w, "destinations[0].url").contains("every visitor of the page can read it")
        );
    }
    // A body format the host does not take.
    let s = valid(&doc(
        json!({ "url": "https://api.mixpanel.com/track", "mode": "simple" }),
        json!({}),
    ));
    let m = message_at(&validate::warnings(&s), "destinations[0].format");
    assert!(
        m.starts_with("Mixpanel does not take a text body from a page; use format form"),
        "{m}"
    );
    // Services a page cannot send to at all.
    for url in [
        "https://contoso.webhook.office.com/webhookb2/x",
        "https://prod-1.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke",
        "https://discord.com/api/webhooks/1/abc",
        "https://heapanalytics.com/api/track",
    ] {
        let s = valid(&doc(json!({ "url": url }), json!({})));
        let m = message_at(&validate::warnings(&s), "destinations[0].url");
        assert!(m.contains("cannot be sent to from a browser"), "{url}: {m}");
    }
    let s = valid(&doc(
        json!({ "url": "https://api.example.com/in" }),
        json!({}),
    ));
    assert!(validate::warnings(&s).is_empty());
    // PostHog takes any of them, and its project key is public by design.
    for mode in ["cors", "simple", "no-cors"] {
        let s = valid(&doc(
            json!({ "url": "https://eu.i.posthog.com/i/v0/e/", "mode": mode }),
            json!({}),
        ));
        assert!(validate::warnings(&s).is_empty(), "{mode}");
    }
    // Amplitude needs JSON, so cors mode.
    let s = valid(&doc(
        json!({ "url": "https://api2.amplitude.com/2/httpapi", "mode": "simple" }),
        json!({}),
    ));
    let m = message_at(&validate::warnings(&s), "destinations[0].mode");
    assert!(
        m.starts_with("Amplitude does not take simple mode from a page; use mode cors"),
        "{m}"
    );
}

#[test]
fn a_bearer_token_with_a_line_break_is_refused() {
    let d = doc(
        json!({ "auth": { "type": "bearer", "token": "abc\r\nX-Evil: 1" } }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].auth.token: contains spaces, line breaks or characters a header cannot carry; paste the token alone"
    );
}

#[test]
fn batches_need_their_placeholder_and_post() {
    let d = doc(
        json!({ "batch": { "maxEvents": 5, "body": { "events": "all batches" } } }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].batch.body: has no \"{{batch}}\"; put it where the list of events goes, e.g. {\"events\": \"{{batch}}\"}"
    );
    let d = doc(
        json!({ "batch": { "body": { "events": "{{ batch | limit:3 }}" } } }),
        json!({}),
    );
    let s = valid(&d);
    assert_eq!(s.destinations[0].batch.as_ref().unwrap().max_events, 10);
    let d = doc(
        json!({ "method": "GET", "batch": { "body": { "events": "{{batch}}" } } }),
        json!({}),
    );
    assert_eq!(
        only_problem(&d),
        "destinations[0].batch: a GET request carries one event in its query; batches need POST"
    );
}

#[test]
fn formats_and_modes_agree_and_token_paths_stay_on_the_site() {
    let d = doc(json!({ "mode": "simple", "format": "json" }), json!({}));
    assert!(only_problem(&d).starts_with("destinations[0].format: a JSON body needs mode cors"));
    assert_eq!(
        valid(&doc(
            json!({ "mode": "simple", "format": "form" }),
            json!({})
        ))
        .destinations[0]
            .format
            .as_str(),
        "form"
    );
    assert_eq!(
        valid(&doc(json!({ "mode": "no-cors" }), json!({}))).destinations[0]
            .format
            .as_str(),
        "text",
        "text by default outside cors"
    );
    let d = doc(
        json!({ "auth": { "type": "bearer", "tokenFrom": "//evil.example/token" } }),
        json!({}),
    );
    assert!(only_problem(&d)
        .starts_with("destinations[0].auth.tokenFrom: must be a path on the page's own site"));
    valid(&doc(
        json!({ "auth": { "type": "bearer", "tokenFrom": "/api/walkme-token" } }),
        json!({}),
    ));
    let d = doc(json!({ "format": "xml" }), json!({}));
    assert_eq!(
        only_problem(&d),
        "destinations[0].format: \"xml\" is not a body format; use json, form, text"
    );
}

#[test]
fn player_event_rules_name_catalog_events() {
    let mut d = doc(json!({}), json!({}));
    d["playerEvents"] = json!([
        { "type": "MyEvent", "event": "survey.submited", "fields": { "a": "item.id" } },
        { "type": "SwtStarted", "via": "events.on", "event": null }
    ]);
    let p = problems(&d);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "playerEvents[0].event");
    assert_eq!(p[0].code.as_str(), "unknown_event");
    d["playerEvents"][0]["event"] = json!("survey.submitted");
    let s = valid(&d);
    assert_eq!(s.player_events.len(), 2);
    assert_eq!(s.player_events[1].event, None);
    d["playerEvents"][0]["via"] = json!("walkme_events");
    assert!(only_problem(&d)
        .starts_with("playerEvents[0].via: \"walkme_events\" is not a player channel"));
}
