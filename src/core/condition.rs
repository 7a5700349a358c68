//! Conditions: the rows of the editor, compiled once per published settings
//! and evaluated for every event of the webhook's type.
//!
//! - `join` links a row to the next; AND binds tighter than OR, so
//!   `a and b or c` is `(a and b) or c`.
//! - A missing property (absent or `null`) makes every row false except
//!   `not_exists`.
//! - Numbers compare as numbers, and so does a numeric string when the other
//!   side is a number (`"7"` equals `7`); otherwise text is compared, with
//!   `ignoreCase` lower-casing both sides.
//! - `matches` uses the core's linear-time regular expressions
//!   (JavaScript's dialect without back-references and look-around, see
//!   [`super::regex`]); a pattern looks at the first 512 characters.

use super::event::Event;
use super::host::Host;
use super::regex::Regex;
use super::settings::{Condition, Join, Operator};
use super::template::text_of;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;

/// How much of a text `matches` looks at, in characters.
pub const MATCH_TEXT_CHARS: usize = super::regex::MAX_TEXT_CHARS;

/// Why conditions do not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// A `matches` pattern that cannot be used.
    Pattern(super::regex::Error),
    /// `matches` with a value that is not text.
    NotText,
}

/// A webhook's conditions, ready to evaluate: an OR of AND-groups.
#[derive(Default)]
pub struct Conditions {
    groups: Vec<Vec<Row>>,
    never: bool,
}

struct Row {
    property: String,
    op: Operator,
    value: Value,
    ignore_case: bool,
    /// The value's text, lower-cased when `ignore_case`.
    text: String,
    /// The value as a number, when it is one or a numeric string.
    number: Option<f64>,
    pattern: Option<Regex>,
}

impl Conditions {
    /// Compiles the rows; fails only on a pattern that does not compile
    /// (validation reports those first).
    pub fn compile(rows: &[Condition], host: &dyn Host) -> Result<Conditions, CompileError> {
        let mut groups: Vec<Vec<Row>> = Vec::new();
        let mut current: Vec<Row> = Vec::new();
        for c in rows {
            let pattern = match (&c.operator, &c.value) {
                (Operator::Matches, Value::String(p)) => {
                    Some(Regex::new(p, c.ignore_case).map_err(CompileError::Pattern)?)
                }
                (Operator::Matches, _) => return Err(CompileError::NotText),
                _ => None,
            };
            let mut text = String::new();
            text_of(&c.value, &mut text, host);
            if c.ignore_case {
                text = host.lowercase(&text);
            }
            current.push(Row {
                property: c.property.clone(),
                op: c.operator,
                number: as_number(&c.value, host),
                value: c.value.clone(),
                ignore_case: c.ignore_case,
                text,
                pattern,
            });
            if c.join == Join::Or {
                groups.push(core::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            groups.push(current);
        }
        Ok(Conditions {
            groups,
            never: false,
        })
    }

    /// Conditions that hold for no event: what a webhook gets when its rows
    /// cannot be compiled (validation refuses those, so this is a last line
    /// of defence).
    pub fn never() -> Conditions {
        Conditions {
            groups: Vec::new(),
            never: true,
        }
    }

    /// Each row's result, in the order of the rows (for the editor's preview:
    /// which row failed).
    pub fn rows(&self, event: &Event, host: &dyn Host) -> Vec<bool> {
        self.groups
            .iter()
            .flat_map(|g| g.iter().map(|r| r.test(event, host)))
            .collect()
    }

    /// Whether the event meets the conditions (no rows: always).
    pub fn test(&self, event: &Event, host: &dyn Host) -> bool {
        !self.never && self.groups.is_empty()
            || self
                .groups
                .iter()
                .any(|g| g.iter().all(|r| r.test(event, host)))
    }
}

/// A number, or a string that reads as one (`" 4.5 "`, `"-1e3"`; not `""`,
/// `"inf"`, `"0x10"`).
fn as_number(v: &Value, host: &dyn Host) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => host.parse_number(s),
        _ => None,
    }
}

impl Row {
    fn test(&self, event: &Event, host: &dyn Host) -> bool {
        let prop = match event.get(&self.property) {
            None | Some(Value::Null) => return self.op == Operator::NotExists,
            Some(v) => v,
        };
        match self.op {
            Operator::Exists => true,
            Operator::NotExists => false,
            Operator::Equals => self.equals(prop, host),
            Operator::NotEquals => !self.equals(prop, host),
            Operator::Contains => self.contains(prop, host),
            Operator::NotContains => !self.contains(prop, host),
            Operator::StartsWith => self.prop_text(prop, host).starts_with(&self.text),
            Operator::EndsWith => self.prop_text(prop, host).ends_with(&self.text),
            Operator::Matches => {
                let mut t = String::new();
                text_of(prop, &mut t, host);
                // The engine is linear in the text; it looks at the first
                // 512 characters, which bounds the work per row.
                self.pattern.as_ref().is_some_and(|p| p.is_match(&t))
            }
            Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte => {
                self.order(prop, host).is_some_and(|o| {
                    use core::cmp::Ordering::*;
                    match self.op {
                        Operator::Gt => o == Greater,
                        Operator::Gte => o != Less,
                        Operator::Lt => o == Less,
                        _ => o != Greater,
                    }
                })
            }
            Operator::In => match &self.value {
                Value::Array(items) => items
                    .iter()
                    .any(|item| loose_eq(prop, item, self.ignore_case, host)),
                _ => false,
            },
        }
    }

    fn prop_text(&self, prop: &Value, host: &dyn Host) -> String {
        let mut t = String::new();
        text_of(prop, &mut t, host);
        if self.ignore_case {
            host.lowercase(&t)
        } else {
            t
        }
    }

    fn equals(&self, prop: &Value, host: &dyn Host) -> bool {
        if let Some(n) = self.numeric_pair(prop, host) {
            return n.0 == n.1;
        }
        self.prop_text(prop, host) == self.text && kinds_compatible(prop, &self.value)
    }

    fn contains(&self, prop: &Value, host: &dyn Host) -> bool {
        match prop {
            Value::Array(items) => items
                .iter()
                .any(|i| loose_eq(i, &self.value, self.ignore_case, host)),
            _ => super::text::contains(&self.prop_text(prop, host), &self.text),
        }
    }

    /// Both sides as numbers, when one is a number and the other is a number
    /// or a numeric string.
    fn numeric_pair(&self, prop: &Value, host: &dyn Host) -> Option<(f64, f64)> {
        let either_is_number =
            matches!(prop, Value::Number(_)) || matches!(self.value, Value::Number(_));
        if !either_is_number {
            return None;
        }
        Some((as_number(prop, host)?, self.number?))
    }

    fn order(&self, prop: &Value, host: &dyn Host) -> Option<core::cmp::Ordering> {
        if let Some((a, b)) = self.numeric_pair(prop, host) {
            return a.partial_cmp(&b);
        }
        match (prop, &self.value) {
            (Value::String(_), Value::String(_)) => {
                Some(self.prop_text(prop, host).cmp(&self.text))
            }
            _ => None,
        }
    }
}

/// Text equality must not make `true` equal `"true"` unless one side is text:
/// a boolean property compared with the editor's text "true" is meant to match.
fn kinds_compatible(a: &Value, b: &Value) -> bool {
    matches!(a, Value::String(_))
        || matches!(b, Value::String(_))
        || core::mem::discriminant(a) == core::mem::discriminant(b)
}

/// Equality used by `in` and by `contains` on lists.
fn loose_eq(a: &Value, b: &Value, ignore_case: bool, host: &dyn Host) -> bool {
    if matches!(a, Value::Number(_)) || matches!(b, Value::Number(_)) {
        if let (Some(x), Some(y)) = (as_number(a, host), as_number(b, host)) {
            return x == y;
        }
    }
    if !kinds_compatible(a, b) || a.is_null() != b.is_null() {
        return false;
    }
    let (mut x, mut y) = (String::new(), String::new());
    text_of(a, &mut x, host);
    text_of(b, &mut y, host);
    if ignore_case {
        host.lowercase(&x) == host.lowercase(&y)
    } else {
        x == y
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::host::NativeHost;

    fn cond(property: &str, op: &str, value: Value) -> Condition {
        let operator = Operator::ALL.iter().find(|(_, n)| *n == op).unwrap().0;
        Condition {
            property: property.into(),
            operator,
            value,
            ignore_case: false,
            join: Join::And,
        }
    }

    fn ev(pairs: &[(&str, Value)]) -> Event {
        Event::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn check(c: &[Condition], e: &Event) -> bool {
        Conditions::compile(c, &NativeHost)
            .unwrap()
            .test(e, &NativeHost)
    }

    #[test]
    fn every_operator() {
        let e = ev(&[
            ("s", "Hello World".into()),
            ("n", 4.0.into()),
            ("ns", "7".into()),
            ("b", true.into()),
            ("tags", Value::Array(vec!["a".into(), "b".into()])),
        ]);
        let yes = [
            cond("s", "equals", "Hello World".into()),
            cond("s", "not_equals", "hello world".into()),
            cond("s", "contains", "lo Wo".into()),
            cond("s", "not_contains", "xyz".into()),
            cond("s", "starts_with", "Hell".into()),
            cond("s", "ends_with", "World".into()),
            cond("s", "matches", "^H.*d$".into()),
            cond("n", "gt", 3.0.into()),
            cond("n", "gte", 4.0.into()),
            cond("n", "lt", 4.5.into()),
            cond("n", "lte", 4.0.into()),
            cond("s", "exists", Value::Null),
            cond("missing", "not_exists", Value::Null),
            cond("n", "in", Value::Array(vec![1.0.into(), 4.0.into()])),
            cond("tags", "contains", "b".into()),
            cond("b", "equals", "true".into()),
            cond("b", "equals", true.into()),
        ];
        for c in yes {
            assert!(check(core::slice::from_ref(&c), &e), "{:?} should hold", c);
        }
        let no = [
            cond("s", "equals", "hello world".into()),
            cond("s", "contains", "xyz".into()),
            cond("s", "matches", "^World".into()),
            cond("n", "gt", 4.0.into()),
            cond("n", "lt", 4.0.into()),
            cond("s", "not_exists", Value::Null),
            cond("missing", "exists", Value::Null),
            cond("n", "in", Value::Array(vec!["x".into()])),
            cond("tags", "contains", "c".into()),
            cond("b", "equals", 1.0.into()),
        ];
        for c in no {
            assert!(
                !check(core::slice::from_ref(&c), &e),
                "{:?} should not hold",
                c
            );
        }
    }

    #[test]
    fn missing_and_null_properties_fail_every_row_but_not_exists() {
        let e = ev(&[("nul", Value::Null)]);
        for (_, op) in Operator::ALL {
            let value = if op == "in" {
                Value::Array(vec![Value::Null])
            } else {
                "x".into()
            };
            for prop in ["absent", "nul"] {
                let c = cond(prop, op, value.clone());
                assert_eq!(check(&[c], &e), op == "not_exists", "{op} on {prop}");
            }
        }
    }

    #[test]
    fn numbers_and_numeric_strings() {
        let e = ev(&[
            ("n", 10.0.into()),
            ("ns", "10".into()),
            ("txt", "abc".into()),
            ("v", "9".into()),
        ]);
        assert!(check(&[cond("ns", "equals", 10.0.into())], &e));
        assert!(
            check(&[cond("ns", "gt", 9.0.into())], &e),
            "numeric string vs number compares as numbers"
        );
        assert!(check(&[cond("n", "equals", "10.0".into())], &e));
        assert!(check(&[cond("n", "gt", "9".into())], &e));
        assert!(
            !check(&[cond("txt", "gt", 1.0.into())], &e),
            "text vs number is neither greater nor smaller"
        );
        assert!(!check(&[cond("txt", "lt", 1.0.into())], &e));
        // Both sides text: compared as text ("9" > "10").
        assert!(check(&[cond("v", "gt", "10".into())], &e));
        assert!(!check(&[cond("n", "equals", "".into())], &e));
    }

    #[test]
    fn ignore_case_lowercases_both_sides() {
        let e = ev(&[("s", "NPS Survey".into())]);
        let mut c = cond("s", "starts_with", "nps".into());
        assert!(!check(core::slice::from_ref(&c), &e));
        c.ignore_case = true;
        assert!(check(&[c], &e));
        let mut m = cond("s", "matches", "^nps".into());
        m.ignore_case = true;
        assert!(check(&[m], &e));
        let mut i = cond("s", "in", Value::Array(vec!["nps survey".into()]));
        i.ignore_case = true;
        assert!(check(&[i], &e));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // a and b or c  ==  (a and b) or c
        let a = |v: bool| {
            let mut c = cond("a", "equals", v.into());
            c.join = Join::And;
            c
        };
        let b = |v: bool| {
            let mut c = cond("b", "equals", v.into());
            c.join = Join::Or;
            c
        };
        let c = |v: bool| cond("c", "equals", v.into());
        let e = ev(&[("a", true.into()), ("b", false.into()), ("c", true.into())]);
        assert!(check(&[a(true), b(true), c(true)], &e), "(T and F) or T");
        assert!(!check(&[a(true), b(true), c(false)], &e), "(T and F) or F");
        let e2 = ev(&[("a", false.into()), ("b", true.into()), ("c", true.into())]);
        // a or b and c == a or (b and c)
        let mut r0 = cond("a", "equals", true.into());
        r0.join = Join::Or;
        let r1 = cond("b", "equals", true.into());
        let r2 = cond("c", "equals", true.into());
        assert!(check(&[r0.clone(), r1.clone(), r2], &e2));
        assert!(!check(&[r0, r1, cond("c", "equals", false.into())], &e2));
        assert!(check(&[], &e2), "no rows always match");
    }
}
