//! The rules a well-formed settings document must also meet: everything that
//! would make a webhook fail at run time, or send something where it must
//! not go, is refused before it is published. Warnings (published secrets,
//! what a known destination host does not take from a browser) are separate:
//! they do not block publishing, and only the editor module gives them.
//!
//! The rules run in both modules; each problem is worded by the caller's
//! [`Wording`] (see [`super::settings`]).

use super::catalog;
use super::problem::{at, item, Code, Full, Problem, Problems, Wording};
use super::regex::Regex;
use super::settings::{Auth, Destination, Format, Method, Mode, Operator, Settings, Webhook};
use super::template::{self, TemplateError};
use super::url;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;

/// Every rule-breaking problem of `s`, in the editor's wording.
pub fn check(s: &Settings) -> Vec<Problem> {
    let destinations: Vec<usize> = (0..s.destinations.len()).collect();
    let webhooks: Vec<usize> = (0..s.webhooks.len()).collect();
    let mut out = Problems::<Full>::default();
    check_read(
        s,
        &Origin {
            destinations: &destinations,
            webhooks: &webhooks,
            unread_destinations: &[],
        },
        &mut out,
    );
    out.list
}

/// Where the items of settings read from a document stood in it: the reader
/// leaves out items it could not read, and the problems of the others must
/// still carry the document's paths.
pub(crate) struct Origin<'a> {
    /// Document index of each destination read.
    pub destinations: &'a [usize],
    /// Document index of each webhook read.
    pub webhooks: &'a [usize],
    /// Ids of destinations that could not be read (already reported), which
    /// webhooks may point at without being told the destination is missing.
    pub unread_destinations: &'a [String],
}

/// [`check`] of settings read from a document, with the document's paths.
pub(crate) fn check_read<W: Wording>(s: &Settings, origin: &Origin, out: &mut Problems<W>) {
    for (i, d) in s.destinations.iter().enumerate() {
        let path = item("", "destinations", origin.destinations[i]);
        if let Some(j) = s.destinations[..i].iter().position(|o| o.id == d.id) {
            out.add(at(&path, "id"), Code::DuplicateId, || {
                format!(
                    "\"{}\" is already the id of destinations[{}]; ids must be unique",
                    d.id, origin.destinations[j]
                )
            });
        }
        check_destination(d, &path, out);
    }
    for (i, w) in s.webhooks.iter().enumerate() {
        let path = item("", "webhooks", origin.webhooks[i]);
        if let Some(j) = s.webhooks[..i].iter().position(|o| o.id == w.id) {
            out.add(at(&path, "id"), Code::DuplicateId, || {
                format!(
                    "\"{}\" is already the id of webhooks[{}]; ids must be unique",
                    w.id, origin.webhooks[j]
                )
            });
        }
        if crate::core::text::contains(&w.id, ":") {
            out.add(at(&path, "id"), Code::BadId, || {
                format!("\"{}\" contains ':'; use letters, digits, - or _", w.id)
            });
        }
        check_webhook(w, s, &path, origin, out);
    }
    for (i, p) in s.player_events.iter().enumerate() {
        if let Some(e) = &p.event {
            if catalog::index(e).is_none() {
                out.add(
                    at(&item("", "playerEvents", i), "event"),
                    Code::UnknownEvent,
                    || unknown_event_message(e),
                );
            }
        }
        for (field, name) in &p.fields {
            if crate::core::text::has_whitespace(name) {
                out.add(
                    at(&at(&item("", "playerEvents", i), "fields"), field),
                    Code::Whitespace,
                    || whitespace_message(name),
                );
            }
        }
    }
}

/// HTTP token characters (RFC 9110), the only ones allowed in a header name.
pub fn is_token(name: &str) -> bool {
    !name.is_empty()
        && crate::core::text::all_bytes(name, |b| {
            b.is_ascii_alphanumeric() || crate::core::text::is_one_of(b, b"!#$%&'*+-.^_`|~")
        })
}

/// Headers the browser sets itself and silently refuses from scripts.
fn is_forbidden_header(name: &str) -> bool {
    const FORBIDDEN: &[&str] = &[
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let n = name.to_ascii_lowercase();
    FORBIDDEN.contains(&n.as_str()) || n.starts_with("proxy-") || n.starts_with("sec-")
}

/// Whether a `{{placeholder}}` stands in the scheme or the authority (user
/// info, host, port) of a URL template, where a value could send the request
/// somewhere else.
fn placeholder_before_path(url: &str) -> bool {
    match crate::core::text::split_once(url, "://") {
        Some((scheme, rest)) => {
            let authority = crate::core::text::until(rest, b"/?#");
            crate::core::text::contains(scheme, "{{")
                || crate::core::text::contains(authority, "{{")
        }
        None => crate::core::text::contains(url, "{{"),
    }
}

/// The full message of a template problem.
fn template_message(e: &TemplateError) -> String {
    match e {
        TemplateError::UnknownFilter(name) => format!(
            "uses the filter \"{name}\", which does not exist; use one of {}",
            template::FILTERS.join(", ")
        ),
        TemplateError::FilterArgument(name) => {
            if matches!(name.as_str(), "cut" | "cut_keys" | "limit") {
                format!("the filter {name} needs a whole number from 1 to 100000, e.g. {name}:100")
            } else {
                format!("the filter {name} takes no argument")
            }
        }
        TemplateError::BadLiteral(text) => {
            format!("has the fallback {text}, which is neither a \"quoted text\" nor a number")
        }
        other => other.as_str().to_string(),
    }
}

fn check_template<W: Wording>(t: &Value, path: &str, out: &mut Problems<W>) {
    for (rest, e) in template::problems(t) {
        let mut p = path.to_string();
        p.push_str(&rest);
        out.add(p, Code::Template, || template_message(&e));
    }
}

fn check_destination<W: Wording>(d: &Destination, path: &str, out: &mut Problems<W>) {
    let url_path = at(path, "url");
    match template::check_placeholders(&d.url) {
        Err(e) => out.add(url_path, Code::Template, || template_message(&e)),
        Ok(()) => {
            let concrete = template::fill_placeholders(&d.url, "x");
            if let Err(e) = url::check_destination_url(&concrete) {
                out.add(url_path, Code::BadUrl, || e.message());
            } else if placeholder_before_path(&d.url) {
                out.add(url_path, Code::HostPlaceholder, || {
                    "may use {{placeholders}} only in its path and query, not in its scheme or host"
                        .into()
                });
            }
        }
    }
    for (i, h) in d.headers.iter().enumerate() {
        let hp = item(path, "headers", i);
        if !is_token(&h.name) {
            out.add(at(&hp, "name"), Code::HeaderName, || {
                format!("\"{}\" is not a valid header name; use letters, digits and !#$%&'*+-.^_`|~ only, no spaces", h.name)
            });
        } else if is_forbidden_header(&h.name) {
            out.add(at(&hp, "name"), Code::ForbiddenHeader, || {
                format!(
                    "\"{}\" is set by the browser and cannot be sent from a page; remove it",
                    h.name
                )
            });
        } else if h.name.eq_ignore_ascii_case("authorization") && d.auth != Auth::None {
            out.add(at(&hp, "name"), Code::DuplicateName, || {
                format!(
                    "Authorization is already set by the {} authentication; remove this header",
                    d.auth.kind()
                )
            });
        } else if h.name.eq_ignore_ascii_case("idempotency-key") && d.idempotency_header {
            out.add(at(&hp, "name"), Code::DuplicateName, || {
                "Idempotency-Key is already set by idempotencyHeader (a key per delivery); remove this header"
                    .into()
            });
        }
        if crate::core::text::find_any(&h.value, b"\r\n").is_some() {
            out.add(at(&hp, "value"), Code::HeaderValue, || {
                "contains a line break; header values must be on one line".into()
            });
        } else if h
            .value
            .chars()
            .any(|c| c as u32 > 0xff || (c as u32) < 0x20 && c != '\t' || c == '\u{7f}')
        {
            out.add(at(&hp, "value"), Code::HeaderValue, || {
                "contains characters a header cannot carry (control characters or non-Latin-1 text)"
                    .into()
            });
        }
    }
    if d.mode != Mode::Cors {
        let mode = d.mode.as_str();
        if !matches!(d.method, Method::Get | Method::Post) {
            out.add(at(path, "method"), Code::ModeConflict, || {
                format!(
                    "{} cannot be sent in {mode} mode (only GET and POST); use mode cors",
                    d.method.as_str()
                )
            });
        }
        if d.auth != Auth::None {
            out.add(at(path, "auth"), Code::ModeConflict, || {
                format!("authentication cannot be sent in {mode} mode; use mode cors or put the key in the URL")
            });
        }
        if d.idempotency_header {
            out.add(at(path, "idempotencyHeader"), Code::ModeConflict, || {
                format!("Idempotency-Key cannot be sent in {mode} mode; use mode cors")
            });
        }
        if d.format == Format::Json && d.method != Method::Get {
            out.add(at(path, "format"), Code::ModeConflict, || {
                format!("a JSON body needs mode cors (the browser asks the destination first, with a preflight); in {mode} mode use format text or form")
            });
        }
    }
    match &d.auth {
        Auth::Bearer { token, token_from } => {
            if token.as_ref().is_some_and(|t| {
                t.chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c as u32 > 0xff)
            }) {
                out.add(at(path, "auth.token"), Code::BadCredential, || {
                    "contains spaces, line breaks or characters a header cannot carry; paste the token alone".into()
                });
            }
            if let Some(from) = token_from {
                if !is_own_path(from) {
                    out.add(at(path, "auth.tokenFrom"), Code::BadUrl, || {
                        "must be a path on the page's own site, starting with / (e.g. /api/walkme-token): the visitor's cookies go with the request, so it may not go anywhere else".into()
                    });
                }
                if token.is_some() {
                    out.add(at(path, "auth.token"), Code::NoEffect, || {
                        "is not used when tokenFrom is set; remove the published token".into()
                    });
                }
            }
        }
        Auth::Basic { username, .. } if crate::core::text::contains(username, ":") => {
            out.add(at(path, "auth.username"), Code::BadCredential, || {
                "must not contain ':'".into()
            });
        }
        Auth::OAuth2 { token_url, .. } => {
            if let Err(e) = url::check_destination_url(token_url) {
                out.add(at(path, "auth.tokenUrl"), Code::BadUrl, || e.message());
            }
        }
        _ => {}
    }
    if let Some(body) = &d.body {
        check_template(body, &at(path, "body"), out);
        if d.method == Method::Get && !matches!(body, Value::Object(_)) {
            out.add(at(path, "body"), Code::WrongType, || {
                "a GET request sends its body template as query parameters, so it must be an object"
                    .into()
            });
        }
    }
    if let Some(b) = &d.batch {
        let bp = at(path, "batch");
        check_template(&b.body, &at(&bp, "body"), out);
        if !template::reads(&b.body, template::BATCH) {
            out.add(at(&bp, "body"), Code::Template, || {
                "has no \"{{batch}}\"; put it where the list of events goes, e.g. {\"events\": \"{{batch}}\"}".into()
            });
        }
        if d.method == Method::Get {
            out.add(bp, Code::ModeConflict, || {
                "a GET request carries one event in its query; batches need POST".into()
            });
        }
    }
}

/// `/path` on the page's own site (not `//host/...`, which leaves it).
fn is_own_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.starts_with("/\\")
        && crate::core::text::all_bytes(p, |b| b > b' ' && b != b'\\' && b != 0x7f)
}

/// "is not an event of the catalog", with the closest id.
fn unknown_event_message(id: &str) -> String {
    let hint = closest(id, catalog::IDS.iter().copied())
        .map(|c| format!("; did you mean \"{c}\"?"))
        .unwrap_or_else(|| "; pick one from catalog()".into());
    format!("\"{id}\" is not an event of the catalog{hint}")
}

fn check_webhook<W: Wording>(
    w: &Webhook,
    s: &Settings,
    path: &str,
    origin: &Origin,
    out: &mut Problems<W>,
) {
    if catalog::index(&w.event).is_none() {
        out.add(at(path, "event"), Code::UnknownEvent, || {
            unknown_event_message(&w.event)
        });
    }
    if s.destination(&w.destination).is_none()
        && !origin.unread_destinations.contains(&w.destination)
    {
        out.add(at(path, "destination"), Code::UnknownDestination, || {
            let known: Vec<&str> = s.destinations.iter().map(|d| d.id.as_str()).collect();
            let hint = if known.is_empty() {
                "; add a destination first".to_string()
            } else {
                format!(" (known: {})", known.join(", "))
            };
            format!("no destination has the id \"{}\"{hint}", w.destination)
        });
    }
    for (i, c) in w.conditions.iter().enumerate() {
        let vp = at(&item(path, "conditions", i), "value");
        // The operators that compare with one value; `in` and `matches` say
        // in their own words what they need.
        let missing = || {
            format!(
                "is missing; {} compares with a value, e.g. \"NPS\" or 6",
                c.operator.as_str()
            )
        };
        match c.operator {
            Operator::In => {
                if !matches!(c.value, Value::Array(_)) {
                    out.add(vp, Code::ConditionValue, || {
                        "must be a list of values for the operator in, e.g. [\"a\", \"b\"]".into()
                    });
                }
            }
            Operator::Matches => match &c.value {
                Value::String(p) => {
                    if let Err(e) = Regex::new(p, c.ignore_case) {
                        out.add(vp, Code::BadPattern, || {
                            format!("the pattern does not compile: {}", e.as_str())
                        });
                    }
                }
                other => out.add(vp, Code::ConditionValue, || {
                    format!("must be a pattern (text), not {}", other.kind())
                }),
            },
            Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte => {
                if matches!(c.value, Value::Null) {
                    out.add(vp, Code::ConditionValue, missing);
                } else if !matches!(c.value, Value::Number(_) | Value::String(_)) {
                    out.add(vp, Code::ConditionValue, || {
                        format!(
                            "must be a number (or text) to compare with, not {}",
                            c.value.kind()
                        )
                    });
                }
            }
            Operator::Exists | Operator::NotExists => {}
            _ => {
                if matches!(c.value, Value::Null) {
                    out.add(vp, Code::ConditionValue, missing);
                } else if matches!(c.value, Value::Object(_) | Value::Array(_)) {
                    out.add(vp, Code::ConditionValue, || {
                        format!("must be text, a number or true/false, not {}; for a list use the operator in", c.value.kind())
                    });
                }
            }
        }
    }
    let mut sent_as: Vec<(&str, String)> = Vec::new();
    if let Some(props) = &w.properties {
        for (i, p) in props.iter().enumerate() {
            let pp = item(path, "properties", i);
            if let Some(r) = &p.rename {
                if crate::core::text::has_whitespace(r) {
                    out.add(at(&pp, "as"), Code::Whitespace, || whitespace_message(r));
                }
            }
            let name = p.output_name();
            if let Some((_, other)) = sent_as.iter().find(|(n, _)| *n == name) {
                let field = if p.rename.is_some() { "as" } else { "name" };
                out.add(at(&pp, field), Code::DuplicateName, || {
                    format!("\"{name}\" is already sent by {other}; give one of them another name")
                });
            }
            sent_as.push((name, pp));
        }
    }
    for (i, st) in w.static_properties.iter().enumerate() {
        let sp = item(path, "static", i);
        if crate::core::text::has_whitespace(&st.name) {
            out.add(at(&sp, "name"), Code::Whitespace, || {
                whitespace_message(&st.name)
            });
        }
        if let Some(j) = w.static_properties[..i]
            .iter()
            .position(|o| o.name == st.name)
        {
            out.add(at(&sp, "name"), Code::DuplicateName, || {
                format!("\"{}\" is already the name of {path}.static[{j}]", st.name)
            });
        }
    }
}

/// The contract's message for names with whitespace, with a fix.
fn whitespace_message(name: &str) -> String {
    let snake: String = name.split_whitespace().collect::<Vec<_>>().join("_");
    format!("\"{name}\" contains whitespace; use {snake} or camelCase instead")
}

/// The candidate closest to `s`, when it is close enough to be a typo.
fn closest<'a>(s: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(s, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Things that work but deserve a person's attention before publishing
/// (editor only): published secrets, what does nothing in a mode, and what
/// a known destination host does not take from a browser
/// ([`super::hosts`]).
pub fn warnings(s: &Settings) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, d) in s.destinations.iter().enumerate() {
        let path = format!("destinations[{i}].auth");
        let secret = match &d.auth {
            Auth::Bearer { token: Some(t), .. } if !t.is_empty() => Some(("token", "token")),
            Auth::Basic {
                password: Some(p), ..
            } if !p.is_empty() => Some(("password", "password")),
            Auth::OAuth2 {
                client_secret: Some(c),
                ..
            } if !c.is_empty() => Some(("clientSecret", "client secret")),
            _ => None,
        };
        if let Some((field, what)) = secret {
            out.push(Problem::new(
                format!("{path}.{field}"),
                Code::PublishedSecret,
                format!(
                    "this {what} is published to every visitor of the page; leave it out and let the token come from your own site (auth.tokenFrom) or call hooks.setTokenProvider(\"{}\", ...) from your app instead",
                    d.id
                ),
            ));
        }
        if d.mode != Mode::Cors && !d.headers.is_empty() {
            out.push(Problem::new(
                format!("destinations[{i}].headers"),
                Code::NoEffect,
                format!(
                    "headers are not sent in {} mode (a simple request carries none); remove them or use mode cors",
                    d.mode.as_str()
                ),
            ));
        }
        out.extend(super::hosts::warnings(d, i));
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn header_tokens() {
        assert!(is_token("X-Team"));
        assert!(is_token("x_a.b~c"));
        assert!(!is_token("X Team"));
        assert!(!is_token("X:Team"));
        assert!(!is_token(""));
        assert!(!is_token("Ünï"));
    }

    #[test]
    fn typos_get_a_suggestion() {
        let ids = catalog::IDS.iter().copied();
        assert_eq!(
            closest("survey.sumbitted", ids.clone()),
            Some("survey.submitted")
        );
        assert_eq!(closest("nothing.like.it.at.all", ids), None);
    }

    #[test]
    fn token_paths_stay_on_the_site() {
        assert!(is_own_path("/api/token"));
        assert!(!is_own_path("//evil.example/token"));
        assert!(!is_own_path("/\\evil.example"));
        assert!(!is_own_path("https://evil.example/token"));
        assert!(!is_own_path("api/token"));
    }
}
