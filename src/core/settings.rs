//! Published settings, version 1: the types, and the reader that turns a JSON
//! document into them while collecting every problem with a path a person
//! can follow (`webhooks[2].conditions[0].value`).
//!
//! The reader is hand-written rather than derived so that one bad field does
//! not hide the others, unknown fields are ignored, and each message says
//! what to do. `Serialize` (and, natively, `JsonSchema`) are derived from the
//! same types, which the round-trip and schema tests hold together.

use super::host::Host;
use super::validate;
use super::value::Value;
use serde::Serialize;

/// One problem found in a settings document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where: `webhooks[0].static[1].name`.
    pub path: String,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The whole published document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Always 1 for this contract.
    pub version: u32,
    /// Send the typed value of input fields with `dxa.input` (never for passwords).
    #[serde(default)]
    pub capture_input_values: bool,
    /// Where events go.
    #[serde(default)]
    pub destinations: Vec<Destination>,
    /// Which events go where.
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
}

/// HTTP method ("Request Type").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`: properties go into the query string.
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// All methods, in the editor's order.
    pub const ALL: [Method; 5] = [
        Method::Post,
        Method::Get,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    /// The method token.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    fn parse(s: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// How the request is made with respect to CORS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// JSON body, headers and auth; the destination must allow CORS.
    #[default]
    Cors,
    /// A CORS "simple request": `text/plain` body, no custom headers, no preflight.
    Simple,
    /// Fire and forget: an opaque answer counts as sent, not delivered.
    NoCors,
}

impl Mode {
    /// The settings spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Cors => "cors",
            Mode::Simple => "simple",
            Mode::NoCors => "no-cors",
        }
    }
}

/// Authentication of a destination. Any of them may take its secret from the
/// host page instead (`setTokenProvider`), so nothing secret is published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Auth {
    /// No authentication.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// Published token; leave out and use a token provider to keep it private.
        #[serde(skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// User name.
        username: String,
        /// Published password; leave out and use a token provider to keep it private.
        #[serde(skip_serializing_if = "Option::is_none")]
        password: Option<String>,
    },
    /// OAuth 2.0 client-credentials grant; the token is cached until it expires.
    #[serde(rename = "oauth2", rename_all = "camelCase")]
    OAuth2 {
        /// Token endpoint.
        token_url: String,
        /// Client id.
        client_id: String,
        /// Published client secret; leave out and use a token provider to keep it private.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_secret: Option<String>,
        /// Requested scope.
        #[serde(skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
}

impl Auth {
    /// The settings spelling of the type.
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Bearer { .. } => "bearer",
            Auth::Basic { .. } => "basic",
            Auth::OAuth2 { .. } => "oauth2",
        }
    }
}

/// A request header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Header {
    /// Header name (an HTTP token).
    pub name: String,
    /// Header value (one line).
    pub value: String,
}

/// Where deliveries go and how.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// Unique id, referenced by `webhooks[].destination`.
    pub id: String,
    /// Destination platform name ("Slack", "Mixpanel", ...), for people.
    #[serde(default)]
    pub platform: String,
    /// Request type.
    #[serde(default = "default_method")]
    pub method: Method,
    /// `https://` URL (plain `http` only for localhost); may hold `{{property}}` placeholders.
    pub url: String,
    /// Authentication.
    #[serde(default)]
    pub auth: Auth,
    /// Extra request headers.
    #[serde(default)]
    pub headers: Vec<Header>,
    /// CORS mode.
    #[serde(default)]
    pub mode: Mode,
    /// Body template; absent means the flat default body.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schemars(with = "Option<serde_json::Value>")
    )]
    pub body: Option<Value>,
    /// Per-attempt timeout.
    #[serde(default = "default_timeout")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(min = 100, max = 120_000)))]
    pub timeout_ms: u32,
    /// Attempts before a delivery is given up.
    #[serde(default = "default_attempts")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(min = 1, max = 25)))]
    pub max_attempts: u32,
    /// Send the delivery key as `Idempotency-Key`.
    #[serde(default)]
    pub idempotency_header: bool,
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the schema only
fn default_method() -> Method {
    Method::Post
}
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the schema only
fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_MS
}
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the schema only
fn default_attempts() -> u32 {
    DEFAULT_MAX_ATTEMPTS
}
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the schema only
fn default_true() -> bool {
    true
}

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Default number of attempts.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
/// Accepted timeout range, in ms.
pub const TIMEOUT_RANGE: (u32, u32) = (100, 120_000);
/// Accepted attempts range.
pub const ATTEMPTS_RANGE: (u32, u32) = (1, 25);

/// Condition operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Operator {
    Equals,
    NotEquals,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
    Matches,
    Gt,
    Gte,
    Lt,
    Lte,
    Exists,
    NotExists,
    In,
}

impl Operator {
    /// All operators, with their settings spelling.
    pub const ALL: [(Operator, &'static str); 14] = [
        (Operator::Equals, "equals"),
        (Operator::NotEquals, "not_equals"),
        (Operator::Contains, "contains"),
        (Operator::NotContains, "not_contains"),
        (Operator::StartsWith, "starts_with"),
        (Operator::EndsWith, "ends_with"),
        (Operator::Matches, "matches"),
        (Operator::Gt, "gt"),
        (Operator::Gte, "gte"),
        (Operator::Lt, "lt"),
        (Operator::Lte, "lte"),
        (Operator::Exists, "exists"),
        (Operator::NotExists, "not_exists"),
        (Operator::In, "in"),
    ];

    /// The settings spelling.
    pub fn as_str(self) -> &'static str {
        Operator::ALL
            .iter()
            .find(|(o, _)| *o == self)
            .map(|(_, s)| *s)
            .unwrap_or("equals")
    }

    fn parse(s: &str) -> Option<Operator> {
        Operator::ALL.iter().find(|(_, n)| *n == s).map(|(o, _)| *o)
    }

    /// Whether the operator reads `value`.
    pub fn takes_value(self) -> bool {
        !matches!(self, Operator::Exists | Operator::NotExists)
    }
}

/// How a condition row links to the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Join {
    /// Both rows must hold (binds tighter than `or`).
    #[default]
    And,
    /// Either side may hold.
    Or,
}

/// One Conditions row.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Event property, e.g. `survey.name`.
    pub property: String,
    /// Operator.
    pub operator: Operator,
    /// Compared value (a list for `in`); unused by `exists` / `not_exists`.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "serde_json::Value"))]
    pub value: Value,
    /// Compare text without regard to case.
    #[serde(default)]
    pub ignore_case: bool,
    /// Link to the next row.
    #[serde(default)]
    pub join: Join,
}

/// One selected property ("Advanced").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PropertySelection {
    /// Event property name.
    pub name: String,
    /// Name it is sent under (rename); no whitespace.
    #[serde(rename = "as", skip_serializing_if = "Option::is_none")]
    pub rename: Option<String>,
    /// Send the SHA-256 (hex) of the value instead of the value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hash: bool,
}

impl PropertySelection {
    /// The name the property is sent under.
    pub fn output_name(&self) -> &str {
        self.rename.as_deref().unwrap_or(&self.name)
    }
}

/// A constant property added to every delivery of a webhook.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct StaticProperty {
    /// Name; no whitespace.
    pub name: String,
    /// Any JSON value.
    #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "serde_json::Value"))]
    pub value: Value,
}

/// One webhook: an event, optional conditions and mapping, a destination.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Unique id (part of every delivery key).
    pub id: String,
    /// Name shown in the editor.
    #[serde(default)]
    pub name: String,
    /// Off means the webhook is kept but matches nothing.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Catalog event id.
    pub event: String,
    /// Conditions rows.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Selected (and renamed) properties; absent means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<PropertySelection>>,
    /// Constant properties.
    #[serde(rename = "static", default)]
    pub static_properties: Vec<StaticProperty>,
    /// Destination id.
    pub destination: String,
}

impl Settings {
    /// Reads and validates a settings document. On failure every problem is
    /// listed; nothing partial is returned.
    pub fn parse(doc: &Value, host: &dyn Host) -> Result<Settings, Vec<Problem>> {
        let mut r = Reader {
            problems: Vec::new(),
            host,
            destinations_at: Vec::new(),
            webhooks_at: Vec::new(),
            unread_destinations: Vec::new(),
        };
        let settings = r.settings(doc);
        let mut problems = std::mem::take(&mut r.problems);
        if let Some(s) = &settings {
            let origin = validate::Origin {
                destinations: &r.destinations_at,
                webhooks: &r.webhooks_at,
                unread_destinations: &r.unread_destinations,
            };
            problems.extend(validate::check_read(s, host, &origin));
        }
        match settings {
            Some(s) if problems.is_empty() => Ok(s),
            _ => Err(problems),
        }
    }

    /// Parses JSON text, reporting a syntax error as a problem.
    pub fn from_json(text: &str, host: &dyn Host) -> Result<Settings, Vec<Problem>> {
        let doc = crate::core::json::parse(text, host)
            .map_err(|e| vec![Problem::new("$", format!("not valid JSON: {e}"))])?;
        Settings::parse(&doc, host)
    }

    /// The destination with this id.
    pub fn destination(&self, id: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.id == id)
    }
}

/// Collects problems while reading; each reader returns `None` only when the
/// value is unusable, so siblings are still read.
struct Reader<'h> {
    problems: Vec<Problem>,
    host: &'h dyn Host,
    /// Document index of each destination read (unreadable ones are left out).
    destinations_at: Vec<usize>,
    /// Document index of each webhook read.
    webhooks_at: Vec<usize>,
    /// Ids of destinations that could not be read.
    unread_destinations: Vec<String>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Reader<'_> {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
        what: &str,
    ) -> Option<&'v [(String, Value)]> {
        match v {
            Value::Object(o) => Some(o),
            other => {
                self.problem(
                    path,
                    format!("must be {what} (an object), not {}", other.kind()),
                );
                None
            }
        }
    }

    fn list<'v>(&mut self, obj: &'v [(String, Value)], path: &str, key: &str) -> &'v [Value] {
        match get(obj, key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.problem(
                    &join(path, key),
                    format!("must be a list, not {}", other.kind()),
                );
                &[]
            }
        }
    }

    /// A required, non-empty string.
    fn string(&mut self, obj: &[(String, Value)], path: &str, key: &str) -> Option<String> {
        // Paths are written only when there is a problem (start-up cost).
        let problem = match get(obj, key) {
            Some(Value::String(s)) if !s.trim().is_empty() => return Some(s.clone()),
            None | Some(Value::Null) => "is missing".to_string(),
            Some(Value::String(_)) => "is empty".to_string(),
            Some(other) => format!("must be text, not {}", other.kind()),
        };
        self.problem(&join(path, key), problem);
        None
    }

    /// An optional string; `None` when absent or null.
    fn opt_string(&mut self, obj: &[(String, Value)], path: &str, key: &str) -> Option<String> {
        match get(obj, key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(
                    &join(path, key),
                    format!("must be text, not {}", other.kind()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, obj: &[(String, Value)], path: &str, key: &str, default: bool) -> bool {
        match get(obj, key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.problem(
                    &join(path, key),
                    format!("must be true or false, not {}", other.kind()),
                );
                default
            }
        }
    }

    fn integer(
        &mut self,
        obj: &[(String, Value)],
        path: &str,
        key: &str,
        default: u32,
        range: (u32, u32),
    ) -> u32 {
        match get(obj, key) {
            None | Some(Value::Null) => default,
            Some(Value::Number(n))
                if n.fract() == 0.0 && *n >= range.0 as f64 && *n <= range.1 as f64 =>
            {
                *n as u32
            }
            Some(Value::Number(_)) => {
                self.problem(
                    &join(path, key),
                    format!("must be a whole number from {} to {}", range.0, range.1),
                );
                default
            }
            Some(other) => {
                self.problem(
                    &join(path, key),
                    format!("must be a number, not {}", other.kind()),
                );
                default
            }
        }
    }

    fn settings(&mut self, doc: &Value) -> Option<Settings> {
        let Value::Object(obj) = doc else {
            self.problem(
                "$",
                format!("settings must be an object, not {}", doc.kind()),
            );
            return None;
        };
        let version = match get(obj, "version") {
            Some(Value::Number(n)) if *n == 1.0 => 1,
            None | Some(Value::Null) => {
                self.problem(
                    "version",
                    "is missing; add \"version\": 1 (this module reads settings version 1)",
                );
                return None;
            }
            Some(other) => {
                let shown = match other {
                    Value::Number(n) => crate::core::json::number_text(*n, self.host),
                    Value::String(s) => format!("\"{s}\""),
                    v => v.kind().to_string(),
                };
                self.problem(
                    "version",
                    format!("{shown} is not supported; this module reads settings version 1 (publish version 1 settings or update the module)"),
                );
                return None;
            }
        };
        let capture_input_values = self.boolean(obj, "", "captureInputValues", false);
        let mut destinations = Vec::new();
        for (i, d) in self.list(obj, "", "destinations").iter().enumerate() {
            match self.destination(d, &format!("destinations[{i}]")) {
                Some(dest) => {
                    destinations.push(dest);
                    self.destinations_at.push(i);
                }
                None => {
                    if let Some(id) = d.get("id").and_then(Value::as_str) {
                        self.unread_destinations.push(id.to_string());
                    }
                }
            }
        }
        let mut webhooks = Vec::new();
        for (i, w) in self.list(obj, "", "webhooks").iter().enumerate() {
            if let Some(hook) = self.webhook(w, &format!("webhooks[{i}]")) {
                webhooks.push(hook);
                self.webhooks_at.push(i);
            }
        }
        Some(Settings {
            version,
            capture_input_values,
            destinations,
            webhooks,
        })
    }

    fn destination(&mut self, v: &Value, path: &str) -> Option<Destination> {
        let obj = self.object(v, path, "a destination")?;
        let id = self.string(obj, path, "id");
        let platform = self.opt_string(obj, path, "platform").unwrap_or_default();
        let method = match get(obj, "method") {
            None | Some(Value::Null) => Some(Method::Post),
            Some(Value::String(s)) => Method::parse(s).or_else(|| {
                self.problem(
                    &join(path, "method"),
                    format!("\"{s}\" is not a request type; use GET, POST, PUT, PATCH or DELETE"),
                );
                None
            }),
            Some(other) => {
                self.problem(
                    &join(path, "method"),
                    format!(
                        "must be text (GET, POST, PUT, PATCH or DELETE), not {}",
                        other.kind()
                    ),
                );
                None
            }
        };
        let url = self.string(obj, path, "url");
        let auth = match get(obj, "auth") {
            None | Some(Value::Null) => Some(Auth::None),
            Some(a) => self.auth(a, &join(path, "auth")),
        };
        let headers = self
            .list(obj, path, "headers")
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let hp = format!("{path}.headers[{i}]");
                let o = self.object(h, &hp, "a header")?;
                let name = self.string(o, &hp, "name");
                let value = match get(o, "value") {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Number(n)) => Some(crate::core::json::number_text(*n, self.host)),
                    None | Some(Value::Null) => Some(String::new()),
                    Some(other) => {
                        self.problem(
                            &format!("{hp}.value"),
                            format!("must be text, not {}", other.kind()),
                        );
                        None
                    }
                };
                Some(Header {
                    name: name?,
                    value: value?,
                })
            })
            .collect();
        let mode = match get(obj, "mode") {
            None | Some(Value::Null) => Some(Mode::Cors),
            Some(Value::String(s)) => match s.as_str() {
                "cors" => Some(Mode::Cors),
                "simple" => Some(Mode::Simple),
                "no-cors" => Some(Mode::NoCors),
                _ => {
                    self.problem(
                        &join(path, "mode"),
                        format!("\"{s}\" is not a mode; use cors, simple or no-cors"),
                    );
                    None
                }
            },
            Some(other) => {
                self.problem(
                    &join(path, "mode"),
                    format!(
                        "must be text (cors, simple or no-cors), not {}",
                        other.kind()
                    ),
                );
                None
            }
        };
        let body = match get(obj, "body") {
            None | Some(Value::Null) => None,
            Some(b) => Some(b.clone()),
        };
        let timeout_ms = self.integer(obj, path, "timeoutMs", DEFAULT_TIMEOUT_MS, TIMEOUT_RANGE);
        let max_attempts = self.integer(
            obj,
            path,
            "maxAttempts",
            DEFAULT_MAX_ATTEMPTS,
            ATTEMPTS_RANGE,
        );
        let idempotency_header = self.boolean(obj, path, "idempotencyHeader", false);
        Some(Destination {
            id: id?,
            platform,
            method: method?,
            url: url?,
            auth: auth?,
            headers,
            mode: mode?,
            body,
            timeout_ms,
            max_attempts,
            idempotency_header,
        })
    }

    fn auth(&mut self, v: &Value, path: &str) -> Option<Auth> {
        let obj = self.object(v, path, "an auth setting")?;
        let kind = self.string(obj, path, "type")?;
        match kind.as_str() {
            "none" => Some(Auth::None),
            "bearer" => Some(Auth::Bearer {
                token: self.opt_string(obj, path, "token"),
            }),
            "basic" => {
                let username = self.string(obj, path, "username");
                let password = self.opt_string(obj, path, "password");
                Some(Auth::Basic {
                    username: username?,
                    password,
                })
            }
            "oauth2" => {
                let token_url = self.string(obj, path, "tokenUrl");
                let client_id = self.string(obj, path, "clientId");
                let client_secret = self.opt_string(obj, path, "clientSecret");
                let scope = self
                    .opt_string(obj, path, "scope")
                    .filter(|s| !s.is_empty());
                Some(Auth::OAuth2 {
                    token_url: token_url?,
                    client_id: client_id?,
                    client_secret,
                    scope,
                })
            }
            other => {
                self.problem(&join(path, "type"), format!("\"{other}\" is not an authentication type; use none, bearer, basic or oauth2"));
                None
            }
        }
    }

    fn webhook(&mut self, v: &Value, path: &str) -> Option<Webhook> {
        let obj = self.object(v, path, "a webhook")?;
        let id = self.string(obj, path, "id");
        let name = self.opt_string(obj, path, "name").unwrap_or_default();
        let enabled = self.boolean(obj, path, "enabled", true);
        let event = self.string(obj, path, "event");
        let conditions: Vec<Option<Condition>> = self
            .list(obj, path, "conditions")
            .iter()
            .enumerate()
            .map(|(i, c)| self.condition(c, &format!("{path}.conditions[{i}]")))
            .collect();
        let properties = match get(obj, "properties") {
            None | Some(Value::Null) => Some(None),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    let ip = format!("{path}.properties[{i}]");
                    match item {
                        // A bare name is a selection without rename.
                        Value::String(s) if !s.trim().is_empty() => out.push(PropertySelection {
                            name: s.clone(),
                            rename: None,
                            hash: false,
                        }),
                        _ => {
                            let Some(o) = self.object(item, &ip, "a property selection") else {
                                ok = false;
                                continue;
                            };
                            let name = self.string(o, &ip, "name");
                            let rename = self.opt_string(o, &ip, "as").filter(|s| !s.is_empty());
                            let hash = self.boolean(o, &ip, "hash", false);
                            match name {
                                Some(name) => out.push(PropertySelection { name, rename, hash }),
                                None => ok = false,
                            }
                        }
                    }
                }
                ok.then_some(Some(out))
            }
            Some(other) => {
                self.problem(
                    &join(path, "properties"),
                    format!("must be a list, not {}", other.kind()),
                );
                None
            }
        };
        let statics: Vec<Option<StaticProperty>> = self
            .list(obj, path, "static")
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let sp = format!("{path}.static[{i}]");
                let o = self.object(s, &sp, "a static property")?;
                let name = self.string(o, &sp, "name");
                let value = get(o, "value").cloned().unwrap_or(Value::Null);
                Some(StaticProperty { name: name?, value })
            })
            .collect();
        let destination = self.string(obj, path, "destination");
        Some(Webhook {
            id: id?,
            name,
            enabled,
            event: event?,
            conditions: conditions.into_iter().collect::<Option<Vec<_>>>()?,
            properties: properties?,
            static_properties: statics.into_iter().collect::<Option<Vec<_>>>()?,
            destination: destination?,
        })
    }

    fn condition(&mut self, v: &Value, path: &str) -> Option<Condition> {
        let obj = self.object(v, path, "a condition")?;
        let property = self.string(obj, path, "property");
        let operator = match get(obj, "operator") {
            Some(Value::String(s)) => Operator::parse(s).or_else(|| {
                let names: Vec<&str> = Operator::ALL.iter().map(|(_, n)| *n).collect();
                self.problem(
                    &join(path, "operator"),
                    format!(
                        "\"{s}\" is not an operator; use one of {}",
                        names.join(", ")
                    ),
                );
                None
            }),
            None | Some(Value::Null) => {
                self.problem(
                    &join(path, "operator"),
                    "is missing; use equals, contains, gt, exists, ...",
                );
                None
            }
            Some(other) => {
                self.problem(
                    &join(path, "operator"),
                    format!("must be text, not {}", other.kind()),
                );
                None
            }
        };
        let value = get(obj, "value").cloned().unwrap_or(Value::Null);
        let ignore_case = self.boolean(obj, path, "ignoreCase", false);
        let join_ = match get(obj, "join") {
            None | Some(Value::Null) => Some(Join::And),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("and") => Some(Join::And),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("or") => Some(Join::Or),
            Some(other) => {
                self.problem(
                    &join(path, "join"),
                    format!("must be \"and\" or \"or\", not {}", short(other)),
                );
                None
            }
        };
        Some(Condition {
            property: property?,
            operator: operator?,
            value,
            ignore_case,
            join: join_?,
        })
    }
}

fn get<'v>(obj: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    obj.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.kind().to_string(),
    }
}
