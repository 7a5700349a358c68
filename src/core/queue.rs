//! A delivery (one event for one webhook) and the form it is stored in.
//!
//! The stored record holds everything needed to send the request again after
//! a reload, except the `Authorization` header: secrets are added when the
//! request is sent and never written to browser storage.

use super::host::Host;
use super::json::{write_number, write_string};
use super::request::Request;
use super::settings::{Method, Mode};
use super::value::Value;

/// Storage format version of a record.
pub const RECORD_VERSION: f64 = 1.0;

/// One (event, webhook) pair on its way to a destination.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// `event.id:webhook.id`, the same on every attempt.
    pub key: String,
    /// Webhook id.
    pub webhook: String,
    /// Destination id.
    pub destination: String,
    /// `event.id`.
    pub event_id: String,
    /// The request, without authentication.
    pub request: Request,
    /// Attempts made so far (also across reloads).
    pub attempts: u32,
    /// Earliest time of the next attempt (ms since the epoch).
    pub next_at: f64,
    /// When the delivery was created.
    pub created_at: f64,
    /// A 401 was answered by renewing the token once already.
    pub reauthorized: bool,
    /// Whether a copy is in browser storage.
    pub stored: bool,
    /// When the record was last written (ms since the epoch).
    pub stored_at: f64,
}

/// A page's stored deliveries may be taken over by another page only when
/// their owner holds no lock *and* none was written in the last
/// [`ADOPT_AFTER_MS`]: a live page takes its lock in the same task as it
/// stores, so this margin covers the moment in between.
pub const ADOPT_AFTER_MS: f64 = 2_000.0;

/// Whether a set of records (of one owner) is old enough to be taken over.
pub fn adoptable(records: &[Value], now: f64) -> bool {
    records.iter().all(|r| {
        r.get("storedAt")
            .and_then(Value::as_f64)
            .is_none_or(|t| t <= now - ADOPT_AFTER_MS)
    })
}

impl Delivery {
    /// The storage record: compact JSON, no secrets.
    pub fn to_record(&self, host: &dyn Host) -> String {
        let r = &self.request;
        let mut out = String::with_capacity(r.size() + r.url.len() + 200);
        out.push_str("{\"v\":1,\"key\":");
        write_string(&mut out, &self.key);
        out.push_str(",\"webhook\":");
        write_string(&mut out, &self.webhook);
        out.push_str(",\"destination\":");
        write_string(&mut out, &self.destination);
        out.push_str(",\"event\":");
        write_string(&mut out, &self.event_id);
        out.push_str(",\"method\":");
        write_string(&mut out, r.method.as_str());
        out.push_str(",\"url\":");
        write_string(&mut out, &r.url);
        out.push_str(",\"mode\":");
        write_string(&mut out, r.mode.as_str());
        out.push_str(",\"headers\":[");
        for (i, (n, v)) in r.headers.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            write_string(&mut out, n);
            out.push(',');
            write_string(&mut out, v);
            out.push(']');
        }
        out.push_str("],\"body\":");
        match &r.body {
            Some(b) => write_string(&mut out, b),
            None => out.push_str("null"),
        }
        out.push_str(",\"attempts\":");
        write_number(&mut out, self.attempts as f64, host);
        out.push_str(",\"nextAt\":");
        write_number(&mut out, self.next_at.floor(), host);
        out.push_str(",\"createdAt\":");
        write_number(&mut out, self.created_at.floor(), host);
        out.push_str(",\"storedAt\":");
        write_number(&mut out, self.stored_at.floor(), host);
        out.push('}');
        out
    }

    /// Reads a stored record back; `None` for anything malformed (such a
    /// record is removed and reported by the engine).
    pub fn from_record(v: &Value) -> Option<Delivery> {
        if v.get("v")?.as_f64()? != RECORD_VERSION {
            return None;
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let method = match v.get("method")?.as_str()? {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        };
        let mode = match v.get("mode")?.as_str()? {
            "cors" => Mode::Cors,
            "simple" => Mode::Simple,
            "no-cors" => Mode::NoCors,
            _ => return None,
        };
        let mut headers = Vec::new();
        for h in v.get("headers")?.as_array()? {
            let pair = h.as_array()?;
            headers.push((
                pair.first()?.as_str()?.to_string(),
                pair.get(1)?.as_str()?.to_string(),
            ));
        }
        let body = match v.get("body")? {
            Value::Null => None,
            Value::String(b) => Some(b.clone()),
            _ => return None,
        };
        let url = s("url")?;
        let num = |k: &str| {
            v.get(k)
                .and_then(Value::as_f64)
                .filter(|n| n.is_finite() && *n >= 0.0)
        };
        Some(Delivery {
            key: s("key")?,
            webhook: s("webhook")?,
            destination: s("destination")?,
            event_id: s("event")?,
            request: Request {
                method,
                url,
                headers,
                body,
                mode,
            },
            attempts: num("attempts")?.min(1000.0) as u32,
            next_at: num("nextAt")?,
            created_at: num("createdAt")?,
            reauthorized: false,
            stored: true,
            stored_at: num("storedAt").unwrap_or(0.0),
        })
    }
}
