//! The rules a well-formed settings document must also meet: everything that
//! would make a webhook fail at run time is refused before it is published.
//! Warnings (published secrets, destinations known not to allow CORS) are
//! separate: they do not block publishing.

use super::catalog;
use super::host::Host;
use super::settings::{Auth, Destination, Method, Mode, Operator, Problem, Settings, Webhook};
use super::template;
use super::url;
use super::value::Value;

/// Every rule-breaking problem of `s`.
pub fn check(s: &Settings, host: &dyn Host) -> Vec<Problem> {
    let destinations: Vec<usize> = (0..s.destinations.len()).collect();
    let webhooks: Vec<usize> = (0..s.webhooks.len()).collect();
    check_read(
        s,
        host,
        &Origin {
            destinations: &destinations,
            webhooks: &webhooks,
            unread_destinations: &[],
        },
    )
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
pub(crate) fn check_read(s: &Settings, host: &dyn Host, origin: &Origin) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, d) in s.destinations.iter().enumerate() {
        let path = format!("destinations[{}]", origin.destinations[i]);
        if let Some(j) = s.destinations[..i].iter().position(|o| o.id == d.id) {
            out.push(Problem::new(
                format!("{path}.id"),
                format!(
                    "\"{}\" is already the id of destinations[{}]; ids must be unique",
                    d.id, origin.destinations[j]
                ),
            ));
        }
        check_destination(d, &path, &mut out);
    }
    for (i, w) in s.webhooks.iter().enumerate() {
        let path = format!("webhooks[{}]", origin.webhooks[i]);
        if let Some(j) = s.webhooks[..i].iter().position(|o| o.id == w.id) {
            out.push(Problem::new(
                format!("{path}.id"),
                format!(
                    "\"{}\" is already the id of webhooks[{}]; ids must be unique",
                    w.id, origin.webhooks[j]
                ),
            ));
        }
        if w.id.contains(':') {
            out.push(Problem::new(
                format!("{path}.id"),
                format!("\"{}\" contains ':'; use letters, digits, - or _", w.id),
            ));
        }
        check_webhook(w, s, &path, host, origin, &mut out);
    }
    out
}

/// HTTP token characters (RFC 9110), the only ones allowed in a header name.
pub fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
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
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
            scheme.contains("{{") || authority.contains("{{")
        }
        None => url.contains("{{"),
    }
}

fn check_destination(d: &Destination, path: &str, out: &mut Vec<Problem>) {
    let url_path = format!("{path}.url");
    match template::check_placeholders(&d.url) {
        Err(e) => out.push(Problem::new(&url_path, e)),
        Ok(()) => {
            let concrete = template::fill_placeholders(&d.url, "x");
            if let Err(e) = url::check_destination_url(&concrete) {
                out.push(Problem::new(&url_path, e));
            } else if placeholder_before_path(&d.url) {
                out.push(Problem::new(
                    &url_path,
                    "may use {{placeholders}} only in its path and query, not in its scheme or host",
                ));
            }
        }
    }
    for (i, h) in d.headers.iter().enumerate() {
        let hp = format!("{path}.headers[{i}]");
        if !is_token(&h.name) {
            out.push(Problem::new(
                format!("{hp}.name"),
                format!("\"{}\" is not a valid header name; use letters, digits and !#$%&'*+-.^_`|~ only, no spaces", h.name),
            ));
        } else if is_forbidden_header(&h.name) {
            out.push(Problem::new(
                format!("{hp}.name"),
                format!(
                    "\"{}\" is set by the browser and cannot be sent from a page; remove it",
                    h.name
                ),
            ));
        } else if h.name.eq_ignore_ascii_case("authorization") && d.auth != Auth::None {
            out.push(Problem::new(
                format!("{hp}.name"),
                format!(
                    "Authorization is already set by the {} authentication; remove this header",
                    d.auth.kind()
                ),
            ));
        }
        if h.value.contains(['\r', '\n']) {
            out.push(Problem::new(
                format!("{hp}.value"),
                "contains a line break; header values must be on one line",
            ));
        } else if h
            .value
            .chars()
            .any(|c| c as u32 > 0xff || (c as u32) < 0x20 && c != '\t' || c == '\u{7f}')
        {
            out.push(Problem::new(
                format!("{hp}.value"),
                "contains characters a header cannot carry (control characters or non-Latin-1 text)",
            ));
        }
    }
    if d.mode != Mode::Cors {
        let mode = d.mode.as_str();
        if !matches!(d.method, Method::Get | Method::Post) {
            out.push(Problem::new(
                format!("{path}.method"),
                format!(
                    "{} cannot be sent in {mode} mode (only GET and POST); use mode cors",
                    d.method.as_str()
                ),
            ));
        }
        if d.auth != Auth::None {
            out.push(Problem::new(
                format!("{path}.auth"),
                format!("authentication cannot be sent in {mode} mode; use mode cors or put the key in the URL"),
            ));
        }
        if d.idempotency_header {
            out.push(Problem::new(
                format!("{path}.idempotencyHeader"),
                format!("Idempotency-Key cannot be sent in {mode} mode; use mode cors"),
            ));
        }
    }
    match &d.auth {
        Auth::Bearer { token: Some(t) }
            if t.chars()
                .any(|c| c.is_control() || c.is_whitespace() || c as u32 > 0xff) =>
        {
            out.push(Problem::new(
                format!("{path}.auth.token"),
                "contains spaces, line breaks or characters a header cannot carry; paste the token alone",
            ));
        }
        Auth::Basic { username, .. } if username.contains(':') => {
            out.push(Problem::new(
                format!("{path}.auth.username"),
                "must not contain ':'",
            ));
        }
        Auth::OAuth2 { token_url, .. } => {
            if let Err(e) = url::check_destination_url(token_url) {
                out.push(Problem::new(format!("{path}.auth.tokenUrl"), e));
            }
        }
        _ => {}
    }
    if let Some(body) = &d.body {
        template::check_template(body, &format!("{path}.body"), out);
        if d.method == Method::Get && !matches!(body, Value::Object(_)) {
            out.push(Problem::new(
                format!("{path}.body"),
                "a GET request sends its body template as query parameters, so it must be an object",
            ));
        }
    }
}

fn check_webhook(
    w: &Webhook,
    s: &Settings,
    path: &str,
    host: &dyn Host,
    origin: &Origin,
    out: &mut Vec<Problem>,
) {
    if catalog::find(&w.event).is_none() {
        let hint = closest(&w.event, catalog::EVENTS.iter().map(|e| e.id))
            .map(|c| format!("; did you mean \"{c}\"?"))
            .unwrap_or_else(|| "; pick one from catalog()".into());
        out.push(Problem::new(
            format!("{path}.event"),
            format!("\"{}\" is not an event of the catalog{hint}", w.event),
        ));
    }
    if s.destination(&w.destination).is_none()
        && !origin.unread_destinations.contains(&w.destination)
    {
        let known: Vec<&str> = s.destinations.iter().map(|d| d.id.as_str()).collect();
        let hint = if known.is_empty() {
            "; add a destination first".to_string()
        } else {
            format!(" (known: {})", known.join(", "))
        };
        out.push(Problem::new(
            format!("{path}.destination"),
            format!("no destination has the id \"{}\"{hint}", w.destination),
        ));
    }
    for (i, c) in w.conditions.iter().enumerate() {
        let cp = format!("{path}.conditions[{i}]");
        let vp = format!("{cp}.value");
        // The operators that compare with one value; `in` and `matches` say
        // in their own words what they need.
        let missing = || {
            Problem::new(
                vp.clone(),
                format!(
                    "is missing; {} compares with a value, e.g. \"NPS\" or 6",
                    c.operator.as_str()
                ),
            )
        };
        match c.operator {
            Operator::In => {
                if !matches!(c.value, Value::Array(_)) {
                    out.push(Problem::new(
                        vp,
                        "must be a list of values for the operator in, e.g. [\"a\", \"b\"]",
                    ));
                }
            }
            Operator::Matches => match &c.value {
                Value::String(p) => {
                    if let Err(e) = host.compile(p, c.ignore_case) {
                        out.push(Problem::new(
                            vp,
                            format!("the pattern does not compile: {e}"),
                        ));
                    } else if backtracks(p) {
                        out.push(Problem::new(
                            vp,
                            "repeats a group that itself repeats or has alternatives, like (a+)+ or (a|aa)+: \
                             in the browser such a pattern can take minutes on some texts; write it without \
                             the nesting (a+ instead of (a+)+)",
                        ));
                    }
                }
                other => out.push(Problem::new(
                    vp,
                    format!("must be a pattern (text), not {}", other.kind()),
                )),
            },
            Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte => {
                if matches!(c.value, Value::Null) {
                    out.push(missing());
                } else if !matches!(c.value, Value::Number(_) | Value::String(_)) {
                    out.push(Problem::new(
                        vp,
                        format!(
                            "must be a number (or text) to compare with, not {}",
                            c.value.kind()
                        ),
                    ));
                }
            }
            Operator::Exists | Operator::NotExists => {}
            _ => {
                if matches!(c.value, Value::Null) {
                    out.push(missing());
                } else if matches!(c.value, Value::Object(_) | Value::Array(_)) {
                    out.push(Problem::new(
                        vp,
                        format!("must be text, a number or true/false, not {}; for a list use the operator in", c.value.kind()),
                    ));
                }
            }
        }
    }
    let mut sent_as: Vec<(&str, String)> = Vec::new();
    if let Some(props) = &w.properties {
        for (i, p) in props.iter().enumerate() {
            let pp = format!("{path}.properties[{i}]");
            if let Some(r) = &p.rename {
                if let Some(msg) = whitespace_problem(r) {
                    out.push(Problem::new(format!("{pp}.as"), msg));
                }
            }
            let name = p.output_name();
            if let Some((_, other)) = sent_as.iter().find(|(n, _)| *n == name) {
                out.push(Problem::new(
                    format!("{pp}.{}", if p.rename.is_some() { "as" } else { "name" }),
                    format!("\"{name}\" is already sent by {other}; give one of them another name"),
                ));
            }
            sent_as.push((name, pp));
        }
    }
    for (i, st) in w.static_properties.iter().enumerate() {
        let sp = format!("{path}.static[{i}]");
        if let Some(msg) = whitespace_problem(&st.name) {
            out.push(Problem::new(format!("{sp}.name"), msg));
        }
        if let Some(j) = w.static_properties[..i]
            .iter()
            .position(|o| o.name == st.name)
        {
            out.push(Problem::new(
                format!("{sp}.name"),
                format!("\"{}\" is already the name of {path}.static[{j}]", st.name),
            ));
        }
    }
}

/// Whether a pattern has the shape of catastrophic backtracking in a
/// backtracking engine (JavaScript's `RegExp`): a group repeated without
/// bound (`*`, `+`, `{n,}`, `{n,m}`) that contains a variable quantifier or
/// an alternation, at any depth. Conservative: some harmless patterns such
/// as `(ab|cd)+` are refused too; they can always be written another way.
pub fn backtracks(pattern: &str) -> bool {
    struct Group {
        varies: bool,
        alternates: bool,
    }
    let b = pattern.as_bytes();
    let mut stack = vec![Group {
        varies: false,
        alternates: false,
    }];
    let mut i = 0;
    // The quantifier at i, if any: (length, repeats without a fixed count).
    let quantifier = |i: usize| -> Option<(usize, bool)> {
        match b.get(i)? {
            b'*' | b'+' => Some((1, true)),
            b'?' => Some((1, false)),
            b'{' => {
                let end = i + b[i..].iter().position(|&c| c == b'}')?;
                let inner = std::str::from_utf8(&b[i + 1..end]).ok()?;
                let (lo, hi) = match inner.split_once(',') {
                    Some((lo, hi)) => (lo.parse::<u32>().ok()?, hi.parse::<u32>().ok()),
                    None => {
                        let n = inner.parse::<u32>().ok()?;
                        (n, Some(n))
                    }
                };
                Some((end - i + 1, hi.is_none_or(|hi| hi > lo)))
            }
            _ => None,
        }
    };
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' => {
                // A class is one atom: skip to its closing bracket.
                i += 1;
                if b.get(i) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < b.len() && b[i] != b']' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'(' => {
                stack.push(Group {
                    varies: false,
                    alternates: false,
                });
                i += 1;
                if b.get(i) == Some(&b'?') {
                    i += 1; // (?:  (?=  (?!  (?<name>  (?<=  (?<!
                }
                continue;
            }
            b')' => {
                i += 1;
                let g = stack.pop().unwrap_or(Group {
                    varies: false,
                    alternates: false,
                });
                if stack.is_empty() {
                    stack.push(Group {
                        varies: false,
                        alternates: false,
                    });
                }
                let q = quantifier(i);
                let repeated = q.is_some_and(|(_, varies)| varies);
                if repeated && (g.varies || g.alternates) {
                    return true;
                }
                if let Some(top) = stack.last_mut() {
                    top.varies |= g.varies || repeated;
                }
                if let Some((len, _)) = q {
                    i += len;
                    if b.get(i) == Some(&b'?') {
                        i += 1; // lazy
                    }
                }
                continue;
            }
            b'|' => {
                if let Some(top) = stack.last_mut() {
                    top.alternates = true;
                }
                i += 1;
            }
            _ => i += 1,
        }
        // A quantifier after the atom just read.
        if let Some((len, varies)) = quantifier(i) {
            if varies {
                if let Some(top) = stack.last_mut() {
                    top.varies = true;
                }
            }
            i += len;
            if b.get(i) == Some(&b'?') {
                i += 1;
            }
        }
    }
    false
}

/// The contract's message for names with whitespace, with a fix.
fn whitespace_problem(name: &str) -> Option<String> {
    if !name.chars().any(char::is_whitespace) {
        return None;
    }
    let snake: String = name.split_whitespace().collect::<Vec<_>>().join("_");
    Some(format!(
        "\"{name}\" contains whitespace; use {snake} or camelCase instead"
    ))
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

/// Things that work but deserve a person's attention before publishing.
pub fn warnings(s: &Settings) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, d) in s.destinations.iter().enumerate() {
        let path = format!("destinations[{i}].auth");
        let secret = match &d.auth {
            Auth::Bearer { token: Some(t) } if !t.is_empty() => Some(("token", "token")),
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
                format!(
                    "this {what} is published to every visitor of the page; leave it out and call hooks.setTokenProvider(\"{}\", ...) from your app instead",
                    d.id
                ),
            ));
        }
        if d.mode != Mode::Cors && !d.headers.is_empty() {
            out.push(Problem::new(
                format!("destinations[{i}].headers"),
                format!(
                    "headers are not sent in {} mode (a simple request carries none); remove them or use mode cors",
                    d.mode.as_str()
                ),
            ));
        }
        if let Ok(p) = url::parts(&d.url) {
            let host = p.host.to_ascii_lowercase();
            let needs = if host == "hooks.slack.com" {
                Some(Mode::Simple)
            } else if host.ends_with("webhook.office.com")
                || host == "outlook.office.com"
                || host.ends_with("google-analytics.com")
            {
                Some(Mode::NoCors)
            } else {
                None
            };
            if let Some(m) = needs {
                if d.mode == Mode::Cors {
                    out.push(Problem::new(
                        format!("destinations[{i}].mode"),
                        format!(
                            "{host} does not allow CORS requests with JSON bodies; use mode {}",
                            m.as_str()
                        ),
                    ));
                }
            }
        }
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
    fn patterns_that_backtrack_catastrophically_are_spotted() {
        for bad in [
            "(a|aa)+$",
            "(a+)+$",
            "(x+x+)+y",
            "^(([a-z])+.)+[A-Z]([a-z])+$",
            "(\\w+\\s?)*$",
            "(.*a){2,}",
            "((ab)*c)+",
        ] {
            assert!(backtracks(bad), "{bad}");
        }
        for ok in [
            "^NPS$",
            "a+b+",
            "(ab)+",
            "(abc){3}",
            "(?:https?://)?example\\.com",
            "[(a+)+]",
            "\\(a+\\)+",
            "^\\d{3}-\\d{4}$",
            "(a|b)",
            "colou?r",
            "(\\d{3}-)?\\d+",
        ] {
            assert!(!backtracks(ok), "{ok}");
        }
    }

    #[test]
    fn typos_get_a_suggestion() {
        let ids = catalog::EVENTS.iter().map(|e| e.id);
        assert_eq!(
            closest("survey.sumbitted", ids.clone()),
            Some("survey.submitted")
        );
        assert_eq!(closest("nothing.like.it.at.all", ids), None);
    }
}
