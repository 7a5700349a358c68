//! The request a delivery (or a batch of deliveries) sends, built from the
//! destination's settings in force when it is sent, so that a re-published
//! destination never receives old bodies at a new address or the other way
//! round. Authentication is not part of it: the `Authorization` header is
//! added when the request is sent (see [`super::auth`]), so that nothing
//! built here or stored holds a secret.

use super::event::Event;
use super::host::Host;
use super::json;
use super::mapping::default_body;
use super::settings::{Destination, Format, Method, Mode, Webhook};
use super::template::{self, text_of, Scope, Template, UrlTemplate};
use super::url::with_query;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;

/// Largest body (or query string) a request may have. Bigger ones are
/// dropped and reported: a page's keep-alive budget is 64 KiB in all.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

/// Content type of JSON bodies.
pub const JSON: &str = "application/json";
/// Content type of text bodies (CORS-safelisted).
pub const TEXT: &str = "text/plain;charset=UTF-8";
/// Content type of form bodies (CORS-safelisted).
pub const FORM: &str = "application/x-www-form-urlencoded";

/// Why a request was not built.
pub const TOO_LARGE: &str = "the request is over the 32 KiB limit; select fewer properties";

/// A request ready for `fetch`, without its `Authorization` header.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Final URL (placeholders filled and encoded, query added for GET).
    pub url: String,
    /// Headers in order, content type first.
    pub headers: Vec<(String, String)>,
    /// Body text; `None` for GET.
    pub body: Option<String>,
    /// CORS mode of the destination.
    pub mode: Mode,
}

impl Request {
    /// Bytes the request carries (body, or the URL for GET), for budgets.
    pub fn size(&self) -> usize {
        self.body.as_ref().map_or(self.url.len(), String::len)
    }
}

/// A destination's templates, compiled once per published settings.
#[derive(Clone, Debug)]
pub struct Compiled {
    url: UrlTemplate,
    body: Option<Template>,
    batch: Option<Template>,
}

impl Compiled {
    /// Compiles a (validated) destination; a template that does not compile
    /// (validation refuses those) renders as the text it is.
    pub fn new(d: &Destination) -> Compiled {
        let literal =
            |v: &Value| template::compile(v).unwrap_or_else(|_| Template::Literal(v.clone()));
        Compiled {
            url: UrlTemplate::new(&d.url).unwrap_or_else(|_| UrlTemplate::literal(&d.url)),
            body: d.body.as_ref().map(literal),
            batch: d.batch.as_ref().map(|b| literal(&b.body)),
        }
    }
}

/// A value that can go into a header whatever the caller put in `event.id`:
/// visible ASCII stays, anything else (CR, LF, controls, non-ASCII) is
/// percent-encoded, so a crafted id can neither inject a header nor make the
/// browser refuse the request.
pub fn header_safe(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if (0x21..0x7f).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            push_hex(&mut out, b);
        }
    }
    out
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 15) as usize] as char);
}

/// `application/x-www-form-urlencoded` serialisation of one name or value
/// (the URL standard's: `*-._` and alphanumerics stay, space is `+`).
pub fn form_encode(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || super::text::is_one_of(b, b"*-._") {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            push_hex(out, b);
        }
    }
}

/// One delivery to build: its webhook and event.
pub type Item<'a> = (&'a Webhook, &'a Event);

/// The body value of one delivery: the destination's template rendered over
/// the event, or the webhook's default body.
pub fn item_body(
    compiled: &Compiled,
    item: Item,
    host: &dyn Host,
    limit: usize,
) -> Result<(Value, Value), &'static str> {
    let (webhook, event) = item;
    let flat = default_body(webhook, event, host);
    let body = match &compiled.body {
        Some(t) => {
            let scope = Scope {
                event,
                properties: &flat,
                batch: None,
            };
            t.render(&scope, host, limit).ok_or(TOO_LARGE)?
        }
        None if template::approx_size(&flat) > limit => return Err(TOO_LARGE),
        None => flat.clone(),
    };
    Ok((body, flat))
}

/// Builds the request of one delivery, or of a batch (`items` in order; the
/// URL and the batch body's own placeholders take the first one's values).
/// `key` is the first delivery's key, sent as `Idempotency-Key` when the
/// destination asks for it.
pub fn build(
    dest: &Destination,
    compiled: &Compiled,
    items: &[Item],
    key: &str,
    host: &dyn Host,
) -> Result<Request, &'static str> {
    let first = *items.first().ok_or(TOO_LARGE)?;
    // Stop early when the request is bound to be too large (a template may
    // repeat {{properties}}; a GET percent-encodes up to 3 bytes per byte).
    let limit = MAX_BODY_BYTES * 3 + 1024;
    let (mut payload, first_flat) = item_body(compiled, first, host, limit)?;
    if let (Some(batch), Some(_)) = (&compiled.batch, &dest.batch) {
        let mut bodies = Vec::with_capacity(items.len());
        bodies.push(payload);
        let mut size = 0;
        for it in &items[1..] {
            let (b, _) = item_body(compiled, *it, host, limit)?;
            size += template::approx_size(&b);
            if size > limit {
                return Err(TOO_LARGE);
            }
            bodies.push(b);
        }
        let list = Value::Array(bodies);
        let scope = Scope {
            event: first.1,
            properties: &first_flat,
            batch: Some(&list),
        };
        payload = batch.render(&scope, host, limit).ok_or(TOO_LARGE)?;
    }
    let scope = Scope {
        event: first.1,
        properties: &first_flat,
        batch: None,
    };
    let url = compiled.url.render(&scope, host)?;
    let mut headers: Vec<(String, String)> = Vec::with_capacity(dest.headers.len() + 2);
    let (url, body) = if dest.method == Method::Get {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Value::Object(o) = &payload {
            for (k, v) in o {
                let mut t = String::new();
                text_of(v, &mut t, host);
                pairs.push((k.clone(), t));
            }
        }
        (with_query(&url, &pairs), None)
    } else {
        let (content_type, text) = match dest.format {
            Format::Json => (JSON, json::to_json(&payload, host)),
            Format::Text => (
                TEXT,
                match payload {
                    Value::String(s) => s,
                    other => json::to_json(&other, host),
                },
            ),
            Format::Form => (FORM, form_body(&payload, host)),
        };
        let custom_type = dest.mode == Mode::Cors
            && dest
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("content-type"));
        if !custom_type {
            headers.push(("Content-Type".into(), content_type.into()));
        }
        (url, Some(text))
    };
    let size = body.as_ref().map_or(url.len(), String::len);
    if size > MAX_BODY_BYTES {
        return Err(TOO_LARGE);
    }
    if dest.mode == Mode::Cors {
        for h in &dest.headers {
            headers.push((h.name.clone(), h.value.clone()));
        }
        if dest.idempotency_header {
            headers.push(("Idempotency-Key".into(), header_safe(key)));
        }
    }
    Ok(Request {
        method: dest.method,
        url,
        headers,
        body,
        mode: dest.mode,
    })
}

/// A form body: each top-level key of an object is a field (text as it is,
/// anything else as its JSON text); any other value is one `data` field.
fn form_body(payload: &Value, host: &dyn Host) -> String {
    let mut out = String::new();
    let field = |k: &str, v: &Value, out: &mut String| {
        if !out.is_empty() {
            out.push('&');
        }
        form_encode(out, k);
        out.push('=');
        let mut t = String::new();
        match v {
            Value::String(s) => t.push_str(s),
            Value::Null => {}
            other => json::write_value(&mut t, other, host),
        }
        form_encode(out, &t);
    };
    match payload {
        Value::Object(pairs) => {
            for (k, v) in pairs {
                field(k, v, &mut out);
            }
        }
        other => field("data", other, &mut out),
    }
    out
}
