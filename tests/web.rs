//! The Rust shell in real headless Chromium (`wasm-pack test --headless
//! --chrome`): the runtime's exports driven by hand against the loopback
//! receiver that the test command starts (`www/server.mjs`), and the parts
//! of the core that must agree with the browser checked against the
//! browser itself: the `matches` engine against `RegExp`, URL rendering
//! against `URL`, numbers against `String(n)`.
//!
//! The JavaScript half of the runtime (dispatcher, sender worker, storage,
//! player bridge, capture) is tested end to end through the built package
//! in `tests/e2e/`.
#![cfg(target_arch = "wasm32")]

use walkme_webhooks::core::event::Event;
use walkme_webhooks::core::regex::Regex;
use walkme_webhooks::core::template::{Scope, UrlTemplate};
use walkme_webhooks::core::value::Value;
use walkme_webhooks::runtime;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RECEIVER: &str = match option_env!("WMWH_RECEIVER") {
    Some(r) => r,
    None => "http://127.0.0.1:8787",
};

#[wasm_bindgen(inline_js = r#"
export function jsMatch(pattern, flags, text) {
  try { return new RegExp(pattern, flags).test(text) ? 1 : 0; } catch (_) { return 2; }
}
export function urlParts(u) {
  try { const x = new URL(u); return JSON.stringify([x.host, x.pathname]); } catch (_) { return ""; }
}
export function jsString(n) { return String(n); }
export function nowMs() { return performance.now(); }
export async function send(base, method, url, headers, body) {
  const h = {};
  for (let i = 0; i < headers.length; i += 2) h[headers[i]] = headers[i + 1];
  const r = await fetch(url, { method, headers: h, body: body ?? undefined, credentials: "omit" });
  return r.status;
}
export async function received(base, bucket) {
  const r = await fetch(base + "/api/requests?bucket=" + encodeURIComponent(bucket));
  return JSON.stringify(await r.json());
}
export async function clear(base, bucket) {
  await fetch(base + "/api/requests?bucket=" + encodeURIComponent(bucket), { method: "DELETE" });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = jsMatch)]
    fn js_match(pattern: &str, flags: &str, text: &str) -> u32;
    #[wasm_bindgen(js_name = urlParts)]
    fn url_parts(u: &str) -> String;
    #[wasm_bindgen(js_name = jsString)]
    fn js_string(n: f64) -> String;
    #[wasm_bindgen(js_name = nowMs)]
    fn now_ms() -> f64;
    async fn send(
        base: &str,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: Option<String>,
    ) -> JsValue;
    async fn received(base: &str, bucket: &str) -> JsValue;
    async fn clear(base: &str, bucket: &str);
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The patterns of the `matches` dialect, and texts to try them on. Every
/// pattern the core accepts compiles in JavaScript, and both agree on every
/// text (JavaScript without the `u` flag, as a page's RegExp).
#[wasm_bindgen_test]
fn the_matches_engine_agrees_with_javascript_regexp() {
    let patterns = [
        "^NPS$",
        "nps",
        "a.c",
        "^\\d{3}-\\d{4}$",
        "[a-c]+x",
        "[^a-c]x",
        "colou?r",
        "(?:ab|cd)+$",
        "^(?<word>\\w+)\\s",
        "\\bfoo\\b",
        "\\Boo",
        "x{2,}",
        "x{,2}",
        "[\\d.]+",
        "[-a]",
        "a|b|c",
        "^$",
        "",
        "\\.com$",
        "[A-Z]{2}\\d",
        "^https?://",
        "\\s+",
        "\\S",
        "\\W",
        "(a|aa)+$",
        "(a+)+$",
        "\\d*\\d*\\d*x",
        "(.*a){3}",
        "[\\]]",
        "\\x41",
        "\\u00e9",
        "a+?b",
        "^(a|b)*?c",
        "[^]",
        "[]",
        "\\t",
        "é+",
        "[à-ÿ]",
        "x\\{",
        "\\/",
    ];
    let texts = [
        "",
        "NPS",
        "nps score",
        "abc",
        "a\nc",
        "123-4567",
        "bbx",
        "dx",
        "color",
        "colour",
        "abcdab",
        "hello world",
        "a foo b",
        "foo",
        "xx",
        "x{,2}",
        "1.5",
        "-",
        "b",
        ".com",
        "AB1",
        "https://x",
        "  ",
        "aaaa!",
        "aaaa",
        "1111x",
        "1111",
        "banana",
        "]",
        "A",
        "é",
        "aab",
        "ababc",
        "\t",
        "ééé",
        "ü",
        "x{",
        "/",
        "ÀÉ",
        "a_b",
    ];
    for p in patterns {
        for (flags, ignore_case) in [("", false), ("i", true)] {
            let ours = Regex::new(p, ignore_case).unwrap_or_else(|e| panic!("{p}: {e:?}"));
            for t in texts {
                let js = js_match(p, flags, t);
                assert_ne!(js, 2, "{p} does not compile in JavaScript");
                assert_eq!(
                    u32::from(ours.is_match(t)),
                    js,
                    "/{p}/{flags} on {t:?}: ours vs RegExp"
                );
            }
        }
    }
}

/// Whatever the pattern, a match over the 512-character cap stays under
/// 5 ms in the browser (a backtracking engine takes seconds on these).
#[wasm_bindgen_test]
fn every_match_is_bounded_in_the_browser() {
    let texts = ["a".repeat(600) + "!", "1".repeat(600), "ab".repeat(300)];
    let patterns = [
        "(a|aa)+$",
        "\\d*\\d*\\d*x",
        "(?:a*b*c*d*e*f*g*){14}x",
        "(?:[a-z]?){100}(?:[a-z]?){100}(?:[a-z]?){40}x",
        "(.*a){20}$",
    ];
    for p in patterns {
        let re = Regex::new(p, false).unwrap_or_else(|e| panic!("{p}: {e:?}"));
        for t in &texts {
            re.is_match(t); // warm
            let start = now_ms();
            for _ in 0..5 {
                re.is_match(t);
            }
            let ms = (now_ms() - start) / 5.0;
            assert!(ms < 5.0, "{p} on {} chars: {ms} ms", t.len());
        }
    }
}

/// A value can never change where a request goes: checked with the
/// browser's own URL parser, not ours.
#[wasm_bindgen_test]
fn url_values_never_change_the_host_or_the_path_per_the_browser() {
    let hostile = [
        "..",
        ".",
        "%2e%2e",
        "a/../../b",
        "@evil.example",
        "//evil.example/x",
        "?a=b#c",
        "\\\\evil.example",
        "évil",
        "a b",
        "\r\nX: y",
        "%00",
        "http://evil.example",
    ];
    for t in [
        "https://api.example.com/u/{{v}}/x",
        "https://api.example.com/{{v}}",
        "https://api.example.com/a?q={{v}}",
    ] {
        let tpl = UrlTemplate::new(t).unwrap();
        for v in hostile {
            let event = Event::from_pairs(vec![("v".into(), Value::String(v.into()))]);
            let scope = Scope {
                event: &event,
                properties: &Value::Object(vec![]),
                batch: None,
            };
            let Ok(url) = tpl.render(&scope, &walkme_webhooks::core::host::NativeHost) else {
                // Refused: a dot segment. Only "." and ".." may be.
                assert!(matches!(v, "." | ".."), "{t} refused {v:?}");
                continue;
            };
            let parts = url_parts(&url);
            assert!(!parts.is_empty(), "{url} does not parse");
            let parts: (String, String) = serde_json::from_str(&parts).unwrap();
            assert_eq!(parts.0, "api.example.com", "{t} with {v:?}: {url}");
            // The browser keeps every path segment the template has.
            let segments = t.split('?').next().unwrap().matches('/').count();
            assert_eq!(
                parts.1.matches('/').count(),
                segments - 2,
                "{t} with {v:?}: {url}"
            );
        }
    }
}

/// Numbers are written as JavaScript writes them (the runtime asks `String(n)`).
#[wasm_bindgen_test]
fn numbers_read_and_write_as_javascript_does() {
    for n in [
        0.0,
        4.0,
        -12.0,
        1.5,
        0.1 + 0.2,
        1e21,
        1e20,
        1.5e-7,
        0.000001,
        1_700_000_000_000.0,
    ] {
        let mut out = String::new();
        walkme_webhooks::core::json::write_number(
            &mut out,
            n,
            &walkme_webhooks::core::host::NativeHost,
        );
        assert_eq!(out, js_string(n), "{n}");
    }
}

fn settings(bucket: &str) -> String {
    format!(
        r#"{{"version":1,"destinations":[{{"id":"d","url":"{RECEIVER}/hook/{bucket}","headers":[{{"name":"X-Team","value":"cs"}}],"idempotencyHeader":true}}],
        "webhooks":[{{"id":"w","event":"survey.submitted","destination":"d","properties":[{{"name":"user.id","as":"identity"}},{{"name":"answer.value"}}],
        "conditions":[{{"property":"answer.value","operator":"lte","value":6}}]}}]}}"#
    )
}

/// The runtime's exports, by hand: create, emit, poll, the Send effect
/// carried out with fetch, the answer handed back; the receiver got the
/// exact body; the effects report the delivery and remove its record.
#[wasm_bindgen_test]
async fn the_runtime_exports_deliver_through_the_receiver() {
    let bucket = "web-exports";
    clear(RECEIVER, bucket).await;
    let created = json(&runtime::create(
        &settings(bucket),
        "{}",
        42.0,
        now_ms(),
        1.7e12,
    ));
    let h = created["h"].as_u64().expect("a handle") as u32;
    let wall = 1.7e12;
    runtime::call(h, 9, r#"["u-42",{}]"#, 0.0, 0.0, now_ms(), wall);
    assert!(runtime::wants(h, "survey.submitted"));
    assert!(!runtime::wants(h, "menu.opened"));
    assert_eq!(
        runtime::emit(
            h,
            "survey.submitted",
            r#"{"event.id":"e-1","answer.value":4}"#,
            now_ms(),
            wall
        ),
        1
    );
    assert_eq!(
        runtime::emit(
            h,
            "survey.submitted",
            r#"{"answer.value":9}"#,
            now_ms(),
            wall
        ),
        0
    );
    let out = json(&runtime::call(h, 0, "", 0.0, 0.0, now_ms(), wall));
    let effects = out["e"].as_array().unwrap();
    assert!(
        effects.iter().any(|e| e[0] == 1 && e[1] == "e-1:w"),
        "stored first: {out}"
    );
    let send_fx = effects.iter().find(|e| e[0] == 0).expect("a send");
    let headers: Vec<String> = send_fx[4]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        headers
            .windows(2)
            .any(|w| w[0] == "Idempotency-Key" && w[1] == "e-1:w"),
        "{headers:?}"
    );
    let status = send(
        RECEIVER,
        send_fx[2].as_str().unwrap(),
        send_fx[3].as_str().unwrap(),
        headers,
        send_fx[5].as_str().map(str::to_string),
    )
    .await
    .as_f64()
    .unwrap();
    let out = json(&runtime::call(
        h,
        1,
        "",
        send_fx[1].as_f64().unwrap(),
        status,
        now_ms(),
        wall,
    ));
    let effects = out["e"].as_array().unwrap();
    assert!(
        effects.iter().any(|e| e[0] == 2 && e[1] == "e-1:w"),
        "record removed: {out}"
    );
    let report = effects.iter().find(|e| e[0] == 3).expect("a report");
    assert_eq!(report[1]["outcome"], "delivered");
    assert_eq!(out["idle"], true);
    assert_eq!(out["stored"], 0);
    let got = json(&received(RECEIVER, bucket).await.as_string().unwrap());
    assert_eq!(got.as_array().unwrap().len(), 1);
    assert_eq!(got[0]["body"], r#"{"identity":"u-42","answer.value":4}"#);
    let stats = json(&runtime::call(h, 13, "", 0.0, 0.0, now_ms(), wall));
    assert_eq!(
        (stats["matched"].as_u64(), stats["delivered"].as_u64()),
        (Some(1), Some(1))
    );
    runtime::call(h, 14, "", 0.0, 0.0, now_ms(), wall);
    assert_eq!(
        runtime::emit(h, "survey.submitted", "{}", now_ms(), wall),
        0,
        "stopped"
    );
}

/// Invalid settings: the runtime answers every problem with its path, its
/// code and a short message; update keeps the settings it had.
#[wasm_bindgen_test]
fn the_runtime_refuses_invalid_settings_with_codes() {
    let bad = r#"{"version":1,"destinations":[{"id":"d","url":"http://example.com/x"}],"webhooks":[{"id":"w","event":"survey.sumbitted","destination":"d"}]}"#;
    let out = json(&runtime::create(bad, "{}", 1.0, now_ms(), 1.7e12));
    let errors = out["errors"].as_array().expect("errors");
    let seen: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("destinations[0].url", "bad_url"),
            ("webhooks[0].event", "unknown_event")
        ]
    );
    assert_eq!(errors[1]["message"], "is not an event of the catalog");
    let h = json(&runtime::create(
        &settings("web-update"),
        "{}",
        1.0,
        now_ms(),
        1.7e12,
    ))["h"]
        .as_u64()
        .unwrap() as u32;
    let out = json(&runtime::call(h, 12, bad, 0.0, 0.0, now_ms(), 1.7e12));
    assert_eq!(out["errors"].as_array().unwrap().len(), 2);
    assert!(
        runtime::wants(h, "survey.submitted"),
        "the old settings stay"
    );
    let out = json(&runtime::call(
        h,
        12,
        "not json",
        0.0,
        0.0,
        now_ms(),
        1.7e12,
    ));
    assert_eq!(out["errors"][0]["code"], "invalid_json");
    runtime::call(h, 14, "", 0.0, 0.0, now_ms(), 1.7e12);
}
