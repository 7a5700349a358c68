//! JavaScript values to and from the core's `Value`, walked directly with
//! `js_sys` (objects cross as objects; no JSON text in between).
//!
//! Hand-written rather than serde-wasm-bindgen for two reasons: size (serde's
//! error machinery pulls float formatting and a hash map into every page's
//! download) and safety (a host object with a cycle, a getter that throws or
//! a million entries must not exhaust the stack or freeze the page: depth
//! and size are capped here).

use crate::core::settings::Problem;
use crate::core::value::{Value, MAX_DEPTH, MAX_NODES};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Reads any JavaScript value; what cannot be read (functions, symbols,
/// values past the depth or size cap) becomes `null`.
pub fn to_value(v: &JsValue) -> Value {
    let mut budget = MAX_NODES;
    read(v, 0, &mut budget)
}

fn read(v: &JsValue, depth: usize, budget: &mut usize) -> Value {
    if *budget == 0 {
        return Value::Null;
    }
    *budget -= 1;
    if let Some(s) = v.as_string() {
        return Value::String(s);
    }
    if let Some(n) = v.as_f64() {
        return Value::Number(n);
    }
    if let Some(b) = v.as_bool() {
        return Value::Bool(b);
    }
    if !v.is_object() || depth >= MAX_DEPTH {
        return Value::Null;
    }
    if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        let n = a.length().min(*budget as u32);
        return Value::Array((0..n).map(|i| read(&a.get(i), depth + 1, budget)).collect());
    }
    // Plain data only: own enumerable string keys, read with a guard so a
    // throwing getter or Proxy yields null instead of an exception.
    let pairs = super::platform::entries(v);
    let n = pairs.length() / 2;
    let mut out = Vec::with_capacity(n.min(64) as usize);
    for i in 0..n {
        if *budget == 0 {
            break;
        }
        let Some(k) = pairs.get(2 * i).as_string() else {
            continue;
        };
        out.push((k, read(&pairs.get(2 * i + 1), depth + 1, budget)));
    }
    Value::Object(out)
}

/// A plain JavaScript value (objects as plain objects, in key order).
pub fn to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(*n),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items.iter().map(to_js).collect::<Array>().into(),
        Value::Object(pairs) => {
            let o = Object::new();
            for (k, v) in pairs {
                let _ = Reflect::set(&o, &JsValue::from_str(k), &to_js(v));
            }
            o.into()
        }
    }
}

/// `[{ path, message }]`.
pub fn problems(list: &[Problem]) -> Value {
    Value::Array(
        list.iter()
            .map(|p| {
                Value::Object(vec![
                    ("path".into(), p.path.clone().into()),
                    ("message".into(), p.message.clone().into()),
                ])
            })
            .collect(),
    )
}
