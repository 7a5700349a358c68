//! Structured input: a settings document (as a JSON reader or a JavaScript
//! object would give it, so with NaN and ±Infinity in the second case) and an
//! event, then every step between them: read and validate the settings,
//! compile and test the conditions, map the properties, render the body and
//! URL templates, build the request. The same steps also run on webhooks and
//! destinations made directly, without validation.
//!
//! Invariants on valid settings: the validator agrees with the reader, the
//! conditions compile, a built request stays within the size cap, keeps the
//! destination's scheme and host, has a URL without spaces or control
//! characters, headers `fetch` accepts, and a body that is JSON; JSON-safe
//! settings survive a JSON round trip. On anything: no panic, and JSON
//! written by the module parses.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use walkme_webhooks::core::condition::Conditions;
use walkme_webhooks::core::event::Event;
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::json;
use walkme_webhooks::core::mapping::default_body;
use walkme_webhooks::core::request::{self, MAX_BODY_BYTES};
use walkme_webhooks::core::settings::{
    Auth, Condition, Destination, Header, Join, Method, Mode, Operator, PropertySelection,
    Settings, StaticProperty, Webhook,
};
use walkme_webhooks::core::template;
use walkme_webhooks::core::url;
use walkme_webhooks::core::validate;
use walkme_webhooks::core::value::{Value, MAX_DEPTH};
use walkme_webhooks_fuzz as g;
use walkme_webhooks_fuzz::Shape;

fuzz_target!(|data: &[u8]| {
    walkme_webhooks_fuzz::reset_budget();
    let mut u = Unstructured::new(data);
    let _ = run(&mut u);
});

fn run(u: &mut Unstructured) -> Result<()> {
    let host = NativeHost;
    let js = u.arbitrary::<bool>()?;
    let depth = *g::pick(u, &[1usize, 2, 3, 6, MAX_DEPTH])?;
    let shape = Shape { finite: !js, depth };
    // What the browser's reader would hand over: nothing deeper than the cap.
    let doc = clamp_depth(g::document(u, shape)?, 0);
    let props = g::props(
        u,
        Shape {
            finite: !js,
            depth: 10,
        },
    )?;
    let mut event = Event::from_pairs(props);
    if event.str("event.id").is_none_or(str::is_empty) {
        event.set("event.id".into(), g::text(u)?.into());
    }
    check_json(&Value::Object(event.pairs().to_vec()));

    if let Ok(settings) = Settings::parse(&doc, &host) {
        valid(&settings, &doc, &event);
    }
    raw(u, &event, shape)?;
    Ok(())
}

/// Containers past the reader's depth cap become null, as in `to_value`.
fn clamp_depth(v: Value, depth: usize) -> Value {
    match v {
        Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH => Value::Null,
        Value::Array(a) => Value::Array(a.into_iter().map(|v| clamp_depth(v, depth + 1)).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, clamp_depth(v, depth + 1)))
                .collect(),
        ),
        other => other,
    }
}

/// JSON the module writes must read back as JSON.
fn check_json(v: &Value) -> String {
    let text = json::to_json(v, &NativeHost);
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        panic!("the module wrote JSON that does not parse ({e}): {text}");
    }
    text
}

/// Whether `fetch` accepts a header value (a ByteString without CR, LF or NUL).
fn fetch_accepts(value: &str) -> bool {
    value
        .chars()
        .all(|c| (c as u32) <= 0xff && !matches!(c, '\r' | '\n' | '\0'))
}

fn valid(s: &Settings, doc: &Value, event: &Event) {
    let host = NativeHost;
    let problems = validate::check(s, &host);
    assert!(
        problems.is_empty(),
        "the reader accepted settings that the validator refuses: {problems:#?}"
    );
    let _ = validate::warnings(s);
    if !g::has_non_finite(doc) {
        let text = serde_json::to_string(s).expect("valid settings serialise");
        match Settings::from_json(&text, &host) {
            Ok(again) => assert_eq!(
                &again, s,
                "valid settings change in a JSON round trip: {text}"
            ),
            Err(p) => panic!("the JSON of valid settings is refused: {p:#?}\n{text}"),
        }
    }
    for w in &s.webhooks {
        let conditions = match Conditions::compile(&w.conditions, &host) {
            Ok(c) => c,
            Err(e) => panic!("conditions of valid settings do not compile: {e}"),
        };
        let _ = conditions.test(event, &host);
        let Some(dest) = s.destination(&w.destination) else {
            panic!("a valid webhook points at no destination");
        };
        let body = default_body(w, event, &host);
        let Value::Object(pairs) = &body else {
            panic!("the default body is not an object")
        };
        for (i, (k, _)) in pairs.iter().enumerate() {
            assert!(
                !pairs[..i].iter().any(|(o, _)| o == k),
                "the default body repeats {k:?}"
            );
            if let Some(sel) = &w.properties {
                assert!(
                    sel.iter().any(|p| p.output_name() == k)
                        || w.static_properties.iter().any(|p| &p.name == k),
                    "the default body sends {k:?}, which was not selected"
                );
            }
        }
        check_json(&body);
        if let Some(t) = &dest.body {
            check_json(&template::render(t, event, &body, &host));
        }
        let _ = template::render_url(&dest.url, event, &body, &host);
        let event_id = event.str("event.id").unwrap_or_default();
        let key = format!("{event_id}:{}", w.id);
        match request::build(dest, w, event, &key, &host) {
            Ok(r) => built(dest, &r, &key),
            Err(e) => assert!(e.starts_with("the request is "), "unexpected error: {e}"),
        }
    }
}

fn built(dest: &Destination, r: &request::Request, key: &str) {
    assert!(r.size() <= MAX_BODY_BYTES, "{} bytes", r.size());
    assert_eq!(r.method, dest.method);
    assert_eq!(r.mode, dest.mode);
    assert_eq!(r.body.is_none(), dest.method == Method::Get);
    if let Some(b) = &r.body {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(b) {
            panic!("the body is not JSON ({e}): {b}");
        }
    }
    if let Err(e) = url::check_destination_url(&r.url) {
        panic!("the built URL breaks the URL rules ({e}): {:?}", r.url);
    }
    assert!(
        !r.url.bytes().any(|b| b <= b' ' || b == 0x7f),
        "space or control character in the URL {:?}",
        r.url
    );
    let host_of = |u: &str| url::parts(u).map(|p| p.host.to_ascii_lowercase());
    let template_host = host_of(&template::fill_placeholders(&dest.url, "x"));
    assert_eq!(
        host_of(&r.url),
        template_host,
        "a value changed the host: {:?} from {:?}",
        r.url,
        dest.url
    );
    if dest.mode != Mode::Cors {
        assert!(
            r.headers.iter().all(|(n, _)| n == "Content-Type"),
            "custom headers in {} mode",
            dest.mode.as_str()
        );
    }
    for (n, v) in &r.headers {
        assert!(validate::is_token(n), "header name {n:?}");
        assert!(
            fetch_accepts(v),
            "fetch refuses the header {n}: {v:?} (key {key:?})"
        );
    }
}

/// The same steps on structures made directly, as no validation checked them.
fn raw(u: &mut Unstructured, event: &Event, shape: Shape) -> Result<()> {
    let host = NativeHost;
    let any = Shape { depth: 4, ..shape };
    let n = u.int_in_range(0..=5usize)?;
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let op = g::pick(u, &Operator::ALL)?.0;
        let value = if op == Operator::Matches && u.ratio(3, 4)? {
            Value::String(g::pick(u, g::PATTERNS)?.to_string())
        } else {
            g::value(u, any)?
        };
        rows.push(Condition {
            property: g::name(u)?,
            operator: op,
            value,
            ignore_case: u.arbitrary()?,
            join: if u.arbitrary()? { Join::Or } else { Join::And },
        });
    }
    if let Ok(c) = Conditions::compile(&rows, &host) {
        let _ = c.test(event, &host);
    }
    let properties = if u.arbitrary()? {
        None
    } else {
        let n = u.int_in_range(0..=5usize)?;
        let mut sel = Vec::with_capacity(n);
        for _ in 0..n {
            sel.push(PropertySelection {
                name: g::name(u)?,
                rename: if u.arbitrary()? {
                    Some(g::name(u)?)
                } else {
                    None
                },
                hash: u.arbitrary()?,
            });
        }
        Some(sel)
    };
    let n = u.int_in_range(0..=3usize)?;
    let mut statics = Vec::with_capacity(n);
    for _ in 0..n {
        statics.push(StaticProperty {
            name: g::name(u)?,
            value: g::value(u, any)?,
        });
    }
    let webhook = Webhook {
        id: g::text(u)?,
        name: String::new(),
        enabled: true,
        event: "survey.submitted".into(),
        conditions: rows,
        properties,
        static_properties: statics,
        destination: "d".into(),
    };
    let body = default_body(&webhook, event, &host);
    check_json(&body);
    let t = g::template(
        u,
        g::Doc {
            shape: any,
            tame: false,
        },
    )?;
    check_json(&template::render(&t, event, &body, &host));
    let url_template = if u.arbitrary()? {
        g::url(u, false)?
    } else {
        g::text(u)?
    };
    let _ = template::render_url(&url_template, event, &body, &host);
    let _ = template::check_placeholders(&url_template);
    let mut headers = Vec::new();
    for _ in 0..u.int_in_range(0..=3usize)? {
        headers.push(Header {
            name: g::pick(u, g::HEADER_NAMES)?.to_string(),
            value: g::text(u)?,
        });
    }
    let dest = Destination {
        id: "d".into(),
        platform: String::new(),
        method: *g::pick(u, &Method::ALL)?,
        url: url_template,
        auth: Auth::None,
        headers,
        mode: *g::pick(u, &[Mode::Cors, Mode::Simple, Mode::NoCors])?,
        body: if u.arbitrary()? { Some(t) } else { None },
        timeout_ms: 1000,
        max_attempts: 3,
        idempotency_header: u.arbitrary()?,
    };
    let key = g::text(u)?;
    if let Ok(r) = request::build(&dest, &webhook, event, &key, &host) {
        assert!(r.size() <= MAX_BODY_BYTES, "{} bytes", r.size());
        if let Some(b) = &r.body {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(b) {
                panic!("the body is not JSON ({e}): {b}");
            }
        }
    }
    let _ = Event::from_value(g::value(u, any)?);
    Ok(())
}
