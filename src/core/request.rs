//! The request a delivery sends, fully described so that the browser shell
//! only has to hand it to `fetch`. Authentication is not part of it: the
//! `Authorization` header is added when the request is sent (see
//! [`super::auth`]), so that what is stored never holds a secret.

use super::event::Event;
use super::host::Host;
use super::json;
use super::mapping::default_body;
use super::settings::{Destination, Method, Mode, Webhook};
use super::template::{self, text_of};
use super::url::with_query;
use super::value::Value;

/// Largest body (or query string) a delivery may have. Bigger ones are
/// dropped and reported: a page's keep-alive budget is 64 KiB in all.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

/// Content type of JSON bodies in `cors` mode.
pub const JSON: &str = "application/json";
/// Content type of `simple` and `no-cors` bodies (CORS-safelisted).
pub const TEXT: &str = "text/plain;charset=UTF-8";

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
    /// CORS mode.
    pub mode: Mode,
}

impl Request {
    /// Bytes the request carries (body, or the URL for GET), for budgets.
    pub fn size(&self) -> usize {
        self.body.as_ref().map_or(self.url.len(), String::len)
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
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    out
}

/// Builds the request of one (event, webhook) delivery. `key` is the
/// delivery key, sent as `Idempotency-Key` when the destination asks for it.
pub fn build(
    dest: &Destination,
    webhook: &Webhook,
    event: &Event,
    key: &str,
    host: &dyn Host,
) -> Result<Request, String> {
    let flat = default_body(webhook, event, host);
    // Stop early when the request is bound to be too large (a template may
    // repeat {{properties}}; a GET percent-encodes up to 3 bytes per byte).
    let too_large =
        || format!("the request is over the {MAX_BODY_BYTES}-byte limit; select fewer properties");
    let limit = MAX_BODY_BYTES * 3 + 1024;
    let payload = match &dest.body {
        Some(t) => template::render_bounded(t, event, &flat, host, limit).ok_or_else(too_large)?,
        None if template::approx_size(&flat) > limit => return Err(too_large()),
        None => flat.clone(),
    };
    let url = template::render_url(&dest.url, event, &flat, host);
    let mut headers: Vec<(String, String)> = Vec::with_capacity(dest.headers.len() + 2);
    let (url, body) = if dest.method == Method::Get {
        let pairs: Vec<(String, String)> = match &payload {
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| {
                    let mut t = String::new();
                    text_of(v, &mut t, host);
                    (k.clone(), t)
                })
                .collect(),
            _ => Vec::new(),
        };
        (with_query(&url, &pairs), None)
    } else {
        let content_type = if dest.mode == Mode::Cors { JSON } else { TEXT };
        let custom_type = dest
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-type"));
        if !custom_type {
            headers.push(("Content-Type".into(), content_type.into()));
        }
        (url, Some(json::to_json(&payload, host)))
    };
    let size = body.as_ref().map_or(url.len(), String::len);
    if size > MAX_BODY_BYTES {
        return Err(format!("the request is {size} bytes, over the {MAX_BODY_BYTES}-byte limit; select fewer properties"));
    }
    if dest.mode == Mode::Cors {
        headers.extend(
            dest.headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone())),
        );
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
