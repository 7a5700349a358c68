//! Valid settings documents (version 1), made from a stream of choices: the
//! one place that encodes the settings rules for generating documents. The
//! property tests (`tests/properties.rs`, choices from a seed) and the
//! fuzzers (`fuzz/src/lib.rs`, choices from the fuzzer's bytes) both use it.
//!
//! Every document it makes is accepted by `Settings::from_json` (the property
//! test `generated_settings_are_valid` holds it to that), and together they
//! use every feature of settings v1 as the reader accepts it: destinations
//! with every method, `https` and local `http` URLs with `{{placeholders}}`
//! in path, query and fragment, every authentication type (bearer with a
//! published token, `tokenFrom` or neither, basic, OAuth 2.0), headers, the
//! three modes and what ties them (`simple` and `no-cors`: GET or POST, no
//! authentication, no Idempotency-Key, no JSON body), the three body
//! formats, body templates with fallbacks, literals and every filter,
//! batches, rate limits, timeouts and attempts; webhooks with catalog
//! events, conditions with every operator and a value that fits it
//! (`matches` patterns in the core's dialect), property selections with
//! renames and hashing, static properties; player event rows;
//! `keepUrlFragment` and `captureInputValues`.
//!
//! [`Style::Canonical`] keeps to the form `Settings` serialises to, which
//! the JSON Schema describes; [`Style::Lenient`] also uses the other
//! spellings the reader takes (`"get"`, `"OR"`, a bare property name as a
//! selection, a number as a header value, `null` for "absent", unknown
//! fields).
//!
//! A [`Source`] that has run dry answers 0, and the 0 of every choice is its
//! plainest valid option, so a document is always finished and valid.
//!
//! Published secrets (bearer tokens, passwords, client secrets) all start
//! with [`SECRET_MARK`], which nothing else generated here contains: a
//! harness can tell a leaked secret from a value that merely looks like one.
#![allow(dead_code)]

use walkme_webhooks::core::catalog::IDS;
use walkme_webhooks::core::settings::{Operator, Via};
use walkme_webhooks::core::template::FILTERS;
use walkme_webhooks::core::value::Value;

/// Every published secret starts with it; no other generated text holds it.
pub const SECRET_MARK: char = '\u{a7}';

/// Where the generator's choices come from.
pub trait Source {
    /// A number in `0..n` (0 when `n` is 0 or 1). A source that has run dry
    /// answers 0.
    fn below(&mut self, n: u32) -> u32;
}

/// splitmix64: choices from a seed (the property tests).
#[derive(Clone, Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Source for SplitMix {
    fn below(&mut self, n: u32) -> u32 {
        if n <= 1 {
            0
        } else {
            (self.next_u64() % u64::from(n)) as u32
        }
    }
}

/// Which spellings a document uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// The form `Settings` serialises to (what the JSON Schema describes).
    Canonical,
    /// Also every other spelling the reader accepts.
    Lenient,
}

/// A settings document.
pub fn document(s: &mut dyn Source, style: Style) -> Value {
    Gen::new(s, style).document()
}

/// A body template (the destination's `body`), `depth` levels of lists and
/// objects deep at most.
pub fn template(s: &mut dyn Source, depth: u32) -> Value {
    Gen::new(s, Style::Canonical).template(depth)
}

/// A destination URL template (`https://host/{{a}}/x?q={{b}}#{{c}}`).
pub fn url_template(s: &mut dyn Source) -> String {
    Gen::new(s, Style::Canonical).url_template()
}

/// One placeholder, `{{ source || source | filter }}`.
pub fn placeholder(s: &mut dyn Source) -> String {
    Gen::new(s, Style::Canonical).placeholder(false)
}

/// A `matches` pattern in the core's dialect, as a tree; [`Re::js`] writes it.
pub fn regex(s: &mut dyn Source, ascii: bool, budget: usize) -> Re {
    let mut b = budget;
    Gen::new(s, Style::Canonical).re_alt(2, ascii, &mut b)
}

/// A JSON value (finite numbers, unique keys), `depth` levels deep at most.
pub fn value(s: &mut dyn Source, depth: u32) -> Value {
    Gen::new(s, Style::Canonical).value(depth)
}

/// Free text (never with [`SECRET_MARK`]).
pub fn text(s: &mut dyn Source) -> String {
    Gen::new(s, Style::Canonical).text()
}

/// Event properties under the names settings read, with any values.
pub fn event_props(s: &mut dyn Source) -> Vec<(String, Value)> {
    let mut g = Gen::new(s, Style::Canonical);
    let n = g.upto(8);
    let mut out: Vec<(String, Value)> = Vec::with_capacity(n);
    for _ in 0..n {
        let k = g.property_name();
        let v = g.value(2);
        if !out.iter().any(|(o, _)| *o == k) {
            out.push((k, v));
        }
    }
    out
}

/// Property names: the catalog's common ones and a few odd ones. All of them
/// can stand in a placeholder.
pub const PROPERTY_NAMES: &[&str] = &[
    "user.id",
    "answer.value",
    "survey.name",
    "survey.id",
    "event.id",
    "event.type",
    "event.name",
    "event.timestamp",
    "page.url",
    "session.id",
    "user.email",
    "item.id",
    "step.index",
    "tags",
    "a",
    "b",
    "n",
    "email",
    "app id",
    "\u{e9}",
    "x.y.z",
    "properties",
    "batch",
    "missing",
];

/// Text that means something to a parser, a template, a URL or a case fold.
pub const TEXTS: &[&str] = &[
    "",
    "NPS",
    "nps",
    " ",
    "7",
    " 4.5 ",
    "-1e3",
    "0x10",
    "true",
    "null",
    "NaN",
    "Jane@Example.com ",
    "\u{e9}\u{1f600}",
    "\u{130}stanbul",
    "stra\u{df}e",
    "\u{fb00}",
    "a\u{301}",
    "\u{feff}BOM",
    "\u{200b}",
    "line\nbreak",
    "\r\n",
    "tab\tbed",
    "\u{0}",
    "\u{2028}",
    "\"quoted\"",
    "back\\slash",
    "a/b?c=d&e#f",
    "%",
    "%zz",
    "../..",
    "<b>&amp;</b>",
    "{{user.id}}",
    "{{",
    "}}",
    "{{ }}",
    "{{a}",
    "x{{event.id}}y",
    "a|b||c",
    "\u{10ffff}",
    "\u{ffff}",
];

/// What free text is made of.
const CHARS: &[char] = &[
    'a',
    'b',
    'Z',
    '0',
    '7',
    ' ',
    '.',
    '-',
    '_',
    ':',
    '/',
    '?',
    '#',
    '&',
    '=',
    '%',
    '+',
    '{',
    '}',
    '|',
    '"',
    '\'',
    '\\',
    '<',
    '>',
    '@',
    ',',
    '\n',
    '\r',
    '\t',
    '\0',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{e9}',
    '\u{ff}',
    '\u{df}',
    '\u{130}',
    '\u{100}',
    '\u{20ac}',
    '\u{301}',
    '\u{200b}',
    '\u{2028}',
    '\u{feff}',
    '\u{1f600}',
    '\u{10ffff}',
];

/// Numbers JSON can carry, at their edges.
const NUMBERS: &[f64] = &[
    0.0,
    1.0,
    -1.0,
    7.0,
    0.5,
    -0.0,
    1e21,
    1e-7,
    123_456_789.123,
    9_007_199_254_740_992.0,
    9_007_199_254_740_994.0,
    f64::MAX,
    f64::MIN_POSITIVE,
    5e-324,
    -3.094_655_275_211_304e96,
    1_700_000_000_000.0,
    4_294_967_296.0,
];

const DEST_IDS: &[&str] = &[
    "d1", "slack-cs", "Dest 2", "\u{e9}", "x.y_z", "D1", "a/b", "1", " padded ", "a:b",
];
const HOOK_IDS: &[&str] = &[
    "w1",
    "nps-to-slack",
    "hook 2",
    "\u{fc}",
    "W1",
    "a.b",
    "0",
    "wh_nps",
];

/// Hosts for `https` (the URL standard parses them all).
const HOSTS: &[&str] = &[
    "example.com",
    "x.io",
    "hooks.slack.com",
    "EXAMPLE.COM",
    "api.eu.example.co.uk",
    "xn--e1afmkfd.xn--p1ai",
    "\u{e9}.example",
    "a-b_c.example",
    "192.0.2.1",
    "[2001:db8::1]",
    "localhost",
    "127.0.0.1",
    "[::1]",
];
/// Hosts for plain `http`: the local machine.
const LOCAL_HOSTS: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "[::1]",
    "a.localhost",
    "LOCALHOST",
];
const PORTS: &[&str] = &[":443", ":8080", ":65535", ":1", ":8787", ":0"];
/// Literal path segments, dot segments and encodings among them.
const URL_WORDS: &[&str] = &[
    "hook",
    "v1",
    "users",
    "events",
    "a.b",
    "~x",
    "%20",
    "\u{e9}",
    "..",
    ".",
    "",
    "x{y}",
    "a}}b",
    "%2e",
    "T000",
    "XXXX",
    "a;b",
    "@",
    "!$&'()*+,;=",
];
const QUERY_WORDS: &[&str] = &[
    "src=wm",
    "a=1",
    "measurement_id=G-1",
    "x",
    "\u{e9}=\u{e9}",
    "q=%20",
];
/// Paths on the page's own site, for `tokenFrom`.
const TOKEN_PATHS: &[&str] = &[
    "/api/walkme-token",
    "/t",
    "/a/b?x=1",
    "/\u{e9}",
    "/token#f",
    "/%2F%2Fevil",
];
const TOKEN_TAILS: &[&str] = &[
    "tok",
    "a.b-c_d~e+f/g=",
    "\u{e9}\u{ff}",
    "x",
    "eyJhbGciOi.J9.sig",
    "!#$%&'*+",
];
const HEADER_NAMES: &[&str] = &[
    "X-Team",
    "x_a.b~c",
    "Content-Type",
    "content-type",
    "X-Api-Key",
    "Idempotency-Key",
    "Accept",
    "X-Request-ID",
    "!#$%&'*+-.^_`|~",
];
const HEADER_VALUES: &[&str] = &[
    "cs",
    "",
    " padded ",
    "a\tb",
    "application/json",
    "text/plain",
    "\u{e9}",
    "\u{ff}",
    "Bearer x",
    "{{user.id}}",
];
/// Fallback literals in placeholders (a quoted text holds no `"`, `{{`, `}}`).
const QUOTED: &[&str] = &["a visitor", "", "n/a", "a|b", "\u{e9}", "0", "x || y"];
const NUMBER_LITERALS: &[&str] = &["0", "7", "-1", "2.5", "1e3", "-0.25", "100000"];
const FILTER_COUNTS: &[&str] = &["1", "40", "100", "100000", "007", " 5 "];
const PLAYER_TYPES: &[&str] = &[
    "SurveySubmitted",
    "SurveyCompleted",
    "swt-step",
    "Custom Event",
    "\u{e9}",
];

struct Gen<'a> {
    s: &'a mut dyn Source,
    lenient: bool,
}

#[derive(Default)]
struct Obj(Vec<(String, Value)>);

impl Obj {
    fn put(&mut self, k: &str, v: impl Into<Value>) {
        self.0.push((k.to_string(), v.into()));
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn num(n: u32) -> Value {
    Value::Number(f64::from(n))
}

/// `s` with every `{{` broken up (plain text in a template).
fn no_placeholder(mut s: String) -> String {
    while s.contains("{{") {
        s = s.replace("{{", "{ {");
    }
    s
}

impl<'a> Gen<'a> {
    fn new(s: &'a mut dyn Source, style: Style) -> Self {
        Gen {
            s,
            lenient: style == Style::Lenient,
        }
    }

    // ------------------------------------------------------------ choices

    fn below(&mut self, n: u32) -> u32 {
        self.s.below(n)
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len() as u32) as usize]
    }

    /// True once in `n` (never from a dry source).
    fn one_in(&mut self, n: u32) -> bool {
        self.below(n) == n - 1
    }

    fn upto(&mut self, max: usize) -> usize {
        self.below(max as u32 + 1) as usize
    }

    /// A whole number in `lo..=hi`, often one of the ends.
    fn int_in(&mut self, lo: u32, hi: u32) -> u32 {
        match self.below(4) {
            0 => lo,
            1 => hi,
            _ => lo + self.below(hi - lo + 1),
        }
    }

    /// A spelling the lenient style may use instead of the canonical one.
    fn lenient_or<T>(&mut self, canonical: T, other: T) -> T {
        if self.lenient && self.one_in(4) {
            other
        } else {
            canonical
        }
    }

    // --------------------------------------------------------------- text

    fn chars(&mut self, max: usize) -> String {
        let n = self.upto(max);
        (0..n).map(|_| *self.pick(CHARS)).collect()
    }

    fn text(&mut self) -> String {
        match self.below(8) {
            0..=3 => self.pick(TEXTS).to_string(),
            4 => self.pick(PROPERTY_NAMES).to_string(),
            5 => self.chars(12),
            6 => {
                let a = self.pick(TEXTS).to_string();
                a + &self.chars(6)
            }
            _ if self.one_in(16) => {
                // Past the event's 8 KiB text cap, or the 32 KiB request cap.
                let unit = self.pick(&TEXTS[1..]).to_string();
                let bytes = *self.pick(&[9_000usize, 40_000]);
                unit.repeat(bytes / unit.len() + 1)
            }
            _ => {
                let a = self.pick(TEXTS).to_string();
                a + *self.pick(TEXTS)
            }
        }
    }

    /// Text the reader takes as present (not blank).
    fn nonblank(&mut self) -> String {
        let mut t = self.text();
        if t.trim().is_empty() {
            t.push_str(self.pick::<&str>(&["x", "NPS", "\u{e9}"]));
        }
        t
    }

    /// A name without whitespace (renames, static properties, player fields).
    fn word(&mut self) -> String {
        let t: String = if self.one_in(2) {
            self.pick(PROPERTY_NAMES).to_string()
        } else {
            self.text()
        };
        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            "x".into()
        } else {
            t
        }
    }

    fn property_name(&mut self) -> String {
        if self.one_in(8) {
            self.nonblank()
        } else {
            self.pick(PROPERTY_NAMES).to_string()
        }
    }

    /// A value a header can carry: Latin-1, one line, no control characters.
    fn header_value(&mut self) -> String {
        if self.one_in(2) {
            return self.pick(HEADER_VALUES).to_string();
        }
        self.text()
            .chars()
            .filter(|&c| c == '\t' || (' '..='\u{ff}').contains(&c) && c != '\u{7f}')
            .collect()
    }

    /// A published bearer token: one word of Latin-1.
    fn secret_token(&mut self) -> String {
        format!("{SECRET_MARK}{}", self.pick(TOKEN_TAILS))
    }

    /// A published password or client secret: any text.
    fn secret_text(&mut self) -> String {
        format!("{SECRET_MARK}{}", self.text())
    }

    fn unique(&mut self, pool: &[&str], used: &mut Vec<String>) -> String {
        let mut id = self.pick(pool).to_string();
        if used.contains(&id) {
            id = format!("{id}-{}", used.len());
        }
        used.push(id.clone());
        id
    }

    // ------------------------------------------------------------- values

    fn number(&mut self) -> f64 {
        match self.below(4) {
            0 => *self.pick(NUMBERS),
            1 => f64::from(self.below(201)) - 100.0,
            2 => {
                let bits = (0..4).fold(0u64, |b, _| b << 16 | u64::from(self.below(1 << 16)));
                let n = f64::from_bits(bits);
                if n.is_finite() {
                    n
                } else {
                    0.0
                }
            }
            _ => (f64::from(self.below(1 << 20)) - f64::from(1u32 << 19)) / 8.0,
        }
    }

    fn value(&mut self, depth: u32) -> Value {
        match self.below(if depth > 0 { 7 } else { 4 }) {
            0 => Value::Null,
            1 => Value::Bool(self.one_in(2)),
            2 => Value::Number(self.number()),
            3 => Value::String(self.text()),
            4 | 5 => {
                let n = self.upto(4);
                Value::Array((0..n).map(|_| self.value(depth - 1)).collect())
            }
            _ => {
                let n = self.upto(4);
                let mut pairs: Vec<(String, Value)> = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = self.text();
                    let v = self.value(depth - 1);
                    if !pairs.iter().any(|(o, _)| *o == k) {
                        pairs.push((k, v));
                    }
                }
                Value::Object(pairs)
            }
        }
    }

    /// Text, a number or a boolean: a value `equals` and the like compare with.
    fn scalar(&mut self) -> Value {
        match self.below(3) {
            0 => Value::String(self.text()),
            1 => Value::Number(self.number()),
            _ => Value::Bool(self.one_in(2)),
        }
    }

    // ---------------------------------------------------------- templates

    /// One source of a placeholder.
    fn source(&mut self, batch: bool) -> String {
        match self.below(8) {
            0..=2 => self.pick(PROPERTY_NAMES).to_string(),
            3 => "properties".into(),
            4 => format!("\"{}\"", self.pick(QUOTED)),
            5 => self.pick(NUMBER_LITERALS).to_string(),
            6 if batch => "batch".into(),
            _ => {
                // A name of letters, dots and spaces, never a literal's start.
                let n = 1 + self.upto(6);
                let mut name = String::from(*self.pick(&["a", "x", "\u{e9}", "Z"]));
                for _ in 1..n {
                    name.push(*self.pick(&['a', 'b', '.', '_', ' ', '\u{e9}', '1', '-', ':']));
                }
                name
            }
        }
    }

    fn filter(&mut self) -> String {
        let name = *self.pick(&FILTERS);
        if matches!(name, "cut" | "cut_keys" | "limit") {
            let sep = *self.pick(&[":", " : ", ": "]);
            format!("{name}{sep}{}", self.pick(FILTER_COUNTS))
        } else {
            name.to_string()
        }
    }

    /// The inside of a placeholder; `batch`: its first source is `batch`.
    fn expr(&mut self, batch: bool) -> String {
        let mut out = String::new();
        if self.one_in(4) {
            out.push(' ');
        }
        out.push_str(&if batch {
            "batch".to_string()
        } else {
            self.source(false)
        });
        for _ in 0..self.upto(2) {
            out.push_str(self.pick::<&str>(&["||", " || ", "|| "]));
            let src = self.source(batch);
            out.push_str(&src);
        }
        for _ in 0..self.upto(3) {
            out.push_str(self.pick::<&str>(&["|", " | ", " |"]));
            let f = self.filter();
            out.push_str(&f);
        }
        if self.one_in(4) {
            out.push(' ');
        }
        out
    }

    fn placeholder(&mut self, batch: bool) -> String {
        format!("{{{{{}}}}}", self.expr(batch))
    }

    /// Literal text for a template: no `{{`, and no `{` at its end (which
    /// would open the next placeholder early).
    fn literal_text(&mut self) -> String {
        let mut t = no_placeholder(self.text());
        if t.ends_with('{') {
            t.push(' ');
        }
        t
    }

    /// Text with placeholders in it.
    fn text_template(&mut self, batch: bool) -> String {
        let n = 2 + self.upto(3);
        let at = self.below(n as u32) as usize;
        let mut out = String::new();
        for i in 0..n {
            if i == at || self.one_in(2) {
                let p = self.placeholder(batch && i == at);
                out.push_str(&p);
            } else {
                let t = self.literal_text();
                out.push_str(&t);
            }
        }
        out
    }

    /// A scalar without placeholders, for a template (not `null`).
    fn literal_scalar(&mut self) -> Value {
        match self.value(0) {
            Value::String(s) => Value::String(no_placeholder(s)),
            Value::Null => Value::Bool(true),
            other => other,
        }
    }

    /// A body template (never `null` at the top, which reads as "absent").
    fn template(&mut self, depth: u32) -> Value {
        match self.below(8) {
            0 => Value::String("{{properties}}".into()),
            1 | 2 => Value::String(self.placeholder(false)),
            3 => Value::String(self.text_template(false)),
            4 => self.literal_scalar(),
            5 | 6 if depth > 0 => self.object_template(depth - 1),
            7 if depth > 0 => {
                let n = self.upto(4);
                Value::Array(
                    (0..n)
                        .map(|_| {
                            if self.one_in(6) {
                                Value::Null
                            } else {
                                self.template(depth - 1)
                            }
                        })
                        .collect(),
                )
            }
            _ => Value::String(self.placeholder(false)),
        }
    }

    fn object_template(&mut self, depth: u32) -> Value {
        let n = self.upto(4);
        let mut pairs: Vec<(String, Value)> = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.text();
            let v = if self.one_in(8) {
                Value::Null
            } else {
                self.template(depth)
            };
            if !pairs.iter().any(|(o, _)| *o == k) {
                pairs.push((k, v));
            }
        }
        Value::Object(pairs)
    }

    /// The body of a batch: where `{{batch}}` (the per-event bodies) goes.
    fn batch_template(&mut self) -> Value {
        let batch = Value::String(self.placeholder(true));
        match self.below(4) {
            0 => batch,
            1 => {
                let mut o = match self.object_template(1) {
                    Value::Object(pairs) => pairs,
                    _ => Vec::new(),
                };
                let key = self
                    .pick(&["events", "batch", "data", "\u{e9}"])
                    .to_string();
                o.retain(|(k, _)| *k != key);
                let at = self.upto(o.len());
                o.insert(at, (key, batch));
                Value::Object(o)
            }
            2 => Value::Array(vec![batch, self.template(0)]),
            _ => Value::String(self.text_template(true)),
        }
    }

    // --------------------------------------------------------------- URLs

    fn origin(&mut self, local_http: bool) -> String {
        let (scheme, host) = if local_http {
            (
                *self.pick(&["http", "HTTP", "hTTp"]),
                *self.pick(LOCAL_HOSTS),
            )
        } else {
            (*self.pick(&["https", "HTTPS", "Https"]), *self.pick(HOSTS))
        };
        let port = if self.one_in(4) {
            *self.pick(PORTS)
        } else {
            ""
        };
        format!("{scheme}://{host}{port}")
    }

    /// A piece of a URL: literal text or a placeholder.
    fn url_piece(&mut self) -> String {
        match self.below(5) {
            0 | 1 => self.pick(URL_WORDS).to_string(),
            2 | 3 => self.placeholder(false),
            _ => {
                let a = self.pick(URL_WORDS).to_string();
                a + &self.placeholder(false)
            }
        }
    }

    fn url_template(&mut self) -> String {
        let local = self.one_in(4);
        let mut url = self.origin(local);
        for _ in 0..self.upto(4) {
            url.push('/');
            for _ in 0..1 + self.upto(2) {
                let piece = self.url_piece();
                url.push_str(&piece);
            }
        }
        if self.one_in(2) {
            url.push('?');
            for i in 0..1 + self.upto(2) {
                if i > 0 {
                    url.push('&');
                }
                match self.below(4) {
                    0 => url.push_str(self.pick::<&str>(QUERY_WORDS)),
                    1 => {
                        url.push_str(self.pick::<&str>(&["q=", "user=", "a[]="]));
                        let p = self.placeholder(false);
                        url.push_str(&p);
                    }
                    2 => {
                        let p = self.placeholder(false);
                        url.push_str(&p);
                    }
                    _ => {
                        let (a, b) = (self.placeholder(false), self.placeholder(false));
                        url.push_str(&format!("{a}={b}"));
                    }
                }
            }
        }
        if self.one_in(4) {
            url.push('#');
            let piece = self.url_piece();
            url.push_str(&piece);
        }
        url
    }

    /// A URL without placeholders (an OAuth 2.0 token endpoint).
    fn plain_url(&mut self) -> String {
        let local = self.one_in(4);
        let mut url = self.origin(local);
        for _ in 0..self.upto(2) {
            url.push('/');
            url.push_str(self.pick::<&str>(&["token", "oauth2", "v1", "\u{e9}"]));
        }
        url
    }

    // ---------------------------------------------------------- documents

    fn document(&mut self) -> Value {
        let mut o = Obj::default();
        o.put("version", 1.0);
        for key in ["captureInputValues", "keepUrlFragment"] {
            match self.below(4) {
                0 => {}
                1 if self.lenient => o.put(key, Value::Null),
                _ => o.put(key, self.one_in(2)),
            }
        }
        let mut dest_ids = Vec::new();
        let n = self.upto(4);
        let mut dests = Vec::with_capacity(n);
        for _ in 0..n {
            let id = self.unique(DEST_IDS, &mut dest_ids);
            dests.push(self.destination(&id));
        }
        if n > 0 || self.one_in(2) {
            o.put("destinations", Value::Array(dests));
        }
        let n = if dest_ids.is_empty() { 0 } else { self.upto(5) };
        let mut hook_ids = Vec::new();
        let mut hooks = Vec::with_capacity(n);
        for _ in 0..n {
            let id = self.unique(HOOK_IDS, &mut hook_ids);
            hooks.push(self.webhook(&id, &dest_ids));
        }
        if n > 0 || self.one_in(2) {
            o.put("webhooks", Value::Array(hooks));
        }
        if self.one_in(3) {
            let n = self.upto(3);
            let rows = (0..n).map(|_| self.player_event()).collect();
            o.put("playerEvents", Value::Array(rows));
        }
        self.unknown_field(&mut o);
        o.done()
    }

    /// An unknown field (ignored by the reader), in the lenient style.
    fn unknown_field(&mut self, o: &mut Obj) {
        if self.lenient && self.one_in(8) {
            let v = self.value(1);
            o.put("x-note", v);
        }
    }

    /// An optional field: left out, or (lenient) `null`, or given.
    fn optional(&mut self, o: &mut Obj, key: &str, make: impl FnOnce(&mut Self) -> Value) {
        match self.below(3) {
            0 => {}
            1 if self.lenient && self.one_in(2) => o.put(key, Value::Null),
            _ => {
                let v = make(self);
                o.put(key, v);
            }
        }
    }

    fn destination(&mut self, id: &str) -> Value {
        let mode = *self.pick(&["cors", "simple", "no-cors"]);
        let cors = mode == "cors";
        let method = if cors {
            *self.pick(&["POST", "GET", "PUT", "PATCH", "DELETE"])
        } else {
            *self.pick(&["POST", "GET"])
        };
        let get = method == "GET";
        let mut o = Obj::default();
        o.put("id", id);
        self.optional(&mut o, "platform", |g| Value::String(g.text()));
        if method != "POST" || self.one_in(2) {
            let spelled = self.lenient_or(method.to_string(), method.to_ascii_lowercase());
            o.put("method", spelled);
        }
        o.put("url", self.url_template());
        // Authentication only in cors mode; the others send none.
        let auth = if cors {
            self.auth()
        } else {
            match self.below(3) {
                0 => None,
                1 => Some(self.lenient_or(
                    Value::Object(vec![("type".into(), "none".into())]),
                    Value::Null,
                )),
                _ => Some(Value::Object(vec![("type".into(), "none".into())])),
            }
        };
        let auth_none = auth
            .as_ref()
            .is_none_or(|a| a.is_null() || a.get("type").and_then(Value::as_str) == Some("none"));
        if let Some(a) = auth {
            o.put("auth", a);
        }
        let n = self.upto(3);
        let mut own_key = false;
        if n > 0 || self.one_in(4) {
            let headers: Vec<Value> = (0..n).map(|_| self.header(auth_none)).collect();
            own_key = headers.iter().any(|h| {
                h.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key"))
            });
            o.put("headers", Value::Array(headers));
        }
        if !cors || self.one_in(3) {
            o.put("mode", mode);
        }
        // JSON needs a preflight, so cors mode (a GET has no body to type).
        let formats: &[&str] = if cors || get {
            &["json", "form", "text"]
        } else {
            &["text", "form"]
        };
        self.optional(&mut o, "format", |g| {
            Value::String(g.pick(formats).to_string())
        });
        match self.below(4) {
            0 => {}
            1 if self.lenient => o.put("body", Value::Null),
            // A GET sends its body as query parameters: an object.
            _ if get => {
                let depth = 1 + self.below(2);
                let t = self.object_template(depth);
                o.put("body", t);
            }
            _ => {
                let t = self.template(2);
                o.put("body", t);
            }
        }
        // Batches need a body: GET carries one event.
        if !get && self.one_in(4) {
            let mut b = Obj::default();
            if self.one_in(2) {
                let n = self.int_in(1, 500);
                b.put("maxEvents", num(n));
            }
            if self.one_in(2) {
                let n = self.int_in(0, 60_000);
                b.put("maxWaitMs", num(n));
            }
            let body = self.batch_template();
            b.put("body", body);
            o.put("batch", b.done());
        } else if self.lenient && self.one_in(8) {
            o.put("batch", Value::Null);
        }
        if self.one_in(4) {
            // The reader takes 1 for a count left out; the schema wants both.
            let mut r = Obj::default();
            if !(self.lenient && self.one_in(4)) {
                let n = if self.one_in(3) {
                    self.int_in(1, 1000)
                } else {
                    1 + self.below(5)
                };
                r.put("requests", num(n));
            }
            if !(self.lenient && self.one_in(4)) {
                let n = self.int_in(1, 3600);
                r.put("seconds", num(n));
            }
            o.put("rate", r.done());
        } else if self.lenient && self.one_in(8) {
            o.put("rate", Value::Null);
        }
        self.optional(&mut o, "timeoutMs", |g| num(g.int_in(100, 120_000)));
        self.optional(&mut o, "maxAttempts", |g| num(g.int_in(1, 25)));
        // Idempotency-Key is a custom header: cors mode only, and not next
        // to a header of that name.
        if own_key {
            if self.one_in(4) {
                o.put("idempotencyHeader", false);
            }
        } else if cors {
            self.optional(&mut o, "idempotencyHeader", |g| Value::Bool(g.one_in(2)));
        } else if self.one_in(4) {
            o.put("idempotencyHeader", false);
        }
        self.unknown_field(&mut o);
        o.done()
    }

    /// A header; `Authorization` only when the destination has no auth.
    fn header(&mut self, auth_none: bool) -> Value {
        let mut h = Obj::default();
        let name = if auth_none && self.one_in(8) {
            "Authorization"
        } else {
            *self.pick(HEADER_NAMES)
        };
        h.put("name", name);
        match self.below(8) {
            0 if self.lenient => {}
            1 if self.lenient => h.put("value", Value::Null),
            2 if self.lenient => h.put("value", Value::Number(f64::from(self.below(100)) / 4.0)),
            _ => {
                let v = self.header_value();
                h.put("value", v);
            }
        }
        h.done()
    }

    /// An `auth` object, or none (left out).
    fn auth(&mut self) -> Option<Value> {
        let mut o = Obj::default();
        match self.below(6) {
            0 => return None,
            1 => {
                if self.lenient && self.one_in(3) {
                    return Some(Value::Null);
                }
                o.put("type", "none");
            }
            2 | 3 => {
                o.put("type", "bearer");
                // A published token, a path on the site, or neither (a token
                // provider); never both.
                match self.below(4) {
                    0 => {}
                    1 => {
                        let t = self.secret_token();
                        o.put("token", t);
                    }
                    2 => {
                        let p = self.pick(TOKEN_PATHS).to_string();
                        o.put("tokenFrom", p);
                    }
                    _ => o.put("token", ""),
                }
                // `null` spells "absent" too.
                if self.lenient && self.one_in(4) {
                    for key in ["token", "tokenFrom"] {
                        if !o.0.iter().any(|(k, _)| k == key) {
                            o.put(key, Value::Null);
                        }
                    }
                }
            }
            4 => {
                o.put("type", "basic");
                let user: String = self.nonblank().chars().filter(|&c| c != ':').collect();
                o.put(
                    "username",
                    if user.trim().is_empty() {
                        "u".into()
                    } else {
                        user
                    },
                );
                self.optional(&mut o, "password", |g| Value::String(g.secret_text()));
            }
            _ => {
                o.put("type", "oauth2");
                let url = self.plain_url();
                o.put("tokenUrl", url);
                let id = self.nonblank();
                o.put("clientId", id);
                self.optional(&mut o, "clientSecret", |g| Value::String(g.secret_text()));
                match self.below(4) {
                    0 => {}
                    // An empty scope is no scope.
                    1 if self.lenient => {
                        let v = self
                            .pick(&[Value::Null, Value::String(String::new())])
                            .clone();
                        o.put("scope", v);
                    }
                    _ => {
                        let scope = self.pick(&["events:write", "read write", "a&b=c", "\u{e9}"]);
                        o.put("scope", *scope);
                    }
                }
            }
        }
        self.unknown_field(&mut o);
        Some(o.done())
    }

    fn webhook(&mut self, id: &str, destinations: &[String]) -> Value {
        let mut o = Obj::default();
        o.put("id", id);
        self.optional(&mut o, "name", |g| Value::String(g.text()));
        self.optional(&mut o, "enabled", |g| Value::Bool(g.below(4) > 0));
        let event = *self.pick(&IDS);
        o.put("event", event);
        let n = self.upto(4);
        if n > 0 || self.one_in(4) {
            let rows = (0..n).map(|_| self.condition()).collect();
            o.put("conditions", Value::Array(rows));
        }
        match self.below(4) {
            0 => {}
            1 if self.lenient => o.put("properties", Value::Null),
            _ => {
                let list = self.selections();
                o.put("properties", list);
            }
        }
        let n = self.upto(3);
        if n > 0 || self.one_in(4) {
            let mut used = Vec::new();
            let statics = (0..n)
                .map(|_| {
                    let mut name = self.word();
                    while used.contains(&name) {
                        name.push('_');
                    }
                    used.push(name.clone());
                    let mut st = Obj::default();
                    st.put("name", name);
                    if !(self.lenient && self.one_in(6)) {
                        let v = self.value(2);
                        st.put("value", v);
                    }
                    st.done()
                })
                .collect();
            o.put("static", Value::Array(statics));
        }
        let destination = self.pick(destinations).clone();
        o.put("destination", destination);
        self.unknown_field(&mut o);
        o.done()
    }

    /// Selected properties: each sent under a name no other one uses.
    fn selections(&mut self) -> Value {
        let n = self.upto(4);
        let mut used: Vec<String> = Vec::new();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let mut name = self.property_name();
            let mut rename = self.one_in(2).then(|| self.word());
            let hash = self.one_in(3);
            let sent = loop {
                let sent = rename.as_ref().unwrap_or(&name).clone();
                if !used.contains(&sent) {
                    break sent;
                }
                match &mut rename {
                    Some(r) => r.push('_'),
                    None => name.push('_'),
                }
            };
            used.push(sent);
            if rename.is_none() && !hash && self.lenient && self.one_in(2) {
                out.push(Value::String(name));
                continue;
            }
            let mut p = Obj::default();
            p.put("name", name);
            match rename {
                Some(r) => p.put("as", r),
                None if self.lenient && self.one_in(4) => {
                    let v = self
                        .pick(&[Value::Null, Value::String(String::new())])
                        .clone();
                    p.put("as", v);
                }
                None => {}
            }
            if hash || self.one_in(4) {
                p.put("hash", hash);
            }
            out.push(p.done());
        }
        Value::Array(out)
    }

    fn condition(&mut self) -> Value {
        let mut o = Obj::default();
        let property = self.property_name();
        o.put("property", property);
        let (op, name) = *self.pick(&Operator::ALL);
        o.put("operator", name);
        let value = match op {
            Operator::In => {
                let n = self.upto(4);
                Some(Value::Array((0..n).map(|_| self.value(1)).collect()))
            }
            Operator::Matches => {
                let re = self.re_alt(2, false, &mut 400);
                Some(Value::String(re.js()))
            }
            Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte => {
                Some(match self.below(3) {
                    0 => Value::Number(self.number()),
                    1 => Value::String(self.pick(&["7", " 4.5 ", "-1e3", "10"]).to_string()),
                    _ => Value::String(self.text()),
                })
            }
            Operator::Exists | Operator::NotExists => match self.below(3) {
                0 => None,
                1 => Some(Value::Null),
                _ => Some(self.value(1)),
            },
            // Compared with one value: text, a number or a boolean.
            _ => Some(self.scalar()),
        };
        if let Some(v) = value {
            o.put("value", v);
        }
        self.optional(&mut o, "ignoreCase", |g| Value::Bool(g.one_in(2)));
        match self.below(4) {
            0 => {}
            1 if self.lenient => {
                let v = self.pick(&[Value::Null, "OR".into(), "And".into()]).clone();
                o.put("join", v);
            }
            _ => o.put("join", *self.pick(&["and", "or"])),
        }
        o.done()
    }

    fn player_event(&mut self) -> Value {
        let mut o = Obj::default();
        let kind = if self.one_in(4) {
            self.nonblank()
        } else {
            self.pick(PLAYER_TYPES).to_string()
        };
        o.put("type", kind);
        let (_, via) = *self.pick(&Via::ALL);
        self.optional(&mut o, "via", |_| Value::String(via.into()));
        match self.below(4) {
            0 => {}
            1 => o.put("event", Value::Null),
            _ => o.put("event", *self.pick(&IDS)),
        }
        if self.one_in(2) {
            let n = self.upto(3);
            let mut fields: Vec<(String, Value)> = Vec::with_capacity(n);
            for _ in 0..n {
                let k = self.text();
                let v = Value::String(self.word());
                if !fields.iter().any(|(o, _)| *o == k) {
                    fields.push((k, v));
                }
            }
            o.put("fields", Value::Object(fields));
        }
        o.done()
    }

    // ------------------------------------------------- regular expressions

    fn re_alt(&mut self, depth: u32, ascii: bool, budget: &mut usize) -> Re {
        let n = 1 + self.upto(2);
        let mut alts = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 {
                if *budget < 4 {
                    break;
                }
                *budget -= 2;
            }
            alts.push(self.re_concat(depth, ascii, budget));
        }
        if alts.len() == 1 {
            alts.pop().unwrap_or(Re::Concat(Vec::new()))
        } else {
            Re::Alt(alts)
        }
    }

    fn re_concat(&mut self, depth: u32, ascii: bool, budget: &mut usize) -> Re {
        let n = self.upto(4);
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            if *budget < 2 {
                break;
            }
            let before = *budget;
            let atom = self.re_atom(depth, ascii, budget);
            let cost = before - *budget;
            items.push(if atom.repeatable() {
                self.re_repeat(atom, cost, budget)
            } else {
                atom
            });
        }
        if items.len() == 1 {
            items.pop().unwrap_or(Re::Concat(Vec::new()))
        } else {
            Re::Concat(items)
        }
    }

    /// `atom` (which takes `cost` instructions) repeated, if the budget
    /// allows (the core refuses programs over 500 instructions).
    fn re_repeat(&mut self, atom: Re, cost: usize, budget: &mut usize) -> Re {
        let (form, min, max) = match self.below(10) {
            0..=4 => return atom,
            5 => (Form::Star, 0, None),
            6 => (Form::Plus, 1, None),
            7 => (Form::Question, 0, Some(1)),
            _ => {
                let big = cost == 1 && self.one_in(8);
                let n = if big { 100 } else { self.upto(3) as u32 };
                match self.below(3) {
                    0 => (Form::Exactly, n, Some(n)),
                    1 => (Form::AtLeast, n, None),
                    _ => {
                        let m = if big { 100 } else { n + self.upto(3) as u32 };
                        (Form::Between, n.min(m), Some(m))
                    }
                }
            }
        };
        // Instructions beyond the one copy already counted.
        let copies = min as usize + max.map_or(1, |m| (m - min) as usize);
        let extra = (cost + 2) * copies;
        if extra > *budget {
            return atom;
        }
        *budget -= extra;
        Re::Repeat {
            re: Box::new(atom),
            min,
            max,
            form,
            lazy: self.one_in(4),
        }
    }

    fn re_char(&mut self, ascii: bool) -> (char, Spell) {
        const ASCII: &[char] = &[
            'a', 'b', 'N', 'P', 'S', 'x', '0', '9', ' ', '-', '_', ':', '@', ',', '"', '\'', '/',
            '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '\\', '\t', '\n',
            '\r', '\u{b}', '\u{c}', '\0', '\u{1}',
        ];
        const WIDE: &[char] = &[
            '\u{e9}',
            '\u{df}',
            '\u{130}',
            '\u{1f600}',
            '\u{2028}',
            '\u{100}',
            '\u{ff}',
            '\u{212a}',
        ];
        let c = if !ascii && self.one_in(4) {
            *self.pick(WIDE)
        } else {
            *self.pick(ASCII)
        };
        let mut spells = vec![Spell::Braced];
        if !is_syntax(c) && c >= ' ' {
            spells.extend([Spell::Plain, Spell::Plain, Spell::Plain]);
        }
        if c.is_ascii_punctuation() {
            spells.push(Spell::Backslash);
        }
        if (c as u32) <= 0xff {
            spells.push(Spell::Hex);
        }
        if (c as u32) <= 0xffff {
            spells.push(Spell::Unicode);
        }
        if matches!(c, '\t' | '\n' | '\r' | '\u{b}' | '\u{c}') {
            spells.push(Spell::Named);
        }
        if (1..=26).contains(&(c as u32)) {
            spells.push(Spell::Control);
        }
        (c, *self.pick(&spells))
    }

    fn re_atom(&mut self, depth: u32, ascii: bool, budget: &mut usize) -> Re {
        *budget -= 1;
        match self.below(if depth > 0 { 10 } else { 8 }) {
            0..=2 => {
                let (c, spell) = self.re_char(ascii);
                Re::Lit(c, spell)
            }
            3 => Re::Any,
            4 => {
                let negated = self.one_in(3);
                let n = self.upto(3);
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(match self.below(4) {
                        0 | 1 => {
                            let (c, spell) = self.re_char(ascii);
                            ClassItem::Char(c, spell)
                        }
                        2 => {
                            let (a, sa) = self.re_char(ascii);
                            let (b, sb) = self.re_char(ascii);
                            if a <= b {
                                ClassItem::Range((a, sa), (b, sb))
                            } else {
                                ClassItem::Range((b, sb), (a, sa))
                            }
                        }
                        _ => ClassItem::Perl(*self.pick(&['d', 'D', 'w', 'W', 's', 'S'])),
                    });
                }
                Re::Class(negated, items)
            }
            5 => Re::Perl(*self.pick(&['d', 'D', 'w', 'W', 's', 'S'])),
            6 => self
                .pick(&[Re::Start, Re::End, Re::Boundary(true), Re::Boundary(false)])
                .clone(),
            7 => {
                let (c, _) = self.re_char(ascii);
                Re::Lit(c, Spell::Braced)
            }
            _ => {
                *budget += 1;
                let kind = *self.pick(&[Group::NonCapture, Group::Capture, Group::Named]);
                Re::Group(kind, Box::new(self.re_alt(depth - 1, ascii, budget)))
            }
        }
    }
}

/// A regular expression in the core's dialect (JavaScript's, without
/// back-references and look-around), as a tree, so that a harness can also
/// write it for another engine.
#[derive(Clone, Debug, PartialEq)]
pub enum Re {
    /// One character, spelled as given.
    Lit(char, Spell),
    /// `.`
    Any,
    /// `[...]` (negated when true).
    Class(bool, Vec<ClassItem>),
    /// `\d \D \w \W \s \S`
    Perl(char),
    /// `^`
    Start,
    /// `$`
    End,
    /// `\b` (true) or `\B`.
    Boundary(bool),
    /// `( )`, `(?: )`, `(?<name> )`
    Group(Group, Box<Re>),
    /// One after the other.
    Concat(Vec<Re>),
    /// `a|b`
    Alt(Vec<Re>),
    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (and lazy `?`).
    Repeat {
        /// What is repeated (an atom).
        re: Box<Re>,
        /// Fewest copies.
        min: u32,
        /// Most copies (none: no limit).
        max: Option<u32>,
        /// How it is written.
        form: Form,
        /// Lazy (`*?`): the same matches.
        lazy: bool,
    },
}

/// How a character is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spell {
    /// As itself.
    Plain,
    /// `\.`
    Backslash,
    /// `\xHH`
    Hex,
    /// `\uHHHH`
    Unicode,
    /// `\u{H}`
    Braced,
    /// `\t \n \r \v \f`
    Named,
    /// `\cA`
    Control,
}

/// An item of a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassItem {
    /// One character.
    Char(char, Spell),
    /// `a-z` (first <= last).
    Range((char, Spell), (char, Spell)),
    /// `\d` and the like.
    Perl(char),
}

/// Kinds of group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// `( )`
    Capture,
    /// `(?: )`
    NonCapture,
    /// `(?<n> )`
    Named,
}

/// How a repetition is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `*`
    Star,
    /// `+`
    Plus,
    /// `?`
    Question,
    /// `{n}`
    Exactly,
    /// `{n,}`
    AtLeast,
    /// `{n,m}`
    Between,
}

impl Form {
    /// Appends the quantifier (the same in JavaScript's and the `regex`
    /// crate's syntax), with `?` when lazy.
    pub fn write(self, min: u32, max: Option<u32>, lazy: bool, out: &mut String) {
        match self {
            Form::Star => out.push('*'),
            Form::Plus => out.push('+'),
            Form::Question => out.push('?'),
            Form::Exactly => out.push_str(&format!("{{{min}}}")),
            Form::AtLeast => out.push_str(&format!("{{{min},}}")),
            Form::Between => out.push_str(&format!("{{{min},{}}}", max.unwrap_or(min))),
        }
        if lazy {
            out.push('?');
        }
    }
}

/// Characters with a meaning of their own outside a class.
fn is_syntax(c: char) -> bool {
    "\\^$.|?*+()[]{}/".contains(c)
}

fn spell(out: &mut String, c: char, spell: Spell, in_class: bool) {
    let plain_ok = if in_class {
        !"\\]^-[".contains(c)
    } else {
        !is_syntax(c)
    };
    match spell {
        Spell::Plain if plain_ok && c >= ' ' => out.push(c),
        Spell::Backslash if c.is_ascii_punctuation() => {
            out.push('\\');
            out.push(c);
        }
        Spell::Hex if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
        Spell::Unicode if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
        Spell::Named if matches!(c, '\t' | '\n' | '\r' | '\u{b}' | '\u{c}') => {
            out.push_str(match c {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                '\u{b}' => "\\v",
                _ => "\\f",
            })
        }
        Spell::Control if (1..=26).contains(&(c as u32)) => {
            out.push_str("\\c");
            out.push(char::from(b'@' + c as u8));
        }
        _ => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
    }
}

impl Re {
    /// Whether a quantifier may follow: not an anchor, nor groups around a
    /// lone anchor (the core refuses `(^)*`, which JavaScript takes to no
    /// effect), nor a bare repetition (`a**`).
    pub fn repeatable(&self) -> bool {
        let mut inner = self;
        while let Re::Group(_, g) = inner {
            inner = g;
        }
        !matches!(inner, Re::Start | Re::End | Re::Boundary(_))
            && !matches!(self, Re::Repeat { .. })
    }

    /// The pattern in the core's (JavaScript) syntax.
    pub fn js(&self) -> String {
        let mut out = String::new();
        self.write_js(&mut out);
        out
    }

    fn write_js(&self, out: &mut String) {
        match self {
            Re::Lit(c, s) => spell(out, *c, *s, false),
            Re::Any => out.push('.'),
            Re::Class(negated, items) => {
                out.push('[');
                if *negated {
                    out.push('^');
                }
                for item in items {
                    match item {
                        ClassItem::Char(c, s) => spell(out, *c, *s, true),
                        ClassItem::Range((a, sa), (b, sb)) => {
                            spell(out, *a, *sa, true);
                            out.push('-');
                            spell(out, *b, *sb, true);
                        }
                        ClassItem::Perl(p) => {
                            out.push('\\');
                            out.push(*p);
                        }
                    }
                }
                out.push(']');
            }
            Re::Perl(p) => {
                out.push('\\');
                out.push(*p);
            }
            Re::Start => out.push('^'),
            Re::End => out.push('$'),
            Re::Boundary(b) => out.push_str(if *b { "\\b" } else { "\\B" }),
            Re::Group(kind, inner) => {
                out.push_str(match kind {
                    Group::Capture => "(",
                    Group::NonCapture => "(?:",
                    Group::Named => "(?<n>",
                });
                inner.write_js(out);
                out.push(')');
            }
            Re::Concat(items) => {
                for i in items {
                    i.write_js(out);
                }
            }
            Re::Alt(alts) => {
                for (i, a) in alts.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    a.write_js(out);
                }
            }
            Re::Repeat {
                re,
                min,
                max,
                form,
                lazy,
            } => {
                re.write_js(out);
                form.write(*min, *max, *lazy, out);
            }
        }
    }
}
