//! The editor module's exports: what the editor page, tests and tools load
//! (visitors never do). Full validation with every message, path and code,
//! the catalog with descriptions and properties, the JSON Schema, the
//! destination presets, a preview of the exact request a webhook would send
//! (with each condition row's result), and publishing.
//!
//! Structured results cross with `serde-wasm-bindgen`; the editor's own
//! requests (publish with `If-Match`, the CORS probe) go through `gloo-net`.
//! Settings come in as JSON text (the page's `JSON.stringify`), read by the
//! same reader as the runtime's, in the editor's wording.

extern crate std;

use crate::core::catalog;
use crate::core::condition::Conditions;
use crate::core::event::Event;
use crate::core::host::NativeHost;
use crate::core::json;
use crate::core::prelude::*;
use crate::core::problem::Problem;
use crate::core::request::{self, Compiled};
use crate::core::settings::{Operator, Settings};
use crate::core::template;
use crate::core::validate;
use crate::core::value::Value;
use gloo_net::http::Request;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{RequestCache, RequestCredentials, RequestMode, RequestRedirect};

fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

#[derive(Serialize)]
struct Validation {
    ok: bool,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

/// Checks settings (JSON text): `{ ok, errors: [{ path, code, message }], warnings }`.
#[wasm_bindgen]
pub fn validate(settings: &str) -> JsValue {
    let v = match Settings::from_json(settings, &NativeHost) {
        Ok(s) => Validation {
            ok: true,
            errors: Vec::new(),
            warnings: validate::warnings(&s),
        },
        Err(errors) => Validation {
            ok: false,
            errors,
            warnings: Vec::new(),
        },
    };
    to_js(&v)
}

#[derive(Serialize)]
struct CatalogProperty {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct CatalogEvent {
    id: &'static str,
    group: &'static str,
    name: &'static str,
    description: &'static str,
    properties: Vec<CatalogProperty>,
}

/// The event catalog: `[{ id, group, name, description, properties: [{ name, type }] }]`.
#[wasm_bindgen]
pub fn catalog() -> JsValue {
    let events: Vec<CatalogEvent> = catalog::EVENTS
        .iter()
        .map(|e| CatalogEvent {
            id: e.id,
            group: e.group,
            name: e.name,
            description: e.description,
            properties: e
                .properties()
                .map(|(n, k)| CatalogProperty {
                    name: n,
                    kind: k.name(),
                })
                .collect(),
        })
        .collect();
    to_js(&events)
}

/// The condition operators, in the editor's order: `[{ id, takesValue }]`.
#[wasm_bindgen]
pub fn operators() -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Op {
        id: &'static str,
        takes_value: bool,
    }
    let ops: Vec<Op> = Operator::ALL
        .iter()
        .map(|(o, id)| Op {
            id,
            takes_value: o.takes_value(),
        })
        .collect();
    to_js(&ops)
}

/// The template filters (`{{x | filter}}`).
#[wasm_bindgen]
pub fn filters() -> JsValue {
    to_js(&template::FILTERS)
}

/// The destination presets (`presets/presets.json`): each with its `id`,
/// `name`, `docs` link, whether and why it works from a browser, the
/// `fields` a user fills in (which are secrets) and the `destination` they
/// produce (`{{field:key}}` marks where a field goes).
#[wasm_bindgen]
pub fn presets() -> JsValue {
    let v =
        json::parse(include_str!("../../presets/presets.json"), &NativeHost).unwrap_or(Value::Null);
    to_js(&v)
}

/// The JSON Schema of settings v1.
#[wasm_bindgen]
pub fn schema() -> JsValue {
    let v = json::parse(
        include_str!("../../schema/settings-v1.schema.json"),
        &NativeHost,
    )
    .unwrap_or(Value::Null);
    to_js(&v)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PreviewRequest {
    method: &'static str,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    mode: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Preview {
    ok: bool,
    /// Each condition row's result, in order.
    conditions: Vec<bool>,
    matched: bool,
    request: Option<PreviewRequest>,
    error: Option<String>,
    errors: Vec<Problem>,
}

/// The exact request webhook `webhook_id` of `settings` (JSON text) would
/// send for an event with `properties` (JSON text), built by the same code
/// as the runtime's, secrets masked; and each condition row's result.
#[wasm_bindgen]
pub fn preview(settings: &str, webhook_id: &str, properties: &str) -> JsValue {
    let mut out = Preview {
        ok: false,
        conditions: Vec::new(),
        matched: false,
        request: None,
        error: None,
        errors: Vec::new(),
    };
    let s = match Settings::from_json(settings, &NativeHost) {
        Ok(s) => s,
        Err(errors) => {
            out.errors = errors;
            return to_js(&out);
        }
    };
    let Some(w) = s.webhook(webhook_id) else {
        out.error = Some(format!("no webhook has the id \"{webhook_id}\""));
        return to_js(&out);
    };
    let Some(d) = s.destination(&w.destination) else {
        out.error = Some(format!("no destination has the id \"{}\"", w.destination));
        return to_js(&out);
    };
    let mut pairs = match json::parse(properties, &NativeHost) {
        Ok(Value::Object(p)) => p,
        _ => Vec::new(),
    };
    let index = catalog::index(&w.event).unwrap_or(0);
    let defaults: [(&str, Value); 4] = [
        ("event.id", "preview-event".into()),
        ("event.type", catalog::IDS[index].into()),
        ("event.name", catalog::NAMES[index].into()),
        (
            "event.timestamp",
            Value::Number(js_sys::Date::now().floor()),
        ),
    ];
    for (k, v) in defaults {
        if !pairs.iter().any(|(n, _)| n == k) {
            pairs.push((k.to_string(), v));
        }
    }
    let event = Event::from_pairs(pairs);
    let conditions =
        Conditions::compile(&w.conditions, &NativeHost).unwrap_or_else(|_| Conditions::never());
    out.conditions = conditions.rows(&event, &NativeHost);
    out.matched = conditions.test(&event, &NativeHost);
    let key = format!("preview-event:{}", w.id);
    match request::build(d, &Compiled::new(d), &[(w, &event)], &key, &NativeHost) {
        Ok(mut r) => {
            if let Ok(Some(a)) = crate::core::auth::authorization(&d.auth, None) {
                r.headers.push(("Authorization".into(), a));
            }
            out.ok = true;
            out.request = Some(PreviewRequest {
                method: r.method.as_str(),
                url: crate::core::auth::mask_url(&r.url),
                headers: r
                    .headers
                    .iter()
                    .map(|(n, v)| (n.clone(), crate::core::auth::mask(n, v)))
                    .collect(),
                body: r.body,
                mode: d.mode.as_str(),
            });
        }
        Err(why) => out.error = Some(why.to_string()),
    }
    to_js(&out)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Published {
    ok: bool,
    status: u16,
    etag: Option<String>,
    error: Option<String>,
}

/// Publishes settings (JSON text) with `PUT url`, sending `If-Match: etag`
/// (the version the editor started from) so that two people publishing at
/// once cannot overwrite each other: a 412 answer means someone else
/// published first. Resolves to `{ ok, status, etag, error }`.
#[wasm_bindgen]
pub async fn publish(url: String, settings: String, etag: Option<String>) -> JsValue {
    if let Err(errors) = Settings::from_json(&settings, &NativeHost) {
        let first = errors.first().map(|p| p.to_string()).unwrap_or_default();
        return to_js(&Published {
            ok: false,
            status: 0,
            etag: None,
            error: Some(format!("the settings are not valid: {first}")),
        });
    }
    let mut req = Request::put(&url)
        .header("Content-Type", "application/json")
        .credentials(RequestCredentials::SameOrigin)
        .cache(RequestCache::NoStore)
        .redirect(RequestRedirect::Error);
    req = match &etag {
        Some(tag) => req.header("If-Match", tag),
        None => req.header("If-None-Match", "*"),
    };
    let result = match req.body(settings) {
        Ok(r) => r.send().await,
        Err(e) => Err(e),
    };
    let out = match result {
        Ok(res) => {
            let status = res.status();
            let ok = res.ok();
            let etag = res.headers().get("ETag");
            let error = (!ok).then(|| match status {
                412 => "someone else published since you opened these settings; reload to see their version, then publish again".to_string(),
                _ => format!("the settings endpoint answered HTTP {status}"),
            });
            Published {
                ok,
                status,
                etag,
                error,
            }
        }
        Err(e) => Published {
            ok: false,
            status: 0,
            etag: None,
            error: Some(e.to_string()),
        },
    };
    to_js(&out)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    /// The host answered at all.
    reachable: bool,
    /// Its answer could be read (it sends CORS headers for this page).
    cors: bool,
}

/// What a destination URL allows from this page: a simple GET in `cors`
/// mode tells whether it sends CORS headers, a `no-cors` one whether it can
/// be reached at all. The editor chooses the mode from this.
#[wasm_bindgen(js_name = probeCors)]
pub async fn probe_cors(url: String) -> JsValue {
    let origin = match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = &rest[..rest.find('/').unwrap_or(rest.len())];
            format!("{scheme}://{host}/")
        }
        None => url.clone(),
    };
    let get = |mode: RequestMode| {
        let r = Request::get(&origin)
            .mode(mode)
            .credentials(RequestCredentials::Omit)
            .cache(RequestCache::NoStore);
        // A no-cors request may only follow redirects.
        let r = if mode == RequestMode::NoCors {
            r
        } else {
            r.redirect(RequestRedirect::Manual)
        };
        r.send()
    };
    let cors = get(RequestMode::Cors).await.is_ok();
    let reachable = cors || get(RequestMode::NoCors).await.is_ok();
    to_js(&Probe { reachable, cors })
}
