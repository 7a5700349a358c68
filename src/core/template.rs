//! Body and URL templates.
//!
//! In a body template (any JSON value), a string that is exactly one
//! placeholder, `"{{expr}}"`, becomes the value with its type; `{{expr}}`
//! inside a longer string becomes its text. In a URL, placeholders become
//! percent-encoded text.
//!
//! An expression is `source ( "||" source )* ( "|" filter )*`:
//! - a source is a property name (`user.id`), `properties` (the webhook's
//!   default body), `batch` (the bodies of a batched request), or a literal
//!   (`"a visitor"`, `0`); the first source that is present and neither
//!   `null` nor `""` is taken;
//! - filters change the value: `json`, `base64`, `iso`, `seconds`, `ms`,
//!   `micros`, `mrkdwn`, `safe_keys`, `cut_keys:N`, `cut:N`, `limit:N`,
//!   `flat`, `string`, `number` (see [`Filter`]).
//!
//! A whole placeholder that finds no value leaves its key out of an object
//! (most JSON APIs refuse a `null` where they expect an id) and is `null` in
//! a list. In an object, the key `"..."` with an object value spreads that
//! object's keys into the enclosing one, where it stands; a key written in
//! the template wins over the same key from the spread (GA4's `params`:
//! `{"session_id": …, "...": "{{properties|…}}"}`). Templates are compiled
//! once per published settings.

use super::event::Event;
use super::host::Host;
use super::json;
use super::text;
use super::url::encode_component;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// The source that stands for the whole default body.
pub const ALL_PROPERTIES: &str = "properties";
/// The source that stands for the per-event bodies of a batched request.
pub const BATCH: &str = "batch";
/// The object key whose (object) value is spread into the enclosing object.
pub const SPREAD: &str = "...";

/// Why a template does not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    /// `{{` without `}}`.
    Unclosed,
    /// `{{ }}`.
    Empty,
    /// `{{` inside a placeholder.
    Nested,
    /// A filter name that does not exist (the name).
    UnknownFilter(String),
    /// `cut:`, `cut_keys:` or `limit:` without a whole number from 1 to 100000.
    FilterArgument(String),
    /// A literal that is not a quoted text or a number.
    BadLiteral(String),
    /// `||` or `|` with nothing after it.
    MissingPart,
}

impl TemplateError {
    /// What is wrong, in a few words (the editor's messages add more).
    pub fn as_str(&self) -> &'static str {
        match self {
            TemplateError::Unclosed => "has a {{ without a closing }}",
            TemplateError::Empty => "has an empty {{}} placeholder; put a property name inside",
            TemplateError::Nested => "has a {{ inside a placeholder",
            TemplateError::UnknownFilter(_) => "uses a filter that does not exist",
            TemplateError::FilterArgument(_) => {
                "has a filter that needs a whole number, e.g. cut:100"
            }
            TemplateError::BadLiteral(_) => {
                "has a fallback that is neither a \"quoted text\" nor a number"
            }
            TemplateError::MissingPart => "has a || or | with nothing after it",
        }
    }
}

/// A filter applied to a placeholder's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// The value's JSON text.
    Json,
    /// Base64 of the value's text (UTF-8).
    Base64,
    /// Milliseconds since the epoch as ISO 8601 text (`2026-12-02T06:12:10.123Z`).
    Iso,
    /// Milliseconds to whole seconds.
    Seconds,
    /// Milliseconds as a whole number.
    Ms,
    /// Milliseconds to microseconds.
    Micros,
    /// Text escaped for Slack's mrkdwn (`&`, `<`, `>`).
    Mrkdwn,
    /// Object keys reduced to `[A-Za-z0-9_]`, starting with a letter.
    SafeKeys,
    /// Object keys cut to N characters.
    CutKeys(u32),
    /// Text cut to N characters (on an object or list: each text in it).
    Cut(u32),
    /// An object's first N keys, a list's first N items.
    Limit(u32),
    /// Lists and objects inside an object or list become their JSON text
    /// (for APIs that take only text and numbers, e.g. GA4 parameters).
    Flat,
    /// The value's text.
    Text,
    /// A numeric text as a number.
    Number,
}

/// Every filter name, in the order the editor lists them.
pub const FILTERS: [&str; 14] = [
    "json",
    "base64",
    "iso",
    "seconds",
    "ms",
    "micros",
    "mrkdwn",
    "safe_keys",
    "cut_keys",
    "cut",
    "limit",
    "flat",
    "string",
    "number",
];

#[derive(Clone, Debug, PartialEq)]
enum Source {
    Property(String),
    Properties,
    Batch,
    Literal(Value),
}

/// One placeholder, compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    sources: Vec<Source>,
    filters: Vec<Filter>,
}

impl Expr {
    /// The property names the expression reads (not literals).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().filter_map(|s| match s {
            Source::Property(n) => Some(n.as_str()),
            Source::Properties => Some(ALL_PROPERTIES),
            Source::Batch => Some(BATCH),
            Source::Literal(_) => None,
        })
    }
}

/// A compiled template.
#[derive(Clone, Debug, PartialEq)]
pub enum Template {
    /// A value without placeholders.
    Literal(Value),
    /// `"{{expr}}"`: the value with its type.
    Whole(Expr),
    /// Text with placeholders.
    Text(Vec<Part>),
    /// A list.
    Array(Vec<Template>),
    /// An object.
    Object(Vec<(String, Template)>),
}

/// A piece of a text template.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A placeholder.
    Expr(Expr),
}

/// Splits `s` into text and placeholder pieces.
fn split(s: &str) -> Result<Vec<(bool, &str)>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((before, after)) = text::split_once(rest, "{{") {
        let (inner, next) = text::split_once(after, "}}").ok_or(TemplateError::Unclosed)?;
        let inner = inner.trim();
        if inner.is_empty() {
            return Err(TemplateError::Empty);
        }
        if text::contains(inner, "{{") {
            return Err(TemplateError::Nested);
        }
        if !before.is_empty() {
            out.push((false, before));
        }
        out.push((true, inner));
        rest = next;
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    Ok(out)
}

fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 6 || !text::all_digits(s) {
        return None;
    }
    let n = s.bytes().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    (1..=100_000).contains(&n).then_some(n)
}

fn filter(spec: &str) -> Result<Filter, TemplateError> {
    let (name, arg) = match text::split_once(spec, ":") {
        Some((n, a)) => (n.trim(), Some(a.trim())),
        None => (spec, None),
    };
    // By position in FILTERS (one look-up rather than a comparison each).
    let Some(i) = FILTERS.iter().position(|f| *f == name) else {
        return Err(TemplateError::UnknownFilter(name.to_string()));
    };
    // cut_keys, cut and limit take a count; the others take nothing.
    let counted = matches!(i, 8..=10);
    let n = match (counted, arg.and_then(parse_number)) {
        (true, Some(n)) => n,
        (false, _) if arg.is_none() => 0,
        _ => return Err(TemplateError::FilterArgument(name.to_string())),
    };
    Ok(match i {
        0 => Filter::Json,
        1 => Filter::Base64,
        2 => Filter::Iso,
        3 => Filter::Seconds,
        4 => Filter::Ms,
        5 => Filter::Micros,
        6 => Filter::Mrkdwn,
        7 => Filter::SafeKeys,
        8 => Filter::CutKeys(n),
        9 => Filter::Cut(n),
        10 => Filter::Limit(n),
        11 => Filter::Flat,
        12 => Filter::Text,
        _ => Filter::Number,
    })
}

fn source(s: &str) -> Result<Source, TemplateError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(TemplateError::MissingPart);
    }
    if let Some(inner) = s.strip_prefix('"') {
        return match inner.strip_suffix('"') {
            Some(t) if !text::contains(t, "\"") => {
                Ok(Source::Literal(Value::String(t.to_string())))
            }
            _ => Err(TemplateError::BadLiteral(s.to_string())),
        };
    }
    let b = s.as_bytes()[0];
    if b == b'-' || b.is_ascii_digit() {
        return match super::host::parse_plain_number(s) {
            Some(n) => Ok(Source::Literal(Value::Number(n))),
            None => Err(TemplateError::BadLiteral(s.to_string())),
        };
    }
    Ok(match s {
        ALL_PROPERTIES => Source::Properties,
        BATCH => Source::Batch,
        name => Source::Property(name.to_string()),
    })
}

/// Compiles the inside of one placeholder.
pub fn parse_expr(inner: &str) -> Result<Expr, TemplateError> {
    // `a || b | f` : split filters on single bars, sources on double bars.
    let mut sources = Vec::new();
    let mut filters = Vec::new();
    let bytes = inner.as_bytes();
    let (mut i, mut start, mut in_filters, mut in_quote) = (0, 0, false, false);
    while i <= bytes.len() {
        let at_end = i == bytes.len();
        let b = bytes.get(i).copied().unwrap_or(b'|');
        if b == b'"' && !at_end {
            in_quote = !in_quote;
            i += 1;
            continue;
        }
        if b != b'|' || in_quote && !at_end {
            i += 1;
            continue;
        }
        // `start` and `i` are at a `|` or the end: character boundaries.
        let piece = text::split_at(text::split_at(inner, i).0, start).1;
        let double = !at_end && bytes.get(i + 1) == Some(&b'|');
        if in_filters {
            if double {
                return Err(TemplateError::MissingPart);
            }
            let spec = piece.trim();
            if spec.is_empty() {
                return Err(TemplateError::MissingPart);
            }
            filters.push(filter(spec)?);
        } else {
            sources.push(source(piece)?);
            if !double {
                in_filters = true;
            }
        }
        i += if double { 2 } else { 1 };
        start = i;
    }
    if sources.is_empty() {
        return Err(TemplateError::Empty);
    }
    Ok(Expr { sources, filters })
}

/// The pieces of a text with placeholders, compiled.
fn parts(s: &str) -> Result<Vec<Part>, TemplateError> {
    let mut parts = Vec::new();
    for (is_expr, p) in split(s)? {
        parts.push(if is_expr {
            Part::Expr(parse_expr(p)?)
        } else {
            Part::Text(p.to_string())
        });
    }
    Ok(parts)
}

/// Compiles a template (stopping at the first problem; [`problems`] says
/// where each one is).
pub fn compile(t: &Value) -> Result<Template, TemplateError> {
    Ok(match t {
        Value::String(s) if text::contains(s, "{{") => {
            let mut parts = parts(s)?;
            match parts.pop() {
                Some(Part::Expr(e)) if parts.is_empty() => Template::Whole(e),
                last => {
                    parts.extend(last);
                    Template::Text(parts)
                }
            }
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                out.push(compile(v)?);
            }
            Template::Array(out)
        }
        Value::Object(pairs) => {
            let mut out = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                out.push((k.clone(), compile(v)?));
            }
            Template::Object(out)
        }
        other => Template::Literal(other.clone()),
    })
}

/// Every problem of a template, with the path below `t` where it is (the
/// editor lists them all at once; [`compile`] stops at the first).
pub fn problems(t: &Value) -> Vec<(String, TemplateError)> {
    let mut out = Vec::new();
    collect(t, String::new(), &mut out);
    out
}

/// Whether any placeholder of a template reads `name` (e.g. `batch`).
pub fn reads(t: &Value, name: &str) -> bool {
    match t {
        Value::String(s) => split(s).is_ok_and(|pieces| {
            pieces.iter().any(|(is_expr, p)| {
                *is_expr && parse_expr(p).is_ok_and(|e| e.names().any(|n| n == name))
            })
        }),
        Value::Array(items) => items.iter().any(|v| reads(v, name)),
        Value::Object(pairs) => pairs.iter().any(|(_, v)| reads(v, name)),
        _ => false,
    }
}

fn collect(t: &Value, path: String, out: &mut Vec<(String, TemplateError)>) {
    match t {
        Value::String(s) if crate::core::text::contains(s, "{{") => {
            if let Err(e) = check_placeholders(s) {
                out.push((path, e));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let mut p = path.clone();
                p.push_str(&index_path(i, ""));
                collect(v, p, out);
            }
        }
        Value::Object(pairs) => {
            for (k, v) in pairs {
                let mut p = path.clone();
                p.push('.');
                p.push_str(k);
                collect(v, p, out);
            }
        }
        _ => {}
    }
}

fn index_path(i: usize, rest: &str) -> String {
    let mut p = String::from("[");
    super::value::push_uint(&mut p, i as u64);
    p.push(']');
    p.push_str(rest);
    p
}

/// Checks the placeholders of one string (URLs, texts).
pub fn check_placeholders(s: &str) -> Result<(), TemplateError> {
    parts(s).map(drop)
}

/// `s` with every placeholder replaced by `with` (to check the shape of a URL).
pub fn fill_placeholders(s: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    match split(s) {
        Ok(pieces) => {
            for (is_expr, p) in pieces {
                out.push_str(if is_expr { with } else { p });
            }
        }
        Err(_) => out.push_str(s),
    }
    out
}

/// The text a value takes inside a string: strings as they are, numbers as
/// JavaScript writes them, `null` and missing values as nothing, lists and
/// objects as JSON.
pub fn text_of(v: &Value, out: &mut String, host: &dyn Host) {
    match v {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => json::write_number(out, *n, host),
        other => json::write_value(out, other, host),
    }
}

/// What placeholders read: the event, the webhook's default body and, for a
/// batched request, the per-event bodies.
pub struct Scope<'a> {
    /// The event (its own and shared properties).
    pub event: &'a Event,
    /// The default body (selected, renamed and static properties).
    pub properties: &'a Value,
    /// The per-event bodies of a batch.
    pub batch: Option<&'a Value>,
}

impl Scope<'_> {
    /// A name resolves to a property sent in the default body (renamed or
    /// static) first, then to any event property.
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.properties.get(name).or_else(|| self.event.get(name))
    }

    fn resolve(&self, e: &Expr, host: &dyn Host) -> Option<Value> {
        let found = e.sources.iter().find_map(|s| {
            let v = match s {
                Source::Property(n) => self.lookup(n),
                Source::Properties => Some(self.properties),
                Source::Batch => self.batch,
                Source::Literal(v) => Some(v),
            }?;
            match v {
                Value::Null => None,
                Value::String(t) if t.is_empty() => None,
                v => Some(v),
            }
        })?;
        let mut v = found.clone();
        for f in &e.filters {
            v = apply(*f, v, host);
        }
        Some(v)
    }
}

fn number_of(v: &Value, host: &dyn Host) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => host.parse_number(s),
        _ => None,
    }
}

fn whole(n: f64) -> Value {
    if n.is_finite() {
        Value::Number(crate::core::num::floor(n))
    } else {
        Value::Null
    }
}

fn apply(f: Filter, v: Value, host: &dyn Host) -> Value {
    match f {
        Filter::Json => Value::String(json::to_json(&v, host)),
        Filter::Base64 | Filter::Text => {
            let mut t = String::new();
            text_of(&v, &mut t, host);
            Value::String(if f == Filter::Base64 {
                super::auth::base64(t.as_bytes())
            } else {
                t
            })
        }
        Filter::Number | Filter::Iso | Filter::Seconds | Filter::Ms | Filter::Micros => {
            let Some(n) = number_of(&v, host) else {
                return Value::Null;
            };
            match f {
                Filter::Number => Value::Number(n),
                Filter::Iso => Value::String(iso(n)),
                Filter::Seconds => whole(n / 1000.0),
                Filter::Ms => whole(n),
                _ => whole(n * 1000.0),
            }
        }
        Filter::Mrkdwn => map_text(v, &|s| {
            let mut o = String::with_capacity(s.len());
            for c in s.chars() {
                match c {
                    '&' => o.push_str("&amp;"),
                    '<' => o.push_str("&lt;"),
                    '>' => o.push_str("&gt;"),
                    c => o.push(c),
                }
            }
            o
        }),
        Filter::Cut(n) => map_text(v, &|s| cut_chars(s, n as usize)),
        Filter::SafeKeys => map_keys(v, &safe_key),
        Filter::CutKeys(n) => map_keys(v, &|k| cut_chars(&k, n as usize)),
        Filter::Flat => {
            let flat = |v: Value| match v {
                Value::Array(_) | Value::Object(_) => Value::String(json::to_json(&v, host)),
                v => v,
            };
            match v {
                Value::Object(mut pairs) => {
                    for p in pairs.iter_mut() {
                        let v = core::mem::replace(&mut p.1, Value::Null);
                        p.1 = flat(v);
                    }
                    Value::Object(pairs)
                }
                Value::Array(mut items) => {
                    for it in items.iter_mut() {
                        let v = core::mem::replace(it, Value::Null);
                        *it = flat(v);
                    }
                    Value::Array(items)
                }
                other => other,
            }
        }
        Filter::Limit(n) => match v {
            Value::Object(mut pairs) => {
                pairs.truncate(n as usize);
                Value::Object(pairs)
            }
            Value::Array(mut items) => {
                items.truncate(n as usize);
                Value::Array(items)
            }
            other => other,
        },
    }
}

/// Applies `f` to a text, or to each text of an object or list (one level).
fn map_text(v: Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(&s)),
        Value::Object(mut pairs) => {
            for (_, v) in &mut pairs {
                if let Value::String(s) = v {
                    *s = f(s);
                }
            }
            Value::Object(pairs)
        }
        Value::Array(mut items) => {
            for v in &mut items {
                if let Value::String(s) = v {
                    *s = f(s);
                }
            }
            Value::Array(items)
        }
        other => other,
    }
}

fn map_keys(v: Value, f: &dyn Fn(String) -> String) -> Value {
    match v {
        Value::Object(pairs) => {
            let mut out: Vec<(String, Value)> = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                super::value::set_pair(&mut out, &f(k), v);
            }
            Value::Object(out)
        }
        other => other,
    }
}

fn cut_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => text::split_at(s, i).0.to_string(),
        None => s.to_string(),
    }
}

/// `survey.name` → `survey_name`; a key must start with a letter.
fn safe_key(k: String) -> String {
    let mut out = String::with_capacity(k.len() + 2);
    if !k.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        out.push_str("p_");
    }
    for c in k.chars() {
        out.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        });
    }
    out
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn iso(ms: f64) -> String {
    let ms = if ms.is_finite() {
        crate::core::num::clamp(
            crate::core::num::floor(ms),
            -62_135_596_800_000.0,
            253_402_300_799_999.0,
        ) as i64
    } else {
        0
    };
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Civil date from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut out = String::with_capacity(24);
    let mut pad = |n: i64, w: usize, sep: Option<char>| {
        let mut digits = [b'0'; 4];
        let mut v = n.unsigned_abs();
        for i in (0..w).rev() {
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        for &b in &digits[..w] {
            out.push(b as char);
        }
        if let Some(c) = sep {
            out.push(c);
        }
    };
    pad(y, 4, Some('-'));
    pad(m, 2, Some('-'));
    pad(d, 2, Some('T'));
    pad(rem / 3_600_000, 2, Some(':'));
    pad(rem / 60_000 % 60, 2, Some(':'));
    pad(rem / 1000 % 60, 2, Some('.'));
    pad(rem % 1000, 3, Some('Z'));
    out
}

/// About how many bytes `v` takes as JSON (for budgets, not exact).
pub fn approx_size(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 24,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(approx_size).sum::<usize>() + items.len() + 2,
        Value::Object(pairs) => {
            pairs
                .iter()
                .map(|(k, v)| k.len() + 3 + approx_size(v))
                .sum::<usize>()
                + 2
        }
    }
}

/// Takes `n` from the budget; false (and an empty budget) when it does not fit.
fn spend(budget: &mut usize, n: usize) -> bool {
    match budget.checked_sub(n) {
        Some(left) if left > 0 => {
            *budget = left;
            true
        }
        _ => {
            *budget = 0;
            false
        }
    }
}

impl Template {
    /// Renders the template; `None` as soon as the result would pass about
    /// `limit` bytes (a template that repeats `{{properties}}` over a large
    /// event must not build megabytes only to be refused as too large).
    pub fn render(&self, scope: &Scope, host: &dyn Host, limit: usize) -> Option<Value> {
        let mut budget = limit;
        let v = self.render_within(scope, host, &mut budget);
        (budget > 0).then(|| v.unwrap_or(Value::Null))
    }

    fn render_within(&self, scope: &Scope, host: &dyn Host, budget: &mut usize) -> Option<Value> {
        if *budget == 0 {
            return Some(Value::Null);
        }
        Some(match self {
            Template::Literal(v) => {
                spend(budget, approx_size(v));
                v.clone()
            }
            Template::Whole(e) => {
                let v = scope.resolve(e, host)?;
                if !spend(budget, approx_size(&v)) {
                    return Some(Value::Null);
                }
                v
            }
            Template::Text(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        Part::Text(t) => {
                            if spend(budget, t.len()) {
                                out.push_str(t)
                            }
                        }
                        Part::Expr(e) => {
                            if let Some(v) = scope.resolve(e, host) {
                                if spend(budget, approx_size(&v)) {
                                    text_of(&v, &mut out, host);
                                }
                            }
                        }
                    }
                }
                Value::String(out)
            }
            Template::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for t in items {
                    out.push(t.render_within(scope, host, budget).unwrap_or(Value::Null));
                }
                Value::Array(out)
            }
            Template::Object(pairs) => {
                let mut out: Vec<(String, Value)> = Vec::with_capacity(pairs.len());
                for (k, t) in pairs {
                    if k == SPREAD {
                        if let Some(Value::Object(spread)) = t.render_within(scope, host, budget) {
                            for (sk, sv) in spread {
                                // A key the template writes wins, wherever it stands.
                                if !pairs.iter().any(|(k, _)| *k == sk && k != SPREAD) {
                                    super::value::set_pair(&mut out, &sk, sv);
                                }
                            }
                        }
                        continue;
                    }
                    spend(budget, k.len() + 3);
                    if let Some(v) = t.render_within(scope, host, budget) {
                        out.push((k.clone(), v));
                    }
                }
                Value::Object(out)
            }
        })
    }
}

/// Renders a body template given as a value (compiled on the way; a template
/// that does not compile renders as itself). For tools and tests: the engine
/// compiles once.
pub fn render(t: &Value, event: &Event, default_body: &Value, host: &dyn Host) -> Value {
    let scope = Scope {
        event,
        properties: default_body,
        batch: None,
    };
    match compile(t) {
        Ok(c) => c.render(&scope, host, usize::MAX).unwrap_or(Value::Null),
        Err(_) => t.clone(),
    }
}

/// A compiled URL: text and placeholders.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlTemplate {
    parts: Vec<Part>,
}

/// Why a rendered URL was refused.
pub const DOT_SEGMENT: &str =
    "a placeholder value would make a \".\" or \"..\" path segment, which changes the address";

impl UrlTemplate {
    /// Compiles a URL template.
    pub fn new(url: &str) -> Result<UrlTemplate, TemplateError> {
        Ok(UrlTemplate { parts: parts(url)? })
    }

    /// A URL taken as it is (no placeholders).
    pub fn literal(url: &str) -> UrlTemplate {
        UrlTemplate {
            parts: vec![Part::Text(url.to_string())],
        }
    }

    /// Renders the URL: values are percent-encoded, so a value can never
    /// change the URL's structure; a path segment that a value makes `.` or
    /// `..` (which the URL parser would resolve, also as `%2E`) is refused.
    pub fn render(&self, scope: &Scope, host: &dyn Host) -> Result<String, &'static str> {
        let mut out = String::new();
        let mut text = String::new();
        let mut in_query = false;
        let mut filled: Vec<(usize, usize)> = Vec::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => {
                    in_query |= text::find_any(t, b"?#").is_some();
                    out.push_str(t);
                }
                Part::Expr(e) => {
                    let start = out.len();
                    if let Some(v) = scope.resolve(e, host) {
                        text.clear();
                        text_of(&v, &mut text, host);
                        encode_component(&mut out, &text);
                    }
                    // A value that renders nothing still stands in its
                    // segment: `..{{missing}}` makes a dot segment too.
                    if !in_query {
                        filled.push((start, out.len()));
                    }
                }
            }
        }
        if !filled.is_empty() && has_filled_dot_segment(&out, &filled) {
            return Err(DOT_SEGMENT);
        }
        Ok(out)
    }
}

/// Whether a path segment that contains filled text is a dot segment
/// (`.`, `..`, or their `%2e` spellings, which URL parsers resolve alike).
fn has_filled_dot_segment(url: &str, filled: &[(usize, usize)]) -> bool {
    let path_start = text::find(url, "://").map_or(0, |i| {
        text::split_at(url, i + 3)
            .1
            .bytes()
            .position(|b| b == b'/')
            .map_or(url.len(), |j| i + 3 + j)
    });
    let path_end = text::find_any(text::split_at(url, path_start).1, b"?#")
        .map_or(url.len(), |i| path_start + i);
    let mut seg_start = path_start;
    for (i, b) in url.as_bytes()[path_start..path_end]
        .iter()
        .enumerate()
        .map(|(i, b)| (i + path_start, b))
        .chain(core::iter::once((path_end, &b'/')))
    {
        if *b == b'/' {
            let seg = text::split_at(text::split_at(url, i).0, seg_start).1;
            // Inclusive: a value that renders nothing still touches the
            // segment it sits in (`..{{missing}}` is a dot segment).
            let touched = filled.iter().any(|&(a, b)| a <= i && b >= seg_start);
            if touched && is_dot_segment(seg) {
                return true;
            }
            seg_start = i + 1;
        }
    }
    false
}

fn is_dot_segment(seg: &str) -> bool {
    matches!(
        seg.to_ascii_lowercase().as_str(),
        "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
    )
}

/// Renders a URL template given as text (for tools and tests); `None` when
/// it is not a valid template, or when a value would make a dot segment
/// (`.` or `..`, which would change the path; the engine refuses such a
/// delivery).
pub fn render_url(
    url: &str,
    event: &Event,
    default_body: &Value,
    host: &dyn Host,
) -> Option<String> {
    let scope = Scope {
        event,
        properties: default_body,
        batch: None,
    };
    UrlTemplate::new(url).ok()?.render(&scope, host).ok()
}

/// A boxed error for callers that need `'static` text.
pub fn error_text(e: &TemplateError) -> Box<str> {
    e.as_str().into()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::host::NativeHost;
    use crate::core::value::obj;

    fn event() -> Event {
        Event::from_pairs(vec![
            ("user.id".into(), "u-42".into()),
            ("answer.value".into(), 4.0.into()),
            ("survey.name".into(), "NPS <b>&".into()),
            ("flag".into(), true.into()),
            ("empty".into(), "".into()),
            ("event.timestamp".into(), 1_764_655_930_123.0.into()),
            ("tags".into(), Value::Array(vec!["a".into(), "b".into()])),
        ])
    }

    fn json(v: &Value) -> String {
        json::to_json(v, &NativeHost)
    }

    #[test]
    fn whole_placeholders_keep_their_type_and_missing_keys_are_left_out() {
        let body = obj([("identity", Value::from("u-42"))]);
        let t = obj([
            ("score", Value::from("{{answer.value}}")),
            ("flag", "{{ flag }}".into()),
            ("tags", "{{tags}}".into()),
            ("who", "{{identity}}".into()),
            ("missing", "{{nope}}".into()),
            ("list", Value::Array(vec!["{{nope}}".into()])),
        ]);
        let out = render(&t, &event(), &body, &NativeHost);
        assert_eq!(
            json(&out),
            r#"{"score":4,"flag":true,"tags":["a","b"],"who":"u-42","list":[null]}"#
        );
    }

    #[test]
    fn fallbacks_literals_and_filters() {
        let t = obj([
            ("a", Value::from("{{nope || empty || user.id}}")),
            ("b", "{{nope||\"a visitor\"}}".into()),
            ("c", "{{nope || 0}}".into()),
            (
                "d",
                "by {{nope||\"a visitor\"|mrkdwn}}: {{survey.name|mrkdwn}}".into(),
            ),
            ("iso", "{{event.timestamp|iso}}".into()),
            ("s", "{{event.timestamp | seconds}}".into()),
            ("us", "{{event.timestamp|micros}}".into()),
            ("j", "{{tags|json}}".into()),
            ("b64", "{{user.id|base64}}".into()),
            ("n", "{{answer.value|string}}".into()),
        ]);
        let out = render(&t, &event(), &Value::Object(vec![]), &NativeHost);
        assert_eq!(
            json(&out),
            concat!(
                r#"{"a":"u-42","b":"a visitor","c":0,"d":"by a visitor: NPS &lt;b&gt;&amp;","#,
                r#""iso":"2025-12-02T06:12:10.123Z","s":1764655930,"us":1764655930123000,"#,
                r#""j":"[\"a\",\"b\"]","b64":"dS00Mg==","n":"4"}"#
            )
        );
    }

    #[test]
    fn object_filters_fit_ga4() {
        let props = obj([
            ("survey.name", Value::from("x".repeat(150))),
            ("1st", 1.0.into()),
            ("a".repeat(50).as_str(), 2.0.into()),
        ]);
        let t = Value::from("{{properties|safe_keys|cut_keys:40|cut:100|limit:2}}");
        let out = render(&t, &event(), &props, &NativeHost);
        let o = out.as_object().unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].0, "survey_name");
        assert_eq!(o[0].1.as_str().unwrap().len(), 100);
        assert_eq!(o[1].0, "p_1st");
    }

    #[test]
    fn a_spread_adds_keys_where_it_stands_and_written_keys_win() {
        let props = obj([
            ("session.id", Value::from("s-1")),
            (
                "element.classes",
                Value::Array(vec!["a".into(), "b".into()]),
            ),
            ("deep", obj([("x", Value::from(1.0))])),
            ("score", 4.0.into()),
        ]);
        let t = obj([
            ("session_id", Value::from("{{event.timestamp|seconds}}")),
            ("...", "{{properties|safe_keys|flat}}".into()),
            ("engagement_time_msec", 1.0.into()),
            ("...", "{{nope}}".into()),
            ("...", "{{user.id}}".into()),
        ]);
        let out = render(&t, &event(), &props, &NativeHost);
        assert_eq!(
            json(&out),
            concat!(
                r#"{"session_id":1764655930,"element_classes":"[\"a\",\"b\"]","#,
                r#""deep":"{\"x\":1}","score":4,"engagement_time_msec":1}"#
            ),
            "the spread's session_id gives way, a missing or non-object spread adds nothing"
        );
        // Elsewhere `flat` leaves text and numbers as they are.
        let list = render(&"{{tags|flat}}".into(), &event(), &props, &NativeHost);
        assert_eq!(json(&list), r#"["a","b"]"#);
    }

    #[test]
    fn errors() {
        assert_eq!(compile(&"{{a".into()).unwrap_err(), TemplateError::Unclosed);
        assert_eq!(compile(&"{{ }}".into()).unwrap_err(), TemplateError::Empty);
        assert_eq!(
            compile(&"{{a|shout}}".into()).unwrap_err(),
            TemplateError::UnknownFilter("shout".into())
        );
        assert_eq!(
            compile(&"{{a|cut}}".into()).unwrap_err(),
            TemplateError::FilterArgument("cut".into())
        );
        assert_eq!(
            compile(&"{{a||}}".into()).unwrap_err(),
            TemplateError::MissingPart
        );
        let t = obj([("x", Value::Array(vec!["ok".into(), "{{a|cut:0}}".into()]))]);
        assert_eq!(
            compile(&t).unwrap_err(),
            TemplateError::FilterArgument("cut".into())
        );
        assert_eq!(
            problems(&t),
            vec![(
                ".x[1]".to_string(),
                TemplateError::FilterArgument("cut".into())
            )]
        );
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso(-1.0), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn url_values_are_encoded_and_dot_segments_refused() {
        let ev = Event::from_pairs(vec![
            ("user.id".into(), "a/b?c=d&e#f".into()),
            ("dot".into(), "..".into()),
            ("one".into(), ".".into()),
        ]);
        let scope = Scope {
            event: &ev,
            properties: &Value::Object(vec![]),
            batch: None,
        };
        let t = UrlTemplate::new("https://x.io/users/{{user.id}}/events?src=wm").unwrap();
        assert_eq!(
            t.render(&scope, &NativeHost).unwrap(),
            "https://x.io/users/a%2Fb%3Fc%3Dd%26e%23f/events?src=wm"
        );
        let t = UrlTemplate::new("https://x.io/a/{{dot}}/b").unwrap();
        assert_eq!(t.render(&scope, &NativeHost), Err(DOT_SEGMENT));
        let t = UrlTemplate::new("https://x.io/a/%2E{{one}}").unwrap();
        assert_eq!(t.render(&scope, &NativeHost), Err(DOT_SEGMENT));
        let t = UrlTemplate::new("https://x.io/a/x{{dot}}").unwrap();
        assert!(
            t.render(&scope, &NativeHost).is_ok(),
            "x.. is not a dot segment"
        );
        let t = UrlTemplate::new("https://x.io/a?q={{dot}}").unwrap();
        assert!(t.render(&scope, &NativeHost).is_ok(), "in the query");
    }
}
