//! Input generators shared by the fuzz targets: they turn the fuzzer's bytes
//! into hostile but plausible values (settings documents, event properties,
//! stored records, server answers), and hold the known-bug filters.
//!
//! Generators draw from small dictionaries of nasty strings (placeholders,
//! CR/LF, NUL, non-Latin-1 text, weird URLs, catastrophic-looking regular
//! expressions) mixed with free text, huge repeated strings and every kind of
//! number (NaN, ±Infinity, -0, 2^53+2, subnormals), so that a few bytes reach
//! the interesting cases and the fuzzer's mutations still explore freely.

use arbitrary::{Result, Unstructured};
use walkme_webhooks::core::catalog::EVENTS;
use walkme_webhooks::core::value::{set_pair, Value};

/// Marks every secret the engine harness hands to the module. Generated text
/// never contains it (see [`text`]), so finding it in a stored record means a
/// secret leaked, never that the fuzzer wrote it there.
pub const SECRET_MARK: char = '\u{a7}';

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
    "{{a}} and {{b}}",
    "{{",
    "}}",
    "{{}}",
    "{{ }}",
    "{{a}",
    "{{{{a}}}}",
    "{{a}}}}",
    "{{{a}}}",
    "x{{event.id}}y",
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
    "@",
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

/// URL templates: valid, invalid and tricky ones.
pub const URLS: &[&str] = &[
    "https://example.com/hook",
    "https://x.io/users/{{user.id}}/events?src=wm",
    "https://x.io/{{a}}/{{b}}?q={{properties}}#{{c}}",
    "https://x.io/?{{a}}={{b}}",
    "https://x.io#frag",
    "https://x.io/p?x=1#f{{a}}",
    "http://localhost:8787/r",
    "http://LOCALHOST/r",
    "http://a.localhost/r",
    "http://127.0.0.1/x",
    "http://127.0.0.2/x",
    "http://[::1]:80/",
    "https://[::1",
    "https://[::1]x/",
    "https://[::1]:/",
    "https://[]/",
    "https://{{host}}/x",
    "{{scheme}}://x.io",
    "https://x.io:{{port}}/",
    "https://{{a}}@x.io/",
    "https://user:pw@x.com/",
    "https://x.com:8080@evil.com/",
    "https://x.com\\@evil.com/",
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
    "https://xn--e1afmkfd.xn--p1ai/",
    "https://x.com/{{a",
    "https://x.com/{{}}",
    "https://x.com/{{a}}}}",
    "HTTPS://X.COM/",
    "hTTp://localhost/",
    "https://x.com?{{properties}}",
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "https://www.google-analytics.com/mp/collect?measurement_id={{m}}&api_secret=s",
    "https://acme.webhook.office.com/webhookb2/x",
    "https://outlook.office.com/webhook/x",
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
    "x_a.b~c",
    "Content-Type",
    "content-type",
    "Authorization",
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
    "application/json",
    "text/plain",
    "line\r\nX-Evil: 1",
    "\n",
    "\r",
    "\u{0}",
    "\u{7f}",
    "é",
    "\u{ff}",
    "\u{100}",
    "😀",
];

/// The patterns at the start of [`PATTERNS`] and [`VALID_PATTERNS`], then
/// the ones given.
macro_rules! patterns {
    ($($more:expr),* $(,)?) => {
        &[
            "^N",
            "NPS$",
            "a|b",
            "[0-9]+",
            "(a+)+$",
            "(a|aa)+$",
            "(.*a){20}",
            "(x+x+)+y",
            "^(([a-z])+.)+[A-Z]([a-z])+$",
            $($more),*
        ]
    };
}

/// Regular expressions: ordinary, invalid, huge when compiled, and the
/// classic catastrophic-backtracking shapes (linear in the regex crate, but
/// the browser's RegExp is not: see the report).
pub const PATTERNS: &[&str] = patterns![
    "\\w{1000}{1000}",
    "(a{1000}){1000}",
    "[\\p{L}\\p{N}]{500}",
    "(?i)é",
    "(?=a)",
    "(a)\\1",
    "(",
    "[",
    "*",
    "a{2,1}",
    "\\",
    "(?P<n>a)",
    "\\p{Nope}",
    "",
    ".",
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
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Sun, 06 Foo 1994 08:49:37 GMT",
    "06 Nov 1994 08:49:37 GMT",
    "Sun, 31 Feb 2024 23:59:60 GMT",
    "Sun, 06 Nov 1994 -1:-1:-1 GMT",
    "Sun, 06 Nov 99999999999 08:49:37 GMT",
    "Sun, 01 Jan -99999999999 00:00:00 GMT",
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
    99.0,
    120_000.0,
    120_001.0,
    25.0,
    26.0,
    1e21,
    1e-7,
    123456789.123,
    4294967295.0,
    4294967296.0,
    9007199254740992.0,
    9007199254740994.0,
    -9007199254740994.0,
    1e300,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    5e-324,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

thread_local! {
    static BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(BUDGET_BYTES) };
}

/// Bytes of big text (huge strings, wide arrays of long strings) one input
/// may generate: enough for every size cap of the module (8 KiB text, 32 KiB
/// body, 256 items), and it keeps the executions per second up. Unlimited
/// with `WMWH_FUZZ_STRICT=1`.
const BUDGET_BYTES: usize = 512 * 1024;

/// Starts the budget of one input; every target calls it first.
pub fn reset_budget() {
    let bytes = if known::strict() {
        usize::MAX
    } else {
        BUDGET_BYTES
    };
    BUDGET.with(|b| b.set(bytes));
}

/// Takes `n` bytes from the budget, if it has them.
fn spend(n: usize) -> bool {
    BUDGET.with(|b| {
        let left = b.get();
        b.set(left.saturating_sub(n));
        left >= n
    })
}

/// True once in `d` times; false when the input has run out (unlike
/// `Unstructured::ratio`, which is true then), so exhausted input takes the
/// cheap, common path.
pub fn rare(u: &mut Unstructured, d: u32) -> Result<bool> {
    Ok(!u.ratio(d - 1, d)?)
}

/// One of `items`.
pub fn pick<'a, T>(u: &mut Unstructured, items: &'a [T]) -> Result<&'a T> {
    u.choose(items)
}

/// Free text, with the secret mark removed.
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

/// Text: a dictionary entry, free text, a join of two, or a huge repetition
/// (the body, text and name caps sit at 32 KiB, 8 KiB and 256 bytes).
pub fn text(u: &mut Unstructured) -> Result<String> {
    let kind = if rare(u, 160)? {
        u.int_in_range(14..=15u8)?
    } else {
        u.int_in_range(0..=13u8)?
    };
    Ok(match kind {
        0..=6 => pick(u, TEXTS)?.to_string(),
        7 | 8 => pick(u, NAMES)?.to_string(),
        9..=11 => free(u, 24)?,
        12 | 13 => {
            let a = text_small(u)?;
            let b = text_small(u)?;
            a + &b
        }
        14 => {
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

fn text_small(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(3, 4)? {
        pick(u, TEXTS)?.to_string()
    } else {
        free(u, 8)?
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
/// nesting (JavaScript objects are read to [`walkme_webhooks::core::value::MAX_DEPTH`]).
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
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Number(number(u, shape.finite)?),
        3 => Value::String(text(u)?),
        4 | 5 => {
            let n = u.int_in_range(0..=4usize)?;
            let inner = Shape {
                depth: shape.depth - 1,
                ..shape
            };
            Value::Array((0..n).map(|_| value(u, inner)).collect::<Result<_>>()?)
        }
        6 | 7 => {
            let n = u.int_in_range(0..=4usize)?;
            let inner = Shape {
                depth: shape.depth - 1,
                ..shape
            };
            let mut pairs = Vec::new();
            for _ in 0..n {
                let k = name(u)?;
                let v = value(u, inner)?;
                set_pair(&mut pairs, &k, v);
            }
            Value::Object(pairs)
        }
        8 => {
            // Wide: many copies (the event keeps 256 properties / items).
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

/// Event properties (what a caller passes to `emit`).
pub fn props(u: &mut Unstructured, shape: Shape) -> Result<Vec<(String, Value)>> {
    let n = if rare(u, 32)? {
        *pick(u, &[256usize, 300])?
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
        5..=7 => pick(u, EVENTS)?.id.to_string(),
        8 => pick(u, &["survey.sumbitted", "Survey.Submitted", "", "dxa"])?.to_string(),
        _ => text(u)?,
    })
}

/// How a settings document is made. A `tame` one keeps every field within
/// the rules, across fields too (no auth or headers in simple mode, unique
/// ids, webhooks pointing at destinations that exist), so that most tame
/// documents are valid and go on to conditions, mapping and requests; a wild
/// one may break any rule anywhere.
#[derive(Clone, Copy)]
pub struct Doc {
    /// Values inside the document.
    pub shape: Shape,
    /// Keep to the rules.
    pub tame: bool,
}

/// An object built from optional fields: each is left out, given its
/// plausible value, or (wild documents only) replaced by any value.
struct Obj<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    pairs: Vec<(String, Value)>,
    shape: Shape,
    tame: bool,
}

impl<'a, 'b> Obj<'a, 'b> {
    fn new(u: &'a mut Unstructured<'b>, doc: Doc) -> Self {
        Obj {
            u,
            pairs: Vec::new(),
            shape: doc.shape,
            tame: doc.tame,
        }
    }

    /// `key` with the value `make` gives, when a roll is below `present`
    /// (of 256); in a wild document one in sixteen is any value instead.
    fn field(
        &mut self,
        key: &str,
        present: u8,
        make: impl FnOnce(&mut Unstructured) -> Result<Value>,
    ) -> Result<()> {
        let roll = self.u.arbitrary::<u8>()?;
        if roll >= present {
            return Ok(());
        }
        let v = if !self.tame && roll % 16 == 15 {
            value(self.u, self.shape)?
        } else {
            make(self.u)?
        };
        set_pair(&mut self.pairs, key, v);
        Ok(())
    }

    /// A required field: always there in a tame document.
    fn req(
        &mut self,
        key: &str,
        make: impl FnOnce(&mut Unstructured) -> Result<Value>,
    ) -> Result<()> {
        if !self.tame {
            return self.field(key, 250, make);
        }
        let v = make(self.u)?;
        set_pair(&mut self.pairs, key, v);
        Ok(())
    }

    fn done(mut self) -> Result<Value> {
        if rare(self.u, 16)? {
            // Unknown fields are ignored.
            let k = format!("x-{}", text_small(self.u)?);
            let v = value(self.u, self.shape)?;
            set_pair(&mut self.pairs, &k, v);
        }
        Ok(Value::Object(self.pairs))
    }
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// One of `valid` (tame), or of `valid` and `invalid`, or any text (wild).
fn one_of(u: &mut Unstructured, tame: bool, valid: &[&str], invalid: &[&str]) -> Result<Value> {
    if tame || u.ratio(3, 4)? {
        return Ok(s(pick(u, valid)?));
    }
    Ok(if u.ratio(3, 4)? && !invalid.is_empty() {
        s(pick(u, invalid)?)
    } else {
        Value::String(text(u)?)
    })
}

fn list(
    u: &mut Unstructured,
    max: usize,
    mut item: impl FnMut(&mut Unstructured) -> Result<Value>,
) -> Result<Value> {
    let n = u.int_in_range(0..=max)?;
    Ok(Value::Array(
        (0..n).map(|_| item(u)).collect::<Result<_>>()?,
    ))
}

/// URLs a destination may have (placeholders only in path, query, fragment).
pub const VALID_URLS: &[&str] = &[
    "https://example.com/hook",
    "https://x.io/users/{{user.id}}/events?src=wm",
    "https://x.io/{{a}}/{{b}}?q={{properties}}#{{c}}",
    "https://x.io/?{{a}}={{b}}",
    "https://x.io/p?x=1#f{{a}}",
    "https://x.io#frag",
    "http://localhost:8787/r",
    "http://LOCALHOST/r",
    "http://a.localhost/r",
    "http://127.0.0.1/x",
    "http://[::1]:80/",
    "https://x.com:65535/",
    "https://\u{e9}.com/{{a}}",
    "https://x.com/\u{e9}?\u{e9}=\u{e9}",
    "https://xn--e1afmkfd.xn--p1ai/",
    "HTTPS://X.COM/",
    "hTTp://localhost/",
    "https://x.com?{{properties}}",
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "https://www.google-analytics.com/mp/collect?measurement_id={{m}}&api_secret=s",
    "https://acme.webhook.office.com/webhookb2/x",
    "https://outlook.office.com/webhook/x",
];

/// A URL (template), valid when `tame`.
pub fn url(u: &mut Unstructured, tame: bool) -> Result<String> {
    Ok(match one_of(u, tame, VALID_URLS, URLS)? {
        Value::String(s) => s,
        _ => String::new(),
    })
}

/// Text without a broken placeholder (for tame templates).
fn tame_text(u: &mut Unstructured) -> Result<String> {
    let t = text(u)?;
    Ok(
        if walkme_webhooks::core::template::check_placeholders(&t).is_ok() {
            t
        } else {
            t.replace('{', "(").replace('}', ")")
        },
    )
}

/// A body template: placeholders, plain values, nested shapes.
pub fn template(u: &mut Unstructured, doc: Doc) -> Result<Value> {
    let shape = doc.shape;
    Ok(match u.int_in_range(0..=6u8)? {
        0 => s("{{properties}}"),
        1 => Value::String(format!("{{{{{}}}}}", placeholder_name(u)?)),
        2 => Value::String(format!(
            "{} {{{{{}}}}} {}",
            tame_text(u)?,
            placeholder_name(u)?,
            tame_text(u)?
        )),
        3 | 4 if shape.depth > 0 => {
            let inner = Doc {
                shape: Shape {
                    depth: shape.depth - 1,
                    ..shape
                },
                ..doc
            };
            let n = u.int_in_range(0..=4usize)?;
            let mut pairs = Vec::new();
            for _ in 0..n {
                let k = name(u)?;
                let v = template(u, inner)?;
                set_pair(&mut pairs, &k, v);
            }
            Value::Object(pairs)
        }
        5 if shape.depth > 0 => {
            let inner = Doc {
                shape: Shape {
                    depth: shape.depth - 1,
                    ..shape
                },
                ..doc
            };
            list(u, 4, |u| template(u, inner))?
        }
        _ if doc.tame => match value(u, Shape { depth: 0, ..shape })? {
            Value::String(_) => Value::String(tame_text(u)?),
            v => v,
        },
        _ => value(u, shape)?,
    })
}

fn placeholder_name(u: &mut Unstructured) -> Result<String> {
    let n = name(u)?;
    Ok(
        if n.trim().is_empty() || n.contains("{{") || n.contains("}}") {
            "a".into()
        } else {
            n
        },
    )
}

/// Ids the documents share, so webhooks find their destinations.
pub const DEST_IDS: &[&str] = &["d1", "d2", "slack-cs"];

const TOKENS: &[&str] = &["tok", "a.b-c_d~e+f/g=", "\u{e9}\u{ff}", "x"];

/// An `auth` object: coherent when tame.
pub fn auth(u: &mut Unstructured, doc: Doc) -> Result<Value> {
    let tame = doc.tame;
    let kind = one_of(
        u,
        tame,
        &["none", "bearer", "basic", "oauth2"],
        &["Bearer", "digest", ""],
    )?;
    let k = kind.as_str().unwrap_or_default().to_string();
    let mut o = Obj::new(u, doc);
    o.req("type", |_| Ok(kind))?;
    let all = !tame;
    if all || k == "bearer" {
        o.field("token", 160, |u| one_of(u, tame, TOKENS, TEXTS))?;
    }
    if all || k == "basic" {
        o.req("username", |u| {
            one_of(u, tame, &["user", "\u{e9}", "a b"], &["a:b", ""])
        })?;
        o.field("password", 160, |u| Ok(Value::String(text(u)?)))?;
    }
    if all || k == "oauth2" {
        o.req("tokenUrl", |u| Ok(Value::String(url(u, tame)?)))?;
        o.req("clientId", |u| {
            one_of(u, tame, &["client", "a b&c=d"], &["", " "])
        })?;
        o.field("clientSecret", 160, |u| Ok(Value::String(text(u)?)))?;
        o.field("scope", 100, |u| {
            one_of(u, tame, &["", "read write", "a&b=c"], &[])
        })?;
    }
    o.done()
}

/// A destination object with the given id.
pub fn destination(u: &mut Unstructured, doc: Doc, id: &str) -> Result<Value> {
    let tame = doc.tame;
    let shape = doc.shape;
    let mode = one_of(
        u,
        tame,
        &["cors", "cors", "simple", "no-cors"],
        &["CORS", "navigate"],
    )?;
    let cors = mode.as_str() == Some("cors");
    let method = if tame && !cors {
        one_of(u, tame, &["POST", "GET", "get"], &[])?
    } else {
        one_of(
            u,
            tame,
            &["POST", "GET", "PUT", "PATCH", "DELETE", "get"],
            &["TRACE", ""],
        )?
    };
    let get = method
        .as_str()
        .is_some_and(|m| m.eq_ignore_ascii_case("get"));
    let id = if tame || u.ratio(7, 8)? {
        s(id)
    } else {
        one_of(u, tame, DEST_IDS, &[])?
    };
    let mut o = Obj::new(u, doc);
    o.req("id", |_| Ok(id))?;
    o.field("platform", 64, |u| {
        one_of(u, tame, &["Slack", "Mixpanel", ""], &[])
    })?;
    o.field("method", 200, |_| Ok(method))?;
    o.req("url", |u| Ok(Value::String(url(u, tame)?)))?;
    if cors || !tame {
        o.field("auth", 100, |u| auth(u, doc))?;
        o.field("headers", 100, |u| {
            list(u, 4, |u| {
                let mut h = Obj::new(u, doc);
                h.req("name", |u| {
                    one_of(
                        u,
                        tame,
                        &[
                            "X-Team",
                            "x_a.b~c",
                            "Content-Type",
                            "content-type",
                            "Idempotency-Key",
                        ],
                        HEADER_NAMES,
                    )
                })?;
                h.field("value", 240, |u| {
                    Ok(if u.ratio(1, 8)? {
                        Value::Number(number(u, true)?)
                    } else {
                        one_of(
                            u,
                            tame,
                            &[
                                "cs",
                                "",
                                " padded ",
                                "a\tb",
                                "application/json",
                                "\u{e9}",
                                "\u{ff}",
                            ],
                            HEADER_VALUES,
                        )?
                    })
                })?;
                h.done()
            })
        })?;
        o.field("idempotencyHeader", 128, |u| {
            Ok(Value::Bool(u.arbitrary()?))
        })?;
    }
    o.field("mode", 200, |_| Ok(mode))?;
    o.field("body", 128, |u| {
        let t = template(u, doc)?;
        Ok(match t {
            Value::Object(_) => t,
            _ if tame && get => Value::Object(vec![("q".into(), t)]),
            _ => t,
        })
    })?;
    o.field("timeoutMs", 64, |u| {
        Ok(Value::Number(if tame {
            f64::from(u.int_in_range(100..=120_000u32)?)
        } else {
            number(u, shape.finite)?
        }))
    })?;
    o.field("maxAttempts", 64, |u| {
        Ok(Value::Number(if tame {
            f64::from(u.int_in_range(1..=25u32)?)
        } else {
            number(u, shape.finite)?
        }))
    })?;
    o.done()
}

/// Condition operators, with a few that are not.
pub const OPERATORS: &[&str] = &[
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "matches",
    "gt",
    "gte",
    "lt",
    "lte",
    "exists",
    "not_exists",
    "in",
];

/// Patterns the regex crate compiles (within the module's size limit).
pub const VALID_PATTERNS: &[&str] = patterns!["(?i)\u{e9}", "(?P<n>a)", "", ".",];

/// A condition row.
pub fn condition(u: &mut Unstructured, doc: Doc) -> Result<Value> {
    let tame = doc.tame;
    let shape = doc.shape;
    let op = match one_of(u, tame, OPERATORS, &["Equals", "="])? {
        Value::String(s) => s,
        _ => String::new(),
    };
    let mut o = Obj::new(u, doc);
    o.req("property", |u| Ok(Value::String(placeholder_name(u)?)))?;
    let operator = Value::String(op.clone());
    o.req("operator", |_| Ok(operator))?;
    let scalar = Shape { depth: 0, ..shape };
    o.req("value", |u| {
        Ok(match op.as_str() {
            "matches" => {
                let patterns = if tame || u.ratio(1, 2)? {
                    VALID_PATTERNS
                } else {
                    PATTERNS
                };
                s(pick(u, patterns)?)
            }
            "in" if tame || u.ratio(3, 4)? => list(u, 5, |u| value(u, scalar))?,
            "gt" | "gte" | "lt" | "lte" if tame => {
                if u.arbitrary()? {
                    Value::Number(number(u, shape.finite)?)
                } else {
                    Value::String(text(u)?)
                }
            }
            _ => value(u, scalar)?,
        })
    })?;
    o.field("ignoreCase", 128, |u| Ok(Value::Bool(u.arbitrary()?)))?;
    o.field("join", 128, |u| {
        one_of(u, tame, &["and", "or", "OR"], &["xor"])
    })?;
    o.done()
}

/// A name fit for `as` or a static property (no whitespace, not empty).
fn output_name(u: &mut Unstructured, tame: bool) -> Result<String> {
    let n = name(u)?;
    Ok(
        if tame && (n.is_empty() || n.chars().any(char::is_whitespace)) {
            "out".into()
        } else {
            n
        },
    )
}

/// A webhook object with the given id, pointing at one of `destinations`.
pub fn webhook(u: &mut Unstructured, doc: Doc, id: &str, destinations: &[&str]) -> Result<Value> {
    let tame = doc.tame;
    let shape = doc.shape;
    let id = if tame || u.ratio(7, 8)? {
        s(id)
    } else {
        one_of(u, tame, &["w1"], &["a:b", "w\u{1f600}", ""])?
    };
    let destination = if destinations.is_empty() {
        one_of(u, tame, DEST_IDS, &[])?
    } else {
        one_of(u, tame, destinations, DEST_IDS)?
    };
    let mut o = Obj::new(u, doc);
    o.req("id", |_| Ok(id))?;
    o.field("name", 64, |u| Ok(Value::String(text(u)?)))?;
    o.field("enabled", 64, |u| Ok(Value::Bool(u.ratio(7, 8)?)))?;
    o.req("event", |u| {
        Ok(Value::String(if tame {
            if u.ratio(3, 4)? {
                "survey.submitted".into()
            } else {
                pick(u, EVENTS)?.id.to_string()
            }
        } else {
            event_id(u)?
        }))
    })?;
    o.field("conditions", 160, |u| list(u, 5, |u| condition(u, doc)))?;
    o.field("properties", 100, |u| {
        let n = u.int_in_range(0..=5usize)?;
        let mut out = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for _ in 0..n {
            let name = placeholder_name(u)?;
            let rename = if u.ratio(1, 2)? {
                Some(output_name(u, tame)?)
            } else {
                None
            };
            let sent = rename.clone().unwrap_or_else(|| name.clone());
            if tame && used.contains(&sent) {
                continue;
            }
            used.push(sent);
            out.push(if rename.is_none() && u.ratio(1, 4)? {
                Value::String(name)
            } else {
                let mut p = Obj::new(u, doc);
                let nv = Value::String(name);
                p.req("name", |_| Ok(nv))?;
                if let Some(r) = rename {
                    p.field("as", 255, |_| Ok(Value::String(r)))?;
                }
                p.field("hash", 64, |u| Ok(Value::Bool(u.arbitrary()?)))?;
                p.done()?
            });
        }
        Ok(Value::Array(out))
    })?;
    o.field("static", 100, |u| {
        let n = u.int_in_range(0..=4usize)?;
        let mut out = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for _ in 0..n {
            let name = output_name(u, tame)?;
            if tame && used.contains(&name) {
                continue;
            }
            used.push(name.clone());
            let mut p = Obj::new(u, doc);
            p.req("name", |_| Ok(Value::String(name)))?;
            p.field("value", 220, |u| value(u, Shape { depth: 1, ..shape }))?;
            out.push(p.done()?);
        }
        Ok(Value::Array(out))
    })?;
    o.req("destination", |_| Ok(destination))?;
    o.done()
}

/// A whole settings document; mostly tame (see [`Doc`]).
pub fn document(u: &mut Unstructured, shape: Shape) -> Result<Value> {
    let doc = Doc {
        shape,
        tame: !rare(u, 3)?,
    };
    let tame = doc.tame;
    let n_dest = u.int_in_range(if tame { 1 } else { 0 }..=3usize)?;
    let dest_ids = &DEST_IDS[..n_dest];
    let n_hooks = u.int_in_range(if tame { 1 } else { 0 }..=3usize)?;
    let mut o = Obj::new(u, doc);
    o.req("version", |u| {
        Ok(if tame || u.ratio(15, 16)? {
            Value::Number(1.0)
        } else {
            Value::Number(number(u, shape.finite)?)
        })
    })?;
    o.field("captureInputValues", 64, |u| {
        Ok(Value::Bool(u.arbitrary()?))
    })?;
    o.req("destinations", |u| {
        Ok(Value::Array(
            dest_ids
                .iter()
                .map(|id| destination(u, doc, id))
                .collect::<Result<_>>()?,
        ))
    })?;
    o.req("webhooks", |u| {
        Ok(Value::Array(
            ["w1", "w2", "wh-nps"][..n_hooks]
                .iter()
                .map(|id| webhook(u, doc, id, dest_ids))
                .collect::<Result<_>>()?,
        ))
    })?;
    o.done()
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

/// A stored record (`Delivery::to_record`'s shape) with fields that are
/// plausible, damaged, missing or of the wrong type.
pub fn record(u: &mut Unstructured, shape: Shape, destinations: &[String]) -> Result<Value> {
    let mut o = Obj::new(u, Doc { shape, tame: false });
    o.field("v", 250, |u| {
        Ok(Value::Number(if u.ratio(15, 16)? {
            1.0
        } else {
            number(u, shape.finite)?
        }))
    })?;
    o.field("key", 250, |u| {
        one_of(u, false, &["e1:w1", "e2:w1", "e1:w2", "ev-1:w1", ""], &[])
    })?;
    o.field("webhook", 250, |u| {
        one_of(u, false, &["w1", "w2", "wh-nps"], &[])
    })?;
    o.field("destination", 250, |u| {
        Ok(if !destinations.is_empty() && u.ratio(3, 4)? {
            Value::String(pick(u, destinations)?.clone())
        } else {
            one_of(u, false, DEST_IDS, &[])?
        })
    })?;
    o.field("event", 250, |u| {
        one_of(u, false, &["e1", "e2", "ev-1"], &[])
    })?;
    o.field("method", 250, |u| {
        one_of(
            u,
            false,
            &["POST", "GET", "PUT", "PATCH", "DELETE", "post"],
            &[],
        )
    })?;
    o.field("url", 250, |u| one_of(u, false, URLS, &[]))?;
    o.field("mode", 250, |u| {
        one_of(u, false, &["cors", "simple", "no-cors", "x"], &[])
    })?;
    o.field("headers", 250, |u| {
        list(u, 3, |u| {
            Ok(match u.int_in_range(0..=5u8)? {
                0 => value(u, shape)?,
                1 => list(u, 3, |u| Ok(Value::String(text(u)?)))?,
                _ => Value::Array(vec![
                    one_of(u, false, HEADER_NAMES, &[])?,
                    one_of(u, false, HEADER_VALUES, &[])?,
                ]),
            })
        })
    })?;
    o.field("body", 240, |u| {
        Ok(if u.ratio(1, 4)? {
            Value::Null
        } else {
            Value::String(text(u)?)
        })
    })?;
    for k in ["attempts", "nextAt", "createdAt", "storedAt"] {
        o.field(k, 250, |u| Ok(Value::Number(time_like(u, shape.finite)?)))?;
    }
    o.done()
}

/// A time or count as a record holds it.
fn time_like(u: &mut Unstructured, finite: bool) -> Result<f64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => 1_700_000_000_000.0 + f64::from(u.arbitrary::<i32>()?),
        1 => f64::from(u.int_in_range(0u32..=30)?),
        _ => number(u, finite)?,
    })
}

/// Known bugs: while a finding is open, its harness filter goes here (a
/// function that is true for the inputs to leave out unless
/// `strict_for("<target>-<n>")`), so that fuzzing goes on past it.
/// `WMWH_FUZZ_STRICT=1` turns every filter off. Open, filtered in the
/// engine harness: engine-6 (it polls before adopting, as the browser shell
/// always does) and engine-7 (it gives emit at most 200 properties); the
/// other findings (fuzz/README.md) are fixed and their filters gone.
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
    /// list of findings (`WMWH_FUZZ_STRICT=engine-2,engine-4`), to minimise
    /// one of them without the others getting in the way.
    pub fn strict_for(finding: &str) -> bool {
        strict() || setting().split(',').any(|f| f.trim() == finding)
    }
}
