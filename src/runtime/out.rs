//! What the runtime hands back to JavaScript, written as compact JSON that
//! `platform.js` reads with `JSON.parse`.
//!
//! Effects: `{"e":[...],"idle":bool,"wake":ms|null,"stored":n}`, each
//! effect an array whose first item says what it is:
//! - `[0, id, method, url, [name, value, ...], body|null, fetchMode, keepalive, timeoutMs, key, attempt, count]` send;
//! - `[1, key, record]` store; `[2, key]` unstore;
//! - `[3, {webhookId, eventId, destinationId, key, attempt, status, outcome, error, ms}]` report;
//! - `[4, destination, "oauth"|"site"|"provider", url, body, timeoutMs]` get a token;
//! - `[5, destination, url, timeoutMs]` probe the destination's host.

use super::host::BrowserHost;
use crate::core::engine::{Effect, Engine, TokenSource};
use crate::core::json::{write_number, write_string};
use crate::core::prelude::*;
use crate::core::problem::Problem;

fn num(out: &mut String, n: f64) {
    write_number(out, n, &BrowserHost);
}

fn sep(out: &mut String) {
    out.push(',');
}

/// `{"errors":[{path, code, message}]}`.
pub fn problems(list: &[Problem]) -> String {
    let mut out = String::from("{\"errors\":[");
    for (i, p) in list.iter().enumerate() {
        if i > 0 {
            sep(&mut out);
        }
        out.push_str("{\"path\":");
        write_string(&mut out, &p.path);
        out.push_str(",\"code\":");
        write_string(&mut out, p.code.as_str());
        out.push_str(",\"message\":");
        write_string(&mut out, &p.message);
        out.push('}');
    }
    out.push_str("]}");
    out
}

/// The `stats()` object.
pub fn stats(e: &Engine) -> String {
    let mut out = String::new();
    e.stats().write_json(&mut out);
    out
}

/// The effects the engine asks for, with whether it is idle, when it next
/// wants to be woken and how many records it has in storage.
pub fn effects(e: &mut Engine, now: f64) -> String {
    let list = e.take_effects();
    let mut out = String::with_capacity(64 + list.len() * 96);
    out.push_str("{\"e\":[");
    for (i, fx) in list.iter().enumerate() {
        if i > 0 {
            sep(&mut out);
        }
        match fx {
            Effect::Send(s) => {
                let r = &s.request;
                out.push_str("[0,");
                num(&mut out, s.id as f64);
                sep(&mut out);
                write_string(&mut out, r.method.as_str());
                sep(&mut out);
                write_string(&mut out, &r.url);
                out.push_str(",[");
                for (j, (n, v)) in r.headers.iter().enumerate() {
                    if j > 0 {
                        sep(&mut out);
                    }
                    write_string(&mut out, n);
                    sep(&mut out);
                    write_string(&mut out, v);
                }
                out.push_str("],");
                match &r.body {
                    Some(b) => write_string(&mut out, b),
                    None => out.push_str("null"),
                }
                sep(&mut out);
                write_string(&mut out, s.fetch_mode.as_str());
                out.push_str(if s.keepalive { ",true," } else { ",false," });
                num(&mut out, f64::from(s.timeout_ms));
                sep(&mut out);
                write_string(&mut out, &s.key);
                sep(&mut out);
                num(&mut out, f64::from(s.attempt));
                sep(&mut out);
                num(&mut out, s.count as f64);
                out.push(']');
            }
            Effect::Store { key, record } => {
                out.push_str("[1,");
                write_string(&mut out, key);
                sep(&mut out);
                write_string(&mut out, record);
                out.push(']');
            }
            Effect::Unstore { key } => {
                out.push_str("[2,");
                write_string(&mut out, key);
                out.push(']');
            }
            Effect::Report(r) => {
                out.push_str("[3,");
                r.write_json(&mut out, &BrowserHost);
                out.push(']');
            }
            Effect::Token {
                destination,
                source,
                timeout_ms,
                request,
            } => {
                out.push_str("[4,");
                write_string(&mut out, destination);
                let (kind, url, body) = match source {
                    TokenSource::OAuth { url, body } => ("oauth", url.as_str(), body.as_str()),
                    TokenSource::Site { path } => ("site", path.as_str(), ""),
                    TokenSource::Provider => ("provider", "", ""),
                };
                sep(&mut out);
                write_string(&mut out, kind);
                sep(&mut out);
                write_string(&mut out, url);
                sep(&mut out);
                write_string(&mut out, body);
                sep(&mut out);
                num(&mut out, f64::from(*timeout_ms));
                sep(&mut out);
                num(&mut out, f64::from(*request));
                out.push(']');
            }
            Effect::Probe {
                destination,
                url,
                timeout_ms,
            } => {
                out.push_str("[5,");
                write_string(&mut out, destination);
                sep(&mut out);
                write_string(&mut out, url);
                sep(&mut out);
                num(&mut out, f64::from(*timeout_ms));
                out.push(']');
            }
        }
    }
    out.push_str("],\"idle\":");
    out.push_str(if e.idle() { "true" } else { "false" });
    out.push_str(",\"wake\":");
    match e.next_wakeup() {
        Some(at) => num(&mut out, crate::core::num::floor(at.max(now))),
        None => out.push_str("null"),
    }
    out.push_str(",\"stored\":");
    num(&mut out, e.book().stored as f64);
    out.push('}');
    out
}
