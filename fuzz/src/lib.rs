//! Code the fuzz targets share:
//!
//! - [`gen`]: the generator of valid settings documents that the property
//!   tests use too (tests/common/gen.rs), here fed from the fuzzer's bytes
//!   ([`Bytes`]);
//! - hostile values for what reaches the core from outside the settings
//!   (event properties, server answers, stored records) and for damaging a
//!   valid document ([`mutate`]): small dictionaries of nasty strings (CR/LF,
//!   NUL, non-Latin-1, U+2028, case-folding expanders, broken placeholders,
//!   weird URLs, catastrophic patterns) mixed with free text, huge strings
//!   and every kind of number;
//! - the oracles: the `Authorization` values settings and tokens allow
//!   ([`allowed_authorization`], with its own base64), and the shape of a URL
//!   as an independent WHATWG parser (the `url` crate) reads it
//!   ([`UrlShape`]);
//! - the filters for known, open bugs ([`known`]).

#[path = "../../tests/common/gen.rs"]
pub mod gen;

use arbitrary::{Result, Unstructured};
use walkme_webhooks::core::catalog::IDS;
use walkme_webhooks::core::settings::{Auth, Destination};
use walkme_webhooks::core::value::{set_pair, Value};

pub use gen::SECRET_MARK;

/// The fuzzer's bytes as the generator's choices (0 once they run out, the
/// plainest option of every choice).
pub struct Bytes<'a, 'b>(pub &'a mut Unstructured<'b>);

impl gen::Source for Bytes<'_, '_> {
    fn below(&mut self, n: u32) -> u32 {
        if n <= 1 {
            0
        } else {
            self.0.int_in_range(0..=n - 1).unwrap_or(0)
        }
    }
}

/// A valid settings document from the shared generator.
pub fn settings_doc(u: &mut Unstructured, style: gen::Style) -> Value {
    gen::document(&mut Bytes(u), style)
}

/// Strings that tend to break parsers, validators, templates and URLs.
pub const TEXTS: &[&str] = &[
    "",
    " ",
    "\t",
    "a",
    "7",
    " 4.5 ",
    "-1e3",
    "1e400",
    "0x10",
    "NaN",
    "Infinity",
    "true",
    "null",
    "NPS",
    "nps",
    "Jane@Example.com ",
    "{{user.id}}",
    "{{properties}}",
    "{{ properties }}",
    "{{batch}}",
    "{{a}} and {{b}}",
    "{{a || \"x\" | cut:3}}",
    "{{a | cut:0}}",
    "{{a | shout}}",
    "{{a ||}}",
    "{{\"unclosed}}",
    "{{",
    "}}",
    "{{}}",
    "{{ }}",
    "{{a}",
    "{{{{a}}}}",
    "{{a}}}}",
    "{{{a}}}",
    "x{{event.id}}y",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    "é😀",
    "\u{130}",
    "\u{df}",
    "\u{fb00}",
    "\u{feff}",
    "\u{200b}",
    "\u{2028}",
    "\u{ffff}",
    "\u{10ffff}",
    "a\u{301}",
    "\u{0}",
    "\r\n",
    "line\nbreak",
    "X-Injected: 1\r\nHost: evil",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{100}",
    "a/b?c=d&e#f",
    "%00",
    "%",
    "%zz",
    "../../etc/passwd",
    "\\",
    "\"",
    "'",
    "<script>",
    ":",
    "ev:w1",
    "@evil.example",
    "#",
    "?",
    "&",
    "=",
    "[::1]",
    "user.id",
    "answer.value",
    "survey.name",
    "event.id",
    "properties",
    "survey.submitted",
    "d1",
    "w1",
    "x",
];

/// Property names: the catalog's common ones, a few dotted ones, and hostile
/// ones, so that conditions, selections and events meet often.
pub const NAMES: &[&str] = &[
    "a",
    "b",
    "c",
    "n",
    "email",
    "tags",
    "missing",
    "user.id",
    "user.role",
    "answer.value",
    "survey.name",
    "event.id",
    "event.type",
    "event.timestamp",
    "page.url",
    "session.id",
    "properties",
    "batch",
    "identity",
    "app_id",
    "app id",
    " ",
    "",
    "{{a}}",
    "a.b.c.d.e",
    "é",
    "\u{0}",
];

/// URLs the contract refuses, or the URL standard reads otherwise than a
/// naive split would: userinfo, ports, IPv6, percent-encoded hosts,
/// placeholders in the host, other schemes.
pub const URLS: &[&str] = &[
    "https://example.com/hook",
    "https://x.io/users/{{user.id}}/events?src=wm",
    "https://x.io/{{a}}/{{b}}?q={{properties}}#{{c}}",
    "https://x.io/a/..{{a}}/b",
    "https://x.io/a/%2e{{a}}/b",
    "https://x.io/a/{{a}}./b",
    "http://localhost:8787/r",
    "http://LOCALHOST/r",
    "http://a.localhost/r",
    "http://127.0.0.1/x",
    "http://127.0.0.2/x",
    "http://[::1]:80/",
    "http://localhost./",
    "http://evil.com%2f.localhost/",
    "http://evil%2ecom.localhost/",
    "https://a%2fb.example/",
    "https://x%41.example/",
    "https://[::1",
    "https://[::1]x/",
    "https://[::1]:/",
    "https://[]/",
    "https://[zz]/",
    "https://{{host}}/x",
    "{{scheme}}://x.io",
    "https://x.io:{{port}}/",
    "https://{{a}}@x.io/",
    "https://user:pw@x.com/",
    "https://x.com:8080@evil.com/",
    "https://x.com\\@evil.com/",
    "https://x.com\\.evil.com/",
    "https://x.com:99999/",
    "https://x.com:65535/",
    "https://x.com:65536/",
    "https://x.com:/",
    "https://x.com:-1/",
    "https://x.com/a b",
    "https://x.com/\r\n",
    "https://x.com/\u{0}",
    "https://x.com/é?é=é",
    "https://é.com/{{a}}",
    "https://x.com/{{a",
    "https://x.com/{{}}",
    "https://x.com/{{a}}}}",
    "HTTPS://X.COM/",
    "https://x.com?{{properties}}",
    "ftp://x.com/",
    "javascript:alert(1)",
    "data:text/plain,hi",
    "//x.com/",
    "https:/x.com",
    "https://",
    "https:///path",
    "://x",
    "x",
    "",
];

/// Header names: fine, forbidden, reserved and invalid.
pub const HEADER_NAMES: &[&str] = &[
    "X-Team",
    "Content-Type",
    "Authorization",
    "authorization",
    "Idempotency-Key",
    "Host",
    "Cookie",
    "Proxy-Authorization",
    "Sec-Fetch-Mode",
    "Content-Length",
    "X Team",
    "X:Team",
    "X-Team\r\n",
    "Ünï",
    "",
];

/// Header values: fine, and ones a header cannot carry.
pub const HEADER_VALUES: &[&str] = &[
    "cs",
    "",
    " padded ",
    "a\tb",
    "line\r\nX-Evil: 1",
    "\n",
    "\u{0}",
    "\u{7f}",
    "é",
    "\u{ff}",
    "\u{100}",
    "😀",
];

/// Regular expressions: invalid ones, ones too large, shapes that backtrack
/// catastrophically in a backtracking engine.
pub const PATTERNS: &[&str] = &[
    "(a+)+$",
    "(a|aa)+$",
    "(.*a){20}",
    "(x+x+)+y",
    "^(([a-z])+.)+[A-Z]([a-z])+$",
    "\\w{1000}{1000}",
    "(a{100}){100}",
    "[\\p{L}\\p{N}]{500}",
    "(?i)é",
    "(?=a)",
    "(?<!a)b",
    "(a)\\1",
    "\\k<n>",
    "(",
    ")",
    "[",
    "[z-a]",
    "*",
    "a**",
    "a{2,1}",
    "a{101}",
    "\\",
    "\\x4",
    "\\u{110000}",
    "\\cé",
    "(?P<n>a)",
    "(^)*",
    "[^a]",
    "[^a-z]",
    "",
    ".",
];

/// Other words of the settings, wrong where they stand.
const WORDS: &[&str] = &[
    "GET",
    "get",
    "TRACE",
    "cors",
    "CORS",
    "no-cors",
    "navigate",
    "json",
    "xml",
    "bearer",
    "Bearer",
    "oauth2",
    "and",
    "OR",
    "xor",
    "matches",
    "in",
    "=",
    "events.on",
    "//evil.com/t",
    "/\\evil.com",
    "/t k",
];

/// `Retry-After` header values, including nonsense and extremes.
pub const RETRY_AFTER: &[&str] = &[
    "0",
    "1",
    "120",
    " 5 ",
    "-5",
    "1.5",
    "",
    "soon",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Sun, 06 Foo 1994 08:49:37 GMT",
    "Sun, 31 Feb 2024 23:59:60 GMT",
    "Sun, 06 Nov 1994 -1:-1:-1 GMT",
    "Sun, 06 Nov 99999999999 08:49:37 GMT",
];

/// Numbers a JSON reader or JavaScript may hand over, and a few neither can.
pub const NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    6.0,
    7.0,
    100.0,
    120_001.0,
    26.0,
    1e21,
    1e-7,
    123456789.123,
    4294967296.0,
    9007199254740992.0,
    9007199254740994.0,
    1e300,
    f64::MAX,
    f64::MIN,
    5e-324,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

thread_local! {
    static BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(BUDGET_BYTES) };
}

/// Bytes of big text one input may generate: enough for every size cap of
/// the module (8 KiB text, 32 KiB body, 256 items), and it keeps the
/// executions per second up. Unlimited with `WMWH_FUZZ_STRICT=1`.
const BUDGET_BYTES: usize = 512 * 1024;

/// Starts the budget of one input; every structured target calls it first.
pub fn reset_budget() {
    let bytes = if known::strict() {
        usize::MAX
    } else {
        BUDGET_BYTES
    };
    BUDGET.with(|b| b.set(bytes));
}

fn spend(n: usize) -> bool {
    BUDGET.with(|b| {
        let left = b.get();
        b.set(left.saturating_sub(n));
        left >= n
    })
}

/// True once in `d` times; false when the input has run out.
pub fn rare(u: &mut Unstructured, d: u32) -> Result<bool> {
    Ok(!u.ratio(d - 1, d)?)
}

/// One of `items`.
pub fn pick<'a, T>(u: &mut Unstructured, items: &'a [T]) -> Result<&'a T> {
    u.choose(items)
}

/// Free text, without the secret mark.
fn free(u: &mut Unstructured, max: usize) -> Result<String> {
    let len = u.int_in_range(0..=max)?;
    let mut s = String::new();
    for _ in 0..len {
        let c: char = u.arbitrary()?;
        if c != SECRET_MARK {
            s.push(c);
        }
    }
    Ok(s)
}

fn text_small(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(3, 4)? {
        pick(u, TEXTS)?.to_string()
    } else {
        free(u, 8)?
    })
}

/// Text: a dictionary entry, free text, a join of two, or a huge repetition.
pub fn text(u: &mut Unstructured) -> Result<String> {
    let kind = if rare(u, 160)? {
        u.int_in_range(13..=14u8)?
    } else {
        u.int_in_range(0..=12u8)?
    };
    Ok(match kind {
        0..=5 => pick(u, TEXTS)?.to_string(),
        6 | 7 => pick(u, NAMES)?.to_string(),
        8..=10 => free(u, 24)?,
        11 | 12 => text_small(u)? + &text_small(u)?,
        13 => {
            let unit = text_small(u)?;
            let n = *pick(u, &[2usize, 255, 256, 257, 4096, 8193, 16_384, 40_000])?;
            let n = n.min(200_000 / unit.len().max(1));
            if spend(unit.len() * n) {
                unit.repeat(n)
            } else {
                unit
            }
        }
        _ => {
            let n = *pick(u, &[255usize, 256, 257, 8191, 8192, 8193, 32_768, 70_000])?;
            "x".repeat(if spend(n) { n } else { 8 })
        }
    })
}

/// A property name.
pub fn name(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(7, 8)? {
        pick(u, NAMES)?.to_string()
    } else {
        text(u)?
    })
}

/// A number; `finite` keeps to what JSON text can carry.
pub fn number(u: &mut Unstructured, finite: bool) -> Result<f64> {
    let n = match u.int_in_range(0..=3u8)? {
        0 => *pick(u, NUMBERS)?,
        1 => f64::from(u.int_in_range(-100i32..=100)?),
        2 => u.arbitrary::<f64>()?,
        _ => f64::from(u.arbitrary::<i32>()?) / 8.0,
    };
    Ok(if finite && !n.is_finite() { 0.0 } else { n })
}

/// How values are made: `finite` numbers only (JSON text), and the deepest
/// nesting.
#[derive(Clone, Copy)]
pub struct Shape {
    /// Only finite numbers.
    pub finite: bool,
    /// Levels of arrays and objects left.
    pub depth: usize,
}

/// Any value of the given shape. Object keys are unique, as both JSON
/// readers and JavaScript objects give them.
pub fn value(u: &mut Unstructured, shape: Shape) -> Result<Value> {
    let top = if shape.depth == 0 { 3 } else { 9 };
    let mut kind = u.int_in_range(0..=top)?;
    if kind == 8 && !rare(u, 8)? {
        kind = 4;
    }
    let inner = Shape {
        depth: shape.depth.saturating_sub(1),
        ..shape
    };
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Number(number(u, shape.finite)?),
        3 => Value::String(text(u)?),
        4 | 5 => {
            let n = u.int_in_range(0..=4usize)?;
            Value::Array((0..n).map(|_| value(u, inner)).collect::<Result<_>>()?)
        }
        6 | 7 => {
            let n = u.int_in_range(0..=4usize)?;
            let mut pairs = Vec::new();
            for _ in 0..n {
                let k = name(u)?;
                let v = value(u, inner)?;
                set_pair(&mut pairs, &k, v);
            }
            Value::Object(pairs)
        }
        8 => {
            // Wide: many copies (an event keeps 256 properties / items).
            let n = *pick(u, &[255usize, 256, 257, 300, 1000])?;
            let leaf = value(u, Shape { depth: 0, ..shape })?;
            let size = match &leaf {
                Value::String(s) => s.len(),
                _ => 8,
            };
            Value::Array(vec![leaf; if spend(size * n) { n } else { 4 }])
        }
        _ => {
            // Deep: as deep as the shape allows.
            let levels = u.int_in_range(1..=shape.depth)?;
            let mut v = value(u, Shape { depth: 0, ..shape })?;
            for i in 0..levels {
                v = if i % 2 == 0 {
                    Value::Array(vec![v])
                } else {
                    Value::Object(vec![("k".into(), v)])
                };
            }
            v
        }
    })
}

/// Event properties (what a caller passes to `emit`): hostile ones, and the
/// names settings read with any values (from the shared generator).
pub fn props(u: &mut Unstructured, shape: Shape) -> Result<Vec<(String, Value)>> {
    if u.ratio(1, 3)? {
        return Ok(gen::event_props(&mut Bytes(u)));
    }
    let n = if rare(u, 32)? {
        *pick(u, &[252usize, 256, 300])?
    } else {
        u.int_in_range(0..=10usize)?
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let k = if n > 100 { format!("p{i}") } else { name(u)? };
        let v = value(u, shape)?;
        out.push((k, v));
    }
    Ok(out)
}

/// A catalog event id (mostly) or something else.
pub fn event_id(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=9u8)? {
        0..=4 => "survey.submitted".into(),
        5..=7 => pick(u, &IDS)?.to_string(),
        8 => pick(u, &["survey.sumbitted", "Survey.Submitted", "", "dxa"])?.to_string(),
        _ => text(u)?,
    })
}

/// A hostile string of any of the settings' kinds.
fn hostile_string(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=6u8)? {
        0 => pick(u, URLS)?.to_string(),
        1 => pick(u, PATTERNS)?.to_string(),
        2 => pick(u, HEADER_NAMES)?.to_string(),
        3 => pick(u, HEADER_VALUES)?.to_string(),
        4 => pick(u, WORDS)?.to_string(),
        5 => pick(u, &IDS)?.to_string(),
        _ => text(u)?,
    })
}

/// Damages a (valid) document in one place: a field removed, or replaced by
/// another type, a hostile string or any value; a list item repeated.
pub fn mutate(u: &mut Unstructured, v: &mut Value, shape: Shape) -> Result<()> {
    match v {
        Value::Object(pairs) if !pairs.is_empty() && u.ratio(4, 5)? => {
            let i = u.choose_index(pairs.len())?;
            match u.int_in_range(0..=9u8)? {
                0 => {
                    pairs.remove(i);
                }
                1 => pairs[i].1 = value(u, shape)?,
                2 | 3 => pairs[i].1 = Value::String(hostile_string(u)?),
                _ => mutate(u, &mut pairs[i].1, shape)?,
            }
        }
        Value::Array(items) if !items.is_empty() && u.ratio(4, 5)? => {
            let i = u.choose_index(items.len())?;
            match u.int_in_range(0..=7u8)? {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let copy = items[i].clone();
                    items.push(copy);
                }
                _ => mutate(u, &mut items[i], shape)?,
            }
        }
        _ => {
            *v = match u.int_in_range(0..=3u8)? {
                0 => value(u, shape)?,
                1 => Value::Number(number(u, shape.finite)?),
                _ => Value::String(hostile_string(u)?),
            }
        }
    }
    Ok(())
}

/// Whether a value holds a number JSON text cannot carry.
pub fn has_non_finite(v: &Value) -> bool {
    match v {
        Value::Number(n) => !n.is_finite(),
        Value::Array(a) => a.iter().any(has_non_finite),
        Value::Object(o) => o.iter().any(|(_, v)| has_non_finite(v)),
        _ => false,
    }
}

/// A stored record (`Delivery::to_record`'s shape, version 2) with fields
/// that are plausible, damaged, missing or of the wrong type, and fields of
/// older versions (a URL, headers, a body) that must not be used.
pub fn record(u: &mut Unstructured, shape: Shape, webhooks: &[String]) -> Result<Value> {
    let mut pairs: Vec<(String, Value)> = Vec::new();
    let mut field = |u: &mut Unstructured,
                     k: &str,
                     make: &mut dyn FnMut(&mut Unstructured) -> Result<Value>|
     -> Result<()> {
        match u.int_in_range(0..=31u8)? {
            0 => {}
            1 => set_pair(&mut pairs, k, value(u, shape)?),
            _ => {
                let v = make(u)?;
                set_pair(&mut pairs, k, v);
            }
        }
        Ok(())
    };
    let webhook = if !webhooks.is_empty() && u.ratio(3, 4)? {
        pick(u, webhooks)?.clone()
    } else {
        pick(u, &["w1", "w2", "", "a:b"])?.to_string()
    };
    let id = if u.ratio(3, 4)? {
        pick(u, &["e1", "e2", "ev-1", "", "a:b"])?.to_string()
    } else {
        text(u)?
    };
    let key = if u.ratio(7, 8)? {
        format!("{id}:{webhook}")
    } else {
        text(u)?
    };
    field(u, "v", &mut |u| {
        Ok(Value::Number(if u.ratio(7, 8)? {
            2.0
        } else {
            number(u, shape.finite)?
        }))
    })?;
    field(u, "key", &mut |_| Ok(Value::String(key.clone())))?;
    field(u, "webhook", &mut |_| Ok(Value::String(webhook.clone())))?;
    field(u, "destination", &mut |u| {
        Ok(Value::String(pick(u, &["d1", "d2", "evil"])?.to_string()))
    })?;
    field(u, "event", &mut |u| {
        let mut props = props(u, Shape { depth: 2, ..shape })?;
        if u.ratio(7, 8)? {
            props.retain(|(k, _)| k != "event.id");
            props.insert(0, ("event.id".into(), Value::String(id.clone())));
        }
        Ok(Value::Object(props))
    })?;
    for k in ["attempts", "nextAt", "createdAt", "storedAt"] {
        field(u, k, &mut |u| {
            Ok(Value::Number(time_like(u, shape.finite)?))
        })?;
    }
    field(u, "keepalive", &mut |u| Ok(Value::Bool(u.arbitrary()?)))?;
    if rare(u, 4)? {
        // What older records held, and a planted destination.
        field(u, "url", &mut |u| {
            Ok(Value::String(pick(u, URLS)?.to_string()))
        })?;
        field(u, "method", &mut |_| Ok(Value::String("PUT".into())))?;
        field(u, "headers", &mut |u| {
            Ok(Value::Array(vec![Value::Array(vec![
                Value::String(pick(u, HEADER_NAMES)?.to_string()),
                Value::String(format!("Bearer {SECRET_MARK}planted")),
            ])]))
        })?;
        field(u, "body", &mut |u| Ok(Value::String(text(u)?)))?;
    }
    Ok(Value::Object(pairs))
}

/// A time or count as a record holds it.
pub fn time_like(u: &mut Unstructured, finite: bool) -> Result<f64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => 1_700_000_000_000.0 + f64::from(u.arbitrary::<i32>()?),
        1 => f64::from(u.int_in_range(0u32..=30)?),
        _ => number(u, finite)?,
    })
}

// ------------------------------------------------------------ oracles

/// Standard base64 with padding (the harness's own, to recognise a Basic
/// credential without the module's help).
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let mut b = [0u8; 3];
        b[..chunk.len()].copy_from_slice(chunk);
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The `Authorization` values a destination may send: its published
/// credential, one made from a token in force for it (a provider's, the
/// site's or the token endpoint's), or its own `Authorization` header.
pub fn allowed_authorization(d: &Destination, tokens: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    match &d.auth {
        Auth::Bearer { token: Some(t), .. } => out.push(format!("Bearer {t}")),
        Auth::Basic {
            username,
            password: Some(p),
        } => out.push(format!(
            "Basic {}",
            base64(format!("{username}:{p}").as_bytes())
        )),
        _ => {}
    }
    for t in tokens {
        out.push(match d.auth {
            Auth::Basic { .. } => format!("Basic {}", base64(t.as_bytes())),
            _ => format!("Bearer {t}"),
        });
    }
    for h in &d.headers {
        if h.name.eq_ignore_ascii_case("authorization") {
            out.push(h.value.clone());
        }
    }
    out
}

/// The secrets of `d` and the forms they travel in, to look for where they
/// must not be.
pub fn secrets_of(d: &Destination) -> Vec<String> {
    let mut out = Vec::new();
    match &d.auth {
        Auth::Bearer { token: Some(t), .. } => out.push(t.clone()),
        Auth::Basic {
            username,
            password: Some(p),
        } => {
            out.push(p.clone());
            out.push(base64(format!("{username}:{p}").as_bytes()));
        }
        Auth::OAuth2 {
            client_secret: Some(c),
            ..
        } => out.push(c.clone()),
        _ => {}
    }
    out
}

/// Where a URL goes, as the WHATWG URL standard reads it (the `url` crate):
/// what a placeholder value must never change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlShape {
    /// `https` or `http`.
    pub scheme: String,
    /// The host, as the URL standard normalises it.
    pub host: String,
    /// The port, or the scheme's default.
    pub port: Option<u16>,
    /// Path segments after dot segments are resolved.
    pub segments: usize,
}

/// Panics unless a request to `sent` goes to the origin (scheme, host,
/// port) that destination `d`'s URL template sends to, whatever fills its
/// placeholders.
pub fn assert_same_origin(sent: &str, d: &Destination) {
    let want = UrlShape::of(&walkme_webhooks::core::template::fill_placeholders(
        &d.url, "x",
    ));
    match (UrlShape::of(sent), want) {
        (Some(got), Some(want)) => assert!(
            got.scheme == want.scheme && got.host == want.host && got.port == want.port,
            "a request to {sent:?}, but {} sends to {:?}",
            d.id,
            d.url
        ),
        _ => panic!("a request to {sent:?} for {} ({:?})", d.id, d.url),
    }
}

impl UrlShape {
    /// The shape of `url`; `None` when the URL standard refuses it.
    pub fn of(url: &str) -> Option<UrlShape> {
        let u = url::Url::parse(url).ok()?;
        Some(UrlShape {
            scheme: u.scheme().to_string(),
            host: u.host_str()?.to_string(),
            port: u.port_or_known_default(),
            segments: u.path_segments().map_or(0, Iterator::count),
        })
    }

    /// Whether the contract allows sending there: `https`, or `http` to the
    /// local machine.
    pub fn allowed(&self) -> bool {
        let h = self.host.as_str();
        self.scheme == "https"
            || self.scheme == "http"
                && (h == "localhost"
                    || h.ends_with(".localhost")
                    || h == "127.0.0.1"
                    || h == "[::1]")
    }
}

/// Known bugs: while a finding is open, its harness filter goes here (a
/// function that is true for the inputs to leave out unless
/// `strict_for("<finding>")`), so that fuzzing goes on past it.
/// `WMWH_FUZZ_STRICT=1` turns every filter off.
pub mod known {
    use std::sync::OnceLock;

    fn setting() -> &'static str {
        static STRICT: OnceLock<String> = OnceLock::new();
        STRICT.get_or_init(|| std::env::var("WMWH_FUZZ_STRICT").unwrap_or_default())
    }

    /// Whether every known-bug filter is off (`WMWH_FUZZ_STRICT=1`).
    pub fn strict() -> bool {
        setting() == "1"
    }

    /// Whether the filter of one finding is off: `WMWH_FUZZ_STRICT=1`, or a
    /// list of findings (`WMWH_FUZZ_STRICT=settings-player-event-fields`).
    pub fn strict_for(finding: &str) -> bool {
        strict() || setting().split(',').any(|f| f.trim() == finding)
    }
}
