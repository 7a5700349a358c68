//! A JSON value that keeps object keys in the order they were written.
//!
//! Our own type rather than `serde_json::Value`: key order is part of what a
//! destination receives (a Slack or GA4 body reads as it was configured), and
//! it keeps `serde_json` out of the wasm build. Numbers are `f64`, as in
//! JavaScript, where every value the module sees comes from.

#[allow(unused_imports)]
use crate::core::prelude::*;
#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
use core::fmt;
#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON value. Objects are ordered lists of `(key, value)` pairs.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Any number (JavaScript semantics: one `f64`).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, keys in insertion order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The value under `key` when `self` is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(pairs) => lookup(pairs, key),
            _ => None,
        }
    }

    /// The string, when `self` is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, when `self` is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, when `self` is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, when `self` is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The pairs, when `self` is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// `true` for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The JSON type name, for error messages ("a string", "a number", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// Sets `key` in an object, replacing an existing entry in place.
    /// Does nothing when `self` is not an object.
    pub fn insert(&mut self, key: &str, value: Value) {
        if let Value::Object(pairs) = self {
            set_pair(pairs, key, value);
        }
    }
}

/// The value under `key` in an ordered pair list (the first one).
pub fn lookup<'a>(pairs: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    for (k, v) in pairs {
        if k == key {
            return Some(v);
        }
    }
    None
}

/// Appends the decimal digits of `n` (no formatting machinery).
pub fn push_uint(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// Appends the decimal digits of `n`, with a `-` when negative.
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_uint(out, n.unsigned_abs());
}

/// Sets `key` in an ordered pair list, replacing in place or appending.
pub fn set_pair(pairs: &mut Vec<(String, Value)>, key: &str, value: Value) {
    match pairs.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => pairs.push((key.to_string(), value)),
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => s.serialize_f64(*n),
            Value::String(v) => s.serialize_str(v),
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Object(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Deepest nesting read; deeper values (or a cycle in a JavaScript object)
/// become an error instead of exhausting the stack.
pub const MAX_DEPTH: usize = 32;
/// Most values read in one document, so a huge input cannot freeze the page.
pub const MAX_NODES: usize = 200_000;

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
thread_local! {
    static BUDGET: core::cell::Cell<(usize, usize)> = const { core::cell::Cell::new((0, 0)) };
}

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
/// Depth and node count of the document being read; released on drop.
struct Budget;

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
impl Budget {
    fn enter<E: de::Error>() -> Result<Budget, E> {
        BUDGET.with(|b| {
            let (depth, nodes) = b.get();
            let nodes = if depth == 0 { 0 } else { nodes };
            if depth >= MAX_DEPTH {
                return Err(E::custom("nested too deeply"));
            }
            b.set((depth + 1, nodes));
            Ok(Budget)
        })
    }

    fn count<E: de::Error>() -> Result<(), E> {
        BUDGET.with(|b| {
            let (depth, nodes) = b.get();
            if nodes >= MAX_NODES {
                return Err(E::custom("too many values"));
            }
            b.set((depth, nodes + 1));
            Ok(())
        })
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
impl Drop for Budget {
    fn drop(&mut self) {
        BUDGET.with(|b| {
            let (depth, nodes) = b.get();
            b.set((depth.saturating_sub(1), nodes));
        });
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let _budget = Budget::enter::<D::Error>()?;
        Budget::count::<D::Error>()?;
        d.deserialize_any(ValueVisitor)
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
struct ValueVisitor;

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Deserialize::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out: Vec<(String, Value)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            // A repeated key keeps its first position and its last value, as
            // JSON.parse does.
            set_pair(&mut out, &k, v);
        }
        Ok(Value::Object(out))
    }
}

/// Shorthand used by tests and presets: `obj([("a", 1.0.into())])`.
pub fn obj<K: Into<String>, I: IntoIterator<Item = (K, Value)>>(pairs: I) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn deep_or_huge_documents_are_refused_not_overflowed() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(serde_json::from_str::<Value>(&deep).is_err());
        let ok = "[".repeat(MAX_DEPTH - 1) + &"]".repeat(MAX_DEPTH - 1);
        assert!(serde_json::from_str::<Value>(&ok).is_ok());
        let huge = format!("[{}0]", "0,".repeat(MAX_NODES));
        assert!(serde_json::from_str::<Value>(&huge).is_err());
        // The budget is per document: a second read starts afresh.
        assert!(serde_json::from_str::<Value>("[1,2,3]").is_ok());
    }

    #[test]
    fn repeated_keys_keep_the_first_place_and_the_last_value() {
        let v: Value = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v, obj([("a", Value::from(3.0)), ("b", 2.0.into())]));
    }
}
