//! The module in real headless Chromium (`wasm-pack test --headless --chrome`),
//! against the real loopback receiver that the test command starts
//! (`www/server.mjs`, port 8787). Each test asserts what the receiver got.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use walkme_webhooks::{catalog, validate, Runtime};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RECEIVER: &str = match option_env!("WMWH_RECEIVER") {
    Some(r) => r,
    None => "http://127.0.0.1:8787",
};

#[wasm_bindgen(inline_js = r#"
export async function received(base, bucket) {
  const r = await fetch(base + "/api/requests?bucket=" + encodeURIComponent(bucket));
  return r.json();
}
export async function clear(base, bucket) {
  await fetch(base + "/api/requests?bucket=" + encodeURIComponent(bucket), { method: "DELETE" });
}
export async function oauth(base, method, query) {
  const r = await fetch(base + "/api/oauth" + (query || ""), { method });
  return r.json();
}
export async function receiverStats(base) { return (await fetch(base + "/api/stats")).json(); }
export function parse(s) { return JSON.parse(s); }
export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
export function clearStorage() { localStorage.clear(); }
export function storedText() { return Object.keys(localStorage).filter((k) => k.startsWith("wmwh1:")).map((k) => localStorage.getItem(k)).join("\n"); }
export function dispatch(type, props) {
  window.dispatchEvent(new CustomEvent("walkme:event", { detail: { type, properties: props } }));
}
export function addHtml(html) {
  const div = document.createElement("div");
  div.innerHTML = html;
  document.body.append(div);
  return div;
}
export function click(selector) { document.querySelector(selector).click(); }
export function typeInto(selector, text) {
  const el = document.querySelector(selector);
  el.focus();
  el.value = text;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
}
export function header(req, name) { return req.headers[name.toLowerCase()] ?? null; }
"#)]
extern "C" {
    async fn received(base: &str, bucket: &str) -> JsValue;
    async fn clear(base: &str, bucket: &str);
    async fn oauth(base: &str, method: &str, query: &str) -> JsValue;
    async fn receiverStats(base: &str) -> JsValue;
    fn parse(s: &str) -> JsValue;
    async fn sleep(ms: u32);
    fn clearStorage();
    fn storedText() -> String;
    fn dispatch(kind: &str, props: JsValue);
    fn addHtml(html: &str) -> web_sys_like::Element;
    fn click(selector: &str);
    fn typeInto(selector: &str, text: &str);
    fn header(req: &JsValue, name: &str) -> Option<String>;
}

mod web_sys_like {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen]
    extern "C" {
        pub type Element;
        #[wasm_bindgen(method)]
        pub fn remove(this: &Element);
    }
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or(f64::NAN)
}

/// Settings with `{R}` replaced by the receiver's base URL.
fn settings(json: &str) -> JsValue {
    parse(&json.replace("{R}", RECEIVER))
}

fn options(json: &str) -> JsValue {
    parse(json)
}

async fn start(json: &str, opts: &str) -> Runtime {
    clearStorage();
    Runtime::new(settings(json), options(opts)).expect("valid settings")
}

async fn flush(rt: &Runtime) {
    JsFuture::from(rt.flush()).await.unwrap();
}

async fn requests(bucket: &str) -> Vec<JsValue> {
    Array::from(&received(RECEIVER, bucket).await)
        .iter()
        .collect()
}

/// Polls the receiver until `n` requests arrived in `bucket` (or 10 s).
async fn wait_for(bucket: &str, n: usize) -> Vec<JsValue> {
    for _ in 0..200 {
        let r = requests(bucket).await;
        if r.len() >= n {
            return r;
        }
        sleep(50).await;
    }
    requests(bucket).await
}

fn reports(rt: &Runtime) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let f = Closure::<dyn Fn(JsValue)>::new(move |r: JsValue| s.borrow_mut().push(r));
    rt.on_delivery(f.into_js_value().unchecked_into());
    seen
}

fn one_destination(bucket: &str, dest_extra: &str, webhook_extra: &str) -> String {
    format!(
        r#"{{"version":1,
        "destinations":[{{"id":"d","url":"{{R}}/hook/{bucket}"{dest_extra}}}],
        "webhooks":[{{"id":"w","event":"survey.submitted","destination":"d"{webhook_extra}}}]}}"#
    )
}

#[wasm_bindgen_test]
fn catalog_lists_the_32_events_with_properties() {
    let list = Array::from(&catalog());
    assert_eq!(list.length(), 32);
    let first = list.get(0);
    assert_eq!(text(&first, "id"), "swt.step_played");
    assert_eq!(text(&first, "group"), "Smart Walk-Thru");
    let props = Array::from(&get(&first, "properties"));
    assert!(props
        .iter()
        .any(|p| text(&p, "name") == "step.index" && text(&p, "type") == "number"));
}

#[wasm_bindgen_test]
fn validate_lists_every_problem_with_its_path() {
    let v = validate(settings(
        r#"{"version":1,"destinations":[{"id":"d","url":"http://example.com/x","headers":[{"name":"X Bad","value":"a\r\nb"}]}],
        "webhooks":[{"id":"w","event":"survey.sumbitted","destination":"nope","static":[{"name":"app id","value":1}],
        "conditions":[{"property":"a","operator":"matches","value":"(["}]}]}"#,
    ));
    assert_eq!(get(&v, "ok").as_bool(), Some(false));
    let errors: Vec<(String, String)> = Array::from(&get(&v, "errors"))
        .iter()
        .map(|e| (text(&e, "path"), text(&e, "message")))
        .collect();
    let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
    for want in [
        "destinations[0].url",
        "destinations[0].headers[0].name",
        "destinations[0].headers[0].value",
        "webhooks[0].event",
        "webhooks[0].destination",
        "webhooks[0].conditions[0].value",
        "webhooks[0].static[0].name",
    ] {
        assert!(paths.contains(&want), "missing {want} in {errors:?}");
    }
    let event = errors
        .iter()
        .find(|(p, _)| p == "webhooks[0].event")
        .unwrap();
    assert!(
        event.1.contains("did you mean \"survey.submitted\""),
        "{}",
        event.1
    );
    let st = errors
        .iter()
        .find(|(p, _)| p == "webhooks[0].static[0].name")
        .unwrap();
    assert!(
        st.1.starts_with("\"app id\" contains whitespace"),
        "{}",
        st.1
    );
    // JavaScript's RegExp decides what compiles (the product's dialect).
    let js_only = validate(settings(
        r#"{"version":1,"destinations":[{"id":"d","url":"https://x.io"}],
        "webhooks":[{"id":"w","event":"dxa.click","destination":"d","conditions":[{"property":"element.text","operator":"matches","value":"(?<=Buy )now"}]}]}"#,
    ));
    assert_eq!(
        get(&js_only, "ok").as_bool(),
        Some(true),
        "look-behind is valid JavaScript"
    );
}

#[wasm_bindgen_test]
async fn start_refuses_invalid_settings_and_update_keeps_the_old_ones() {
    clearStorage();
    let err = Runtime::new(settings(r#"{"version":2}"#), JsValue::UNDEFINED)
        .err()
        .expect("refused");
    let list = Array::from(&err);
    assert_eq!(text(&list.get(0), "path"), "version");
    let bucket = "w-update";
    clear(RECEIVER, bucket).await;
    let rt = start(&one_destination(bucket, "", ""), "{}").await;
    let bad = rt.update(settings(
        r#"{"version":1,"webhooks":[{"id":"w","event":"nope","destination":"x"}]}"#,
    ));
    let problems = Array::from(&bad.expect_err("refused"));
    assert!(problems.length() >= 2);
    assert_eq!(
        rt.emit("survey.submitted", parse(r#"{"answer.value":1}"#)),
        1,
        "still on the old settings"
    );
    flush(&rt).await;
    assert_eq!(wait_for(bucket, 1).await.len(), 1);
    rt.stop();
}

#[wasm_bindgen_test]
async fn post_cors_json_with_headers_bearer_selection_rename_and_static() {
    let bucket = "w-post";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &one_destination(
            bucket,
            r#","auth":{"type":"bearer","token":"t0k"},"headers":[{"name":"X-Team","value":"cs"}],"idempotencyHeader":true"#,
            r#","properties":[{"name":"user.id","as":"identity"},{"name":"answer.value"}],"static":[{"name":"app_id","value":"3742"}],
               "conditions":[{"property":"survey.name","operator":"equals","value":"nps","ignoreCase":true},{"property":"answer.value","operator":"lte","value":6}]"#,
        ),
        "{}",
    )
    .await;
    rt.identify(Some("u-42".into()), parse(r#"{"role":"admin"}"#));
    assert_eq!(
        rt.emit(
            "survey.submitted",
            parse(r#"{"event.id":"e-1","survey.name":"NPS","answer.value":4}"#)
        ),
        1
    );
    assert_eq!(
        rt.emit(
            "survey.submitted",
            parse(r#"{"survey.name":"NPS","answer.value":9}"#)
        ),
        0,
        "condition fails"
    );
    assert_eq!(rt.emit("survey.dismissed", parse("{}")), 0, "other event");
    flush(&rt).await;
    let got = wait_for(bucket, 1).await;
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(text(r, "method"), "POST");
    assert_eq!(text(r, "path"), "/hook/w-post");
    assert_eq!(
        text(r, "body"),
        r#"{"identity":"u-42","answer.value":4,"app_id":"3742"}"#
    );
    assert_eq!(
        header(r, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(header(r, "authorization").as_deref(), Some("Bearer t0k"));
    assert_eq!(header(r, "x-team").as_deref(), Some("cs"));
    assert_eq!(header(r, "idempotency-key").as_deref(), Some("e-1:w"));
    assert_eq!(header(r, "cookie"), None, "credentials are never sent");
    let stats = rt.stats();
    assert_eq!(num(&stats, "matched"), 1.0);
    assert_eq!(num(&stats, "delivered"), 1.0);
    assert_eq!(num(&stats, "queued"), 0.0);
    assert_eq!(num(&stats, "stored"), 0.0, "nothing left in storage");
    rt.stop();
}

#[wasm_bindgen_test]
async fn basic_auth_put_and_get_with_query() {
    let bucket = "w-basic";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &format!(
            r#"{{"version":1,"destinations":[
              {{"id":"put","method":"PUT","url":"{{R}}/hook/{bucket}/put","auth":{{"type":"basic","username":"Aladdin","password":"open sesame"}}}},
              {{"id":"get","method":"GET","url":"{{R}}/hook/{bucket}/get?src=wm"}}],
            "webhooks":[
              {{"id":"a","event":"menu.searched","destination":"put","properties":[{{"name":"menu.query","as":"q"}}]}},
              {{"id":"b","event":"menu.searched","destination":"get","properties":[{{"name":"menu.query","as":"q"}},{{"name":"menu.results"}}]}}]}}"#
        ),
        "{}",
    )
    .await;
    assert_eq!(
        rt.emit(
            "menu.searched",
            parse(r#"{"menu.query":"reset password & co","menu.results":3}"#)
        ),
        2
    );
    flush(&rt).await;
    let got = wait_for(bucket, 2).await;
    let put = got
        .iter()
        .find(|r| text(r, "method") == "PUT")
        .expect("PUT arrived");
    assert_eq!(
        header(put, "authorization").as_deref(),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    );
    assert_eq!(text(put, "body"), r#"{"q":"reset password & co"}"#);
    let getr = got
        .iter()
        .find(|r| text(r, "method") == "GET")
        .expect("GET arrived");
    assert_eq!(
        text(getr, "rawQuery"),
        "?src=wm&q=reset%20password%20%26%20co&menu.results=3"
    );
    assert_eq!(text(getr, "body"), "");
    rt.stop();
}

#[wasm_bindgen_test]
async fn simple_mode_sends_text_plain_without_preflight_and_no_cors_counts_as_sent() {
    let bucket = "w-modes";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &format!(
            r#"{{"version":1,"destinations":[
              {{"id":"simple","url":"{{R}}/hook/{bucket}/simple","mode":"simple","body":{{"text":"{{{{user.id}}}} answered {{{{answer.value}}}}"}}}},
              {{"id":"opaque","url":"{{R}}/hook/{bucket}/opaque?cors=0","mode":"no-cors"}}],
            "webhooks":[
              {{"id":"s","event":"survey.submitted","destination":"simple"}},
              {{"id":"o","event":"survey.submitted","destination":"opaque","properties":["answer.value"]}}]}}"#
        ),
        "{}",
    )
    .await;
    let seen = reports(&rt);
    rt.identify(Some("u-7".into()), JsValue::UNDEFINED);
    assert_eq!(
        rt.emit("survey.submitted", parse(r#"{"answer.value":10}"#)),
        2
    );
    flush(&rt).await;
    let got = wait_for(bucket, 2).await;
    let simple = got
        .iter()
        .find(|r| text(r, "path").ends_with("/simple"))
        .unwrap();
    assert_eq!(
        header(simple, "content-type").as_deref(),
        Some("text/plain;charset=UTF-8")
    );
    assert_eq!(text(simple, "body"), r#"{"text":"u-7 answered 10"}"#);
    let opaque = got
        .iter()
        .find(|r| text(r, "path").ends_with("/opaque"))
        .unwrap();
    assert_eq!(text(opaque, "body"), r#"{"answer.value":10}"#);
    let preflights = Array::from(&get(&receiverStats(RECEIVER).await, "preflightPaths"));
    assert!(
        !preflights.iter().any(|p| p
            .as_string()
            .unwrap_or_default()
            .starts_with("/hook/w-modes")),
        "no preflight for simple/no-cors"
    );
    let outcomes: Vec<(String, String)> = seen
        .borrow()
        .iter()
        .map(|r| (text(r, "webhookId"), text(r, "outcome")))
        .collect();
    assert!(
        outcomes.contains(&("s".into(), "delivered".into())),
        "{outcomes:?}"
    );
    let errors: Vec<String> = seen.borrow().iter().map(|r| text(r, "error")).collect();
    assert!(
        outcomes.contains(&("o".into(), "sent".into())),
        "{outcomes:?} {errors:?}"
    );
    let stats = rt.stats();
    assert_eq!(num(&stats, "opaque"), 1.0);
    assert_eq!(num(&stats, "delivered"), 1.0);
    rt.stop();
}

#[wasm_bindgen_test]
async fn oauth2_token_is_fetched_once_for_many_events_and_again_after_a_401() {
    let bucket = "w-oauth";
    clear(RECEIVER, bucket).await;
    oauth(RECEIVER, "DELETE", "").await;
    let rt = start(
        &one_destination(
            bucket,
            r#","url":"{R}/hook/w-oauth?auth=oauth","auth":{"type":"oauth2","tokenUrl":"{R}/oauth/token?secret=s3","clientId":"cid","clientSecret":"s3","scope":"events"}"#,
            r#","properties":["answer.value"]"#,
        ),
        "{}",
    )
    .await;
    for i in 0..3 {
        rt.emit(
            "survey.submitted",
            parse(&format!(r#"{{"answer.value":{i}}}"#)),
        );
    }
    flush(&rt).await;
    let got = wait_for(bucket, 3).await;
    assert_eq!(got.len(), 3);
    assert!(got
        .iter()
        .all(|r| header(r, "authorization").as_deref() == Some("Bearer tok-1")));
    let o = oauth(RECEIVER, "GET", "").await;
    assert_eq!(num(&o, "hits"), 1.0, "one token request for three events");
    assert_eq!(
        text(&o, "lastBody"),
        "grant_type=client_credentials&client_id=cid&client_secret=s3&scope=events"
    );
    // The token is revoked at the destination: the next request gets a 401,
    // the module fetches a new token once and sends again.
    oauth(RECEIVER, "POST", "?revoke=1").await;
    rt.emit("survey.submitted", parse(r#"{"answer.value":9}"#));
    flush(&rt).await;
    let got = wait_for(bucket, 5).await;
    let last = got.last().unwrap();
    assert_eq!(
        header(last, "authorization").as_deref(),
        Some("Bearer tok-2")
    );
    assert_eq!(get(last, "status").as_f64(), Some(200.0));
    assert_eq!(num(&oauth(RECEIVER, "GET", "").await, "hits"), 2.0);
    assert_eq!(num(&rt.stats(), "delivered"), 4.0);
    assert!(!storedText().contains("s3"), "no secret in storage");
    rt.stop();
}

#[wasm_bindgen_test]
async fn host_token_provider_supplies_the_bearer_token() {
    let bucket = "w-provider";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &one_destination(bucket, r#","auth":{"type":"bearer"}"#, ""),
        "{}",
    )
    .await;
    let provider =
        Closure::<dyn Fn(JsValue) -> JsValue>::new(|_dest: JsValue| JsValue::from_str("from-host"));
    rt.set_token_provider("d", Some(provider.into_js_value().unchecked_into()));
    rt.emit("survey.submitted", parse("{}"));
    flush(&rt).await;
    let got = wait_for(bucket, 1).await;
    assert_eq!(
        header(&got[0], "authorization").as_deref(),
        Some("Bearer from-host")
    );
    rt.stop();
}

#[wasm_bindgen_test]
async fn walkme_event_custom_events_reach_the_webhooks() {
    let bucket = "w-custom";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &format!(
            r#"{{"version":1,"destinations":[{{"id":"d","url":"{{R}}/hook/{bucket}"}}],
            "webhooks":[{{"id":"w","event":"shoutout.action_clicked","destination":"d","properties":["item.name","action.text","event.type","event.name"]}}]}}"#
        ),
        "{}",
    )
    .await;
    dispatch(
        "shoutout.action_clicked",
        parse(r#"{"item.name":"Spring promo","action.text":"Learn more"}"#),
    );
    flush(&rt).await;
    let got = wait_for(bucket, 1).await;
    assert_eq!(
        text(&got[0], "body"),
        r#"{"item.name":"Spring promo","action.text":"Learn more","event.type":"shoutout.action_clicked","event.name":"ShoutOut Action Clicked"}"#
    );
    rt.stop();
}

#[wasm_bindgen_test]
async fn dxa_click_and_inputs_without_password_values() {
    let bucket = "w-dxa";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &format!(
            r#"{{"version":1,"captureInputValues":true,"destinations":[{{"id":"d","url":"{{R}}/hook/{bucket}"}}],
            "webhooks":[
              {{"id":"c","event":"dxa.click","destination":"d","properties":["element.tag","element.id","element.text","element.classes","element.path"]}},
              {{"id":"i","event":"dxa.input","destination":"d","properties":["input.name","input.type","input.value","input.empty"]}}]}}"#
        ),
        r#"{"autoCapture":true,"playerEvents":false}"#,
    )
    .await;
    let html = addHtml(
        r#"<form id="f"><button type="button" id="buy" class="btn primary"> Buy  now </button>
        <input id="email" name="email" type="email"><input id="pw" name="password" type="password"></form>"#,
    );
    click("#buy");
    typeInto("#email", "ada@example.com");
    typeInto("#pw", "hunter2");
    flush(&rt).await;
    let got = wait_for(bucket, 3).await;
    let bodies: Vec<String> = got.iter().map(|r| text(r, "body")).collect();
    assert!(
        bodies.contains(&r#"{"element.tag":"button","element.id":"buy","element.text":"Buy now","element.classes":["btn","primary"],"element.path":"button#buy"}"#.to_string()),
        "{bodies:?}"
    );
    assert!(bodies.contains(&r#"{"input.name":"email","input.type":"email","input.value":"ada@example.com","input.empty":false}"#.to_string()), "{bodies:?}");
    assert!(
        bodies.contains(
            &r#"{"input.name":"password","input.type":"password","input.empty":false}"#.to_string()
        ),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().all(|b| !b.contains("hunter2")),
        "a password never leaves the page"
    );
    html.remove();
    rt.stop();
}

#[wasm_bindgen_test]
async fn a_503_is_retried_with_the_same_key_and_delivered() {
    let bucket = "w-retry";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &one_destination(
            bucket,
            r#","url":"{R}/hook/w-retry?fail=1&retryAfter=0","idempotencyHeader":true"#,
            "",
        ),
        "{}",
    )
    .await;
    let seen = reports(&rt);
    rt.emit("survey.submitted", parse(r#"{"event.id":"e-r"}"#));
    flush(&rt).await;
    let got = wait_for(bucket, 2).await;
    assert_eq!(got.len(), 2);
    assert_eq!(get(&got[0], "status").as_f64(), Some(503.0));
    assert_eq!(get(&got[1], "status").as_f64(), Some(200.0));
    assert!(got
        .iter()
        .all(|r| header(r, "idempotency-key").as_deref() == Some("e-r:w")));
    flush(&rt).await;
    let outcomes: Vec<String> = seen.borrow().iter().map(|r| text(r, "outcome")).collect();
    assert_eq!(outcomes, ["retry", "delivered"]);
    assert_eq!(num(&seen.borrow()[1], "attempt"), 2.0);
    rt.stop();
}

#[wasm_bindgen_test]
async fn hashed_properties_leave_the_page_as_sha256() {
    let bucket = "w-hash";
    clear(RECEIVER, bucket).await;
    let rt = start(
        &one_destination(
            bucket,
            "",
            r#","properties":[{"name":"user.email","as":"email_sha256","hash":true},{"name":"user.id","hash":true}]"#,
        ),
        "{}",
    )
    .await;
    rt.identify(
        Some("u-42".into()),
        parse(r#"{"email":" Ada@Example.com "}"#),
    );
    rt.emit("survey.submitted", parse("{}"));
    flush(&rt).await;
    let got = wait_for(bucket, 1).await;
    let body = text(&got[0], "body");
    assert_eq!(
        body,
        format!(r#"{{"email_sha256":"{EMAIL_SHA256}","user.id":"{U42_SHA256}"}}"#)
    );
    assert!(!body.contains("Ada") && !body.contains("u-42"));
    rt.stop();
}

/// sha256("ada@example.com"): e-mail-like values are trimmed and lower-cased first.
const EMAIL_SHA256: &str = "b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72";
/// sha256("u-42").
const U42_SHA256: &str = "16ec525b74b75626eb93ecad8acc749885fcf4e83c95b139342769a4ab1828a3";
