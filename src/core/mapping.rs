//! Property selection and renaming ("Advanced"), hashing and static
//! properties: the default body of a delivery.

use super::event::Event;
use super::host::Host;
use super::settings::Webhook;
use super::sha256;
use super::template::text_of;
use super::value::{set_pair, Value};
#[allow(unused_imports)]
use crate::core::prelude::*;

/// The flat default body: the selected (renamed, hashed) properties in the
/// order the webhook lists them (all event properties, in event order, when
/// it lists none), then the static properties, which win on a name clash.
/// Selected properties the event does not carry are left out.
pub fn default_body(webhook: &Webhook, event: &Event, host: &dyn Host) -> Value {
    let mut pairs: Vec<(String, Value)> = match &webhook.properties {
        None => {
            let all = event.all();
            let mut out = Vec::with_capacity(all.len() + webhook.static_properties.len());
            for p in all {
                out.push(p.clone());
            }
            out
        }
        Some(selection) => {
            let mut out = Vec::with_capacity(selection.len() + webhook.static_properties.len());
            for sel in selection {
                if let Some(v) = event.get(&sel.name) {
                    let v = if sel.hash { hashed(v, host) } else { v.clone() };
                    set_pair(&mut out, sel.output_name(), v);
                }
            }
            out
        }
    };
    for st in &webhook.static_properties {
        set_pair(&mut pairs, &st.name, st.value.clone());
    }
    Value::Object(pairs)
}

/// SHA-256 hex of the value's text; `null` stays `null`. E-mail-like values
/// are trimmed and lower-cased first so the same address always hashes alike.
fn hashed(v: &Value, host: &dyn Host) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    let mut text = String::new();
    text_of(v, &mut text, host);
    if super::text::contains(&text, "@") {
        text = host.lowercase(text.trim());
    }
    Value::String(sha256::hex(text.as_bytes()))
}
