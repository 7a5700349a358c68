//! An event: a flat map of dotted property names to JSON values, in the
//! order they were given, with caps so that no caller can make the module
//! build unbounded requests.

use super::value::{lookup, Value};
#[allow(unused_imports)]
use crate::core::prelude::*;
use alloc::rc::Rc;

/// Properties shared by every event of a page (session, page, env, user),
/// built once when they change rather than copied into each event.
pub type Shared = Rc<Vec<(String, Value)>>;

/// Most properties an event keeps; later ones are dropped.
pub const MAX_PROPERTIES: usize = 256;
/// Most properties a stored record's event keeps when read back: its own
/// properties and the page's shared ones (session, page, env and up to
/// [`MAX_PROPERTIES`] user traits) were written together.
pub const MAX_STORED_PROPERTIES: usize = 2 * MAX_PROPERTIES + 16;
/// Longest text value kept, in bytes; longer ones are cut at a character
/// boundary.
pub const MAX_TEXT_BYTES: usize = 8 * 1024;
/// Longest property name kept.
pub const MAX_NAME_BYTES: usize = 256;

/// One event as the webhooks see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    props: Vec<(String, Value)>,
    shared: Option<Shared>,
}

impl Event {
    /// An event from ordered pairs, capped (see [`Event::set`]).
    pub fn from_pairs(pairs: Vec<(String, Value)>) -> Event {
        Event::capped(pairs, MAX_PROPERTIES)
    }

    /// The event of a stored record: own and shared properties were written
    /// together, so it keeps up to [`MAX_STORED_PROPERTIES`] and a resumed
    /// delivery sends what its first attempt sent.
    pub fn from_stored(pairs: Vec<(String, Value)>) -> Event {
        Event::capped(pairs, MAX_STORED_PROPERTIES)
    }

    fn capped(pairs: Vec<(String, Value)>, max: usize) -> Event {
        let mut e = Event {
            props: Vec::with_capacity(pairs.len().min(max) + 4),
            shared: None,
        };
        for (k, v) in pairs {
            e.put(k, v, max);
        }
        e
    }

    /// An event from an object value; anything else gives an empty event.
    pub fn from_value(v: Value) -> Event {
        match v {
            Value::Object(pairs) => Event::from_pairs(pairs),
            _ => Event::default(),
        }
    }

    /// Adds the page's shared properties, under the event's own ones (a
    /// property the caller gave wins).
    pub fn with_shared(mut self, shared: Shared) -> Event {
        self.shared = Some(shared);
        self
    }

    /// The value of a property (the event's own, then the shared ones).
    pub fn get(&self, name: &str) -> Option<&Value> {
        lookup(&self.props, name).or_else(|| lookup(self.shared.as_deref()?, name))
    }

    /// Every property in order: the event's own, then the shared ones it does
    /// not override. (A list rather than an iterator chain: one piece of code
    /// for all its callers.)
    pub fn all(&self) -> Vec<&(String, Value)> {
        let mut out = Vec::with_capacity(self.props.len() + 16);
        for p in &self.props {
            out.push(p);
        }
        if let Some(shared) = &self.shared {
            for p in shared.iter() {
                if lookup(&self.props, &p.0).is_none() {
                    out.push(p);
                }
            }
        }
        out
    }

    /// The text of a property, when it is text.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// Sets a property (replacing in place), applying the caps: names longer
    /// than [`MAX_NAME_BYTES`] and properties past [`MAX_PROPERTIES`] are
    /// dropped, long text is cut, nested values are capped the same way.
    pub fn set(&mut self, name: String, value: Value) {
        self.put(name, value, MAX_PROPERTIES)
    }

    fn put(&mut self, name: String, value: Value, max: usize) {
        if name.is_empty() || name.len() > MAX_NAME_BYTES {
            return;
        }
        let value = cap(value, 0);
        if let Some(slot) = self.props.iter_mut().find(|(k, _)| *k == name) {
            slot.1 = value;
        } else if self.props.len() < max {
            self.props.push((name, value));
        }
    }

    /// Sets a property only when the event does not have it.
    pub fn set_default(&mut self, name: &str, value: Value) {
        if self.get(name).is_none() {
            self.set(name.to_string(), value);
        }
    }

    /// The event's own properties, in order (without the shared ones).
    pub fn pairs(&self) -> &[(String, Value)] {
        &self.props
    }

    /// Moves the properties out.
    pub fn into_pairs(self) -> Vec<(String, Value)> {
        self.props
    }
}

fn cap(v: Value, depth: usize) -> Value {
    match v {
        Value::String(s) => Value::String(cut(s, MAX_TEXT_BYTES)),
        Value::Array(mut items) if depth < 8 => {
            items.truncate(MAX_PROPERTIES);
            for v in &mut items {
                *v = cap(core::mem::take(v), depth + 1);
            }
            Value::Array(items)
        }
        Value::Object(mut pairs) if depth < 8 => {
            pairs.truncate(MAX_PROPERTIES);
            for (k, v) in &mut pairs {
                *k = cut(core::mem::take(k), MAX_NAME_BYTES);
                *v = cap(core::mem::take(v), depth + 1);
            }
            Value::Object(pairs)
        }
        Value::Array(_) | Value::Object(_) => Value::Null,
        Value::Number(n) if !n.is_finite() => Value::Null,
        other => other,
    }
}

/// `s` cut to at most `max` bytes at a character boundary.
pub fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn caps_apply_to_names_counts_text_and_depth() {
        let mut pairs: Vec<(String, Value)> = (0..300)
            .map(|i| (format!("p{i}"), Value::from(i as f64)))
            .collect();
        pairs.push(("long".into(), "é".repeat(5000).into()));
        pairs.insert(0, ("x".repeat(300), 1.0.into()));
        let e = Event::from_pairs(pairs);
        assert_eq!(e.pairs().len(), MAX_PROPERTIES);
        assert!(e.get("long").is_none(), "past the cap");
        let mut e = Event::default();
        e.set("long".into(), "é".repeat(5000).into());
        let s = e.str("long").unwrap();
        assert!(s.len() <= MAX_TEXT_BYTES && s.len() >= MAX_TEXT_BYTES - 1);
        let mut deep = Value::from(1.0);
        for _ in 0..20 {
            deep = Value::Array(vec![deep]);
        }
        e.set("deep".into(), deep);
        let mut d = e.get("deep").unwrap();
        let mut levels = 0;
        while let Value::Array(a) = d {
            d = &a[0];
            levels += 1;
        }
        assert_eq!(levels, 8);
        assert!(d.is_null());
        e.set("nan".into(), f64::NAN.into());
        assert!(e.get("nan").unwrap().is_null());
    }

    #[test]
    fn set_default_keeps_what_the_caller_gave() {
        let mut e = Event::from_pairs(vec![("event.id".into(), "mine".into())]);
        e.set_default("event.id", "generated".into());
        e.set_default("session.id", "s1".into());
        assert_eq!(e.str("event.id"), Some("mine"));
        assert_eq!(e.str("session.id"), Some("s1"));
    }
}
