//! Structured input: a valid settings document from the shared generator
//! (tests/common/gen.rs), the same document damaged in a few places (or
//! given a hostile destination URL or token endpoint), an
//! event, and templates and URL templates of the new syntax (fallbacks,
//! literals, filters); then every step between them: read and validate,
//! compile and test the conditions, map the properties, render body and URL
//! templates, build single and batched requests.
//!
//! Invariants:
//! - every generated document is valid (the generator's contract);
//! - on settings the reader accepts (generated or damaged): the validator
//!   agrees; they survive a JSON round trip; each destination URL (and
//!   token endpoint) is one the URL standard (the `url` crate, as browsers)
//!   parses, `https` or `http` to the local machine; conditions compile;
//!   the default body sends only what was selected, once per name; a built
//!   request stays within 32 KiB, keeps the method and mode, has a body
//!   exactly when it is not a GET (JSON when the format says so), headers
//!   `fetch` accepts and no custom ones outside cors mode, and a URL that,
//!   read by the `url` crate, has the scheme, host, port and number of path
//!   segments of its template: a value never changes where the request
//!   goes, and a value that would make a `.` or `..` segment is refused;
//! - templates: `compile` fails exactly when `problems` lists something, on
//!   the same first problem; generated templates compile; rendering never
//!   panics and writes JSON that parses;
//! - on anything: no panic.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use walkme_webhooks::core::condition::Conditions;
use walkme_webhooks::core::event::Event;
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::json;
use walkme_webhooks::core::mapping::default_body;
use walkme_webhooks::core::request::{self, Compiled, Request, MAX_BODY_BYTES, TOO_LARGE};
use walkme_webhooks::core::settings::{
    Auth, Condition, Destination, Format, Header, Join, Method, Mode, Operator, PropertySelection,
    Settings, StaticProperty, Webhook,
};
use walkme_webhooks::core::template::{self, Scope, UrlTemplate, DOT_SEGMENT};
use walkme_webhooks::core::validate;
use walkme_webhooks::core::value::{Value, MAX_DEPTH};
use walkme_webhooks_fuzz::{self as g, gen, Bytes, Shape, UrlShape};

fuzz_target!(|data: &[u8]| {
    g::reset_budget();
    let mut u = Unstructured::new(data);
    let _ = run(&mut u);
});

fn run(u: &mut Unstructured) -> Result<()> {
    let host = NativeHost;
    let style = if u.arbitrary()? {
        gen::Style::Lenient
    } else {
        gen::Style::Canonical
    };
    let doc = g::settings_doc(u, style);
    let settings = match Settings::parse(&doc, &host) {
        Ok(s) => s,
        Err(p) => panic!(
            "the generator made a document the reader refuses: {p:#?}\n{}",
            json::to_json(&doc, &host)
        ),
    };
    // A JavaScript object may hold NaN and ±Infinity; JSON text cannot.
    let js = u.arbitrary::<bool>()?;
    let mut props = g::props(
        u,
        Shape {
            finite: !js,
            depth: 10,
        },
    )?;
    if u.arbitrary()? {
        props.extend(gen::event_props(&mut Bytes(u)));
    }
    let mut event = Event::from_pairs(props);
    if event.str("event.id").is_none_or(str::is_empty) {
        event.set("event.id".into(), g::text(u)?.into());
    }
    check_json(&Value::Object(event.pairs().to_vec()));
    valid(&settings, &doc, &event);

    let mut damaged = doc;
    let shape = Shape {
        finite: !js,
        depth: 3,
    };
    if u.ratio(1, 4)? {
        hostile_url(u, &mut damaged)?;
    } else {
        for _ in 0..1 + u.int_in_range(0..=2u8)? {
            g::mutate(u, &mut damaged, shape)?;
        }
    }
    let damaged = clamp_depth(damaged, 0);
    if let Ok(s) = Settings::parse(&damaged, &host) {
        valid(&s, &damaged, &event);
    }
    templates(u, &event)?;
    raw(u, &event, shape)?;
    Ok(())
}

/// A destination's URL (or token endpoint) replaced by a hostile one.
fn hostile_url(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Value::Object(top) = doc else {
        return Ok(());
    };
    let Some((_, Value::Array(dests))) = top.iter_mut().find(|(k, _)| k == "destinations") else {
        return Ok(());
    };
    if dests.is_empty() {
        return Ok(());
    }
    let i = u.choose_index(dests.len())?;
    let url = Value::String(g::pick(u, g::URLS)?.to_string());
    if u.ratio(1, 4)? {
        if let Some(Value::Object(auth)) = dests[i].get("auth").cloned().as_mut() {
            if auth.iter().any(|(k, _)| k == "tokenUrl") {
                walkme_webhooks::core::value::set_pair(auth, "tokenUrl", url);
                dests[i].insert("auth", Value::Object(auth.clone()));
                return Ok(());
            }
        }
    }
    dests[i].insert("url", url);
    Ok(())
}

/// Containers past the reader's depth cap become null, as the browser
/// shell's reader hands them over.
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

/// Where a URL template sends, every placeholder filled.
fn template_shape(url: &str) -> Option<UrlShape> {
    let filled = template::fill_placeholders(url, "x");
    match UrlShape::of(&filled) {
        Some(s) if s.allowed() => Some(s),
        Some(s) => panic!("the reader accepted the URL {url:?}, which goes to {s:?}"),
        None => panic!("the reader accepted the URL {url:?}, which the URL standard refuses"),
    }
}

/// A rendered URL goes where its template does.
fn same_place(rendered: &str, url: &str, what: &str) {
    assert!(
        !rendered.bytes().any(|b| b <= b' ' || b == 0x7f),
        "{what}: space or control character in {rendered:?}"
    );
    let Some(want) = template_shape(url) else {
        return;
    };
    match UrlShape::of(rendered) {
        Some(got) => {
            assert_eq!(
                got, want,
                "{what}: a value changed where the request goes: {rendered:?} from {url:?}"
            )
        }
        None => panic!("{what}: the URL standard refuses {rendered:?} (from {url:?})"),
    }
}

fn valid(s: &Settings, doc: &Value, event: &Event) {
    let host = NativeHost;
    let problems = validate::check(s);
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
    for d in &s.destinations {
        template_shape(&d.url);
        if let Auth::OAuth2 { token_url, .. } = &d.auth {
            template_shape(token_url);
        }
    }
    let compiled: Vec<Compiled> = s.destinations.iter().map(Compiled::new).collect();
    for w in &s.webhooks {
        let conditions = match Conditions::compile(&w.conditions, &host) {
            Ok(c) => c,
            Err(e) => panic!("conditions of valid settings do not compile: {e:?}"),
        };
        let _ = conditions.test(event, &host);
        let _ = conditions.rows(event, &host);
        let Some(di) = s.destinations.iter().position(|d| d.id == w.destination) else {
            panic!("a valid webhook points at no destination");
        };
        let dest = &s.destinations[di];
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
        let event_id = event.str("event.id").unwrap_or_default();
        let key = format!("{event_id}:{}", w.id);
        let items = [(w, event)];
        match request::build(dest, &compiled[di], &items, &key, &host) {
            Ok(r) => built(dest, &r, &key),
            Err(e) => refused(dest, e),
        }
        if dest.batch.is_some() {
            // Several deliveries in one request: this webhook's and the
            // others' that send to the same destination.
            let mut second = event.clone();
            second.set("event.id".into(), "second".into());
            let mut items: Vec<(&Webhook, &Event)> = vec![(w, event), (w, &second)];
            for other in s.webhooks.iter().filter(|o| o.destination == dest.id) {
                items.push((other, event));
            }
            match request::build(dest, &compiled[di], &items, &key, &host) {
                Ok(r) => built(dest, &r, &key),
                Err(e) => refused(dest, e),
            }
        }
    }
}

fn refused(dest: &Destination, e: &str) {
    assert!(e == TOO_LARGE || e == DOT_SEGMENT, "unexpected error: {e}");
    if e == DOT_SEGMENT {
        let path = dest.url.split(['?', '#']).next().unwrap_or_default();
        assert!(
            path.contains("{{"),
            "a dot segment refused in {:?}, whose path has no placeholder",
            dest.url
        );
    }
}

fn built(dest: &Destination, r: &Request, key: &str) {
    assert!(r.size() <= MAX_BODY_BYTES, "{} bytes", r.size());
    assert_eq!(r.method, dest.method);
    assert_eq!(r.mode, dest.mode);
    assert_eq!(r.body.is_none(), dest.method == Method::Get);
    if let (Some(b), Format::Json) = (&r.body, dest.format) {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(b) {
            panic!("the JSON body is not JSON ({e}): {b}");
        }
    }
    same_place(&r.url, &dest.url, "request");
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
    if dest.mode == Mode::Cors && dest.idempotency_header {
        let (n, v) = r.headers.last().expect("an Idempotency-Key");
        assert_eq!(n, "Idempotency-Key");
        assert!(
            v.bytes().all(|b| (0x21..0x7f).contains(&b)),
            "Idempotency-Key {v:?}"
        );
    }
}

/// Templates and URL templates of the new syntax, generated and hostile.
fn templates(u: &mut Unstructured, event: &Event) -> Result<()> {
    let host = NativeHost;
    let depth = u.int_in_range(0..=3u32)?;
    let t = gen::template(&mut Bytes(u), depth);
    if let Err(e) = template::compile(&t) {
        panic!("a generated template does not compile ({e:?}): {t:?}");
    }
    assert!(template::problems(&t).is_empty());
    let flat = Value::Object(event.pairs().to_vec());
    check_json(&template::render(&t, event, &flat, &host));

    // Anything: compile and problems agree.
    let mut hostile = t.clone();
    g::mutate(
        u,
        &mut hostile,
        Shape {
            finite: false,
            depth: 3,
        },
    )?;
    for t in [
        &hostile,
        &g::value(
            u,
            Shape {
                finite: false,
                depth: 3,
            },
        )?,
    ] {
        let first = template::problems(t).into_iter().next().map(|(_, e)| e);
        assert_eq!(
            template::compile(t).err(),
            first,
            "compile and problems disagree on {t:?}"
        );
        let _ = template::render(t, event, &flat, &host);
    }

    let url = gen::url_template(&mut Bytes(u));
    let scope = Scope {
        event,
        properties: &flat,
        batch: None,
    };
    match UrlTemplate::new(&url) {
        Ok(compiled) => match compiled.render(&scope, &host) {
            Ok(r) => same_place(&r, &url, "URL template"),
            Err(e) => assert_eq!(e, DOT_SEGMENT),
        },
        Err(e) => panic!("a generated URL template does not compile ({e:?}): {url}"),
    }
    let hostile = if u.arbitrary()? {
        g::pick(u, g::URLS)?.to_string()
    } else {
        format!(
            "{}{}",
            g::pick(u, g::URLS)?,
            gen::placeholder(&mut Bytes(u))
        )
    };
    assert_eq!(
        template::check_placeholders(&hostile).is_ok(),
        UrlTemplate::new(&hostile).is_ok()
    );
    let _ = template::render_url(&hostile, event, &flat, &host);
    Ok(())
}

/// The same steps on structures made directly, as no validation checked them.
fn raw(u: &mut Unstructured, event: &Event, shape: Shape) -> Result<()> {
    let host = NativeHost;
    let n = u.int_in_range(0..=5usize)?;
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let op = g::pick(u, &Operator::ALL)?.0;
        let value = if op == Operator::Matches && u.ratio(3, 4)? {
            Value::String(g::pick(u, g::PATTERNS)?.to_string())
        } else {
            g::value(u, shape)?
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
            value: g::value(u, shape)?,
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
    let mut headers = Vec::new();
    for _ in 0..u.int_in_range(0..=3usize)? {
        headers.push(Header {
            name: g::pick(u, g::HEADER_NAMES)?.to_string(),
            value: g::text(u)?,
        });
    }
    let mut t = gen::template(&mut Bytes(u), 2);
    if u.arbitrary()? {
        g::mutate(u, &mut t, shape)?;
    }
    let dest = Destination {
        id: "d".into(),
        platform: String::new(),
        method: *g::pick(u, &Method::ALL)?,
        url: if u.arbitrary()? {
            g::pick(u, g::URLS)?.to_string()
        } else {
            gen::url_template(&mut Bytes(u))
        },
        auth: Auth::None,
        headers,
        mode: *g::pick(u, &[Mode::Cors, Mode::Simple, Mode::NoCors])?,
        format: *g::pick(u, &[Format::Json, Format::Form, Format::Text])?,
        body: if u.arbitrary()? { Some(t) } else { None },
        batch: None,
        rate: None,
        timeout_ms: 1000,
        max_attempts: 3,
        idempotency_header: u.arbitrary()?,
    };
    let key = g::text(u)?;
    let compiled = Compiled::new(&dest);
    if let Ok(r) = request::build(&dest, &compiled, &[(&webhook, event)], &key, &host) {
        assert!(r.size() <= MAX_BODY_BYTES, "{} bytes", r.size());
        if let (Some(b), Format::Json) = (&r.body, dest.format) {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(b) {
                panic!("the JSON body is not JSON ({e}): {b}");
            }
        }
    }
    let _ = Event::from_value(g::value(u, shape)?);
    Ok(())
}
