//! Published settings, version 1: the types, and the reader that turns a JSON
//! document into them while collecting every problem with a path a person
//! can follow (`webhooks[2].conditions[0].value`) and a code a program can
//! (`wrong_type`, see [`Code`]).
//!
//! One reader serves both modules. It is generic over its [`Wording`]: the
//! editor module writes the full message of each problem ([`Full`]: what is
//! wrong and what to do); the visitor runtime writes a short one per code
//! ([`Short`]), so none of the message formatting is linked into what every
//! visitor downloads. The reader is hand-written rather than derived so that
//! one bad field does not hide the others and unknown fields are ignored.

use super::host::Host;
use super::validate;
use super::value::{push_uint, Value};
#[allow(unused_imports)]
use crate::core::prelude::*;
use serde::Serialize;

/// What kind of problem, for programs (the editor, `onDelivery` consumers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The text is not JSON.
    InvalidJson,
    /// A field has the wrong JSON type.
    WrongType,
    /// A required field is absent.
    Missing,
    /// A required text is empty.
    Empty,
    /// A number is outside its range.
    OutOfRange,
    /// `version` is not 1.
    UnsupportedVersion,
    /// A word that is not one of the allowed ones (method, mode, operator, ...).
    UnknownValue,
    /// An id used twice.
    DuplicateId,
    /// An id with a character ids may not have.
    BadId,
    /// A template with a broken `{{placeholder}}`.
    Template,
    /// A URL the contract does not allow.
    BadUrl,
    /// A placeholder in a URL's scheme or host.
    HostPlaceholder,
    /// A header name that is not an HTTP token.
    HeaderName,
    /// A header the browser sets itself.
    ForbiddenHeader,
    /// A header value that cannot be sent.
    HeaderValue,
    /// Something the destination's mode cannot send.
    ModeConflict,
    /// A credential that cannot be sent as given.
    BadCredential,
    /// An event id that is not in the catalog.
    UnknownEvent,
    /// A webhook pointing at a destination that does not exist.
    UnknownDestination,
    /// A condition value that does not fit its operator.
    ConditionValue,
    /// A `matches` pattern that cannot be used.
    BadPattern,
    /// A name with whitespace.
    Whitespace,
    /// A name sent twice.
    DuplicateName,
    /// A published secret (a warning).
    PublishedSecret,
    /// Something a destination's host does not take from a browser (a warning).
    HostLimit,
    /// Something that has no effect (a warning).
    NoEffect,
}

impl Code {
    /// The code as `onDelivery` and the editor see it (`wrong_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJson => "invalid_json",
            Code::WrongType => "wrong_type",
            Code::Missing => "missing",
            Code::Empty => "empty",
            Code::OutOfRange => "out_of_range",
            Code::UnsupportedVersion => "unsupported_version",
            Code::UnknownValue => "unknown_value",
            Code::DuplicateId => "duplicate_id",
            Code::BadId => "bad_id",
            Code::Template => "template",
            Code::BadUrl => "bad_url",
            Code::HostPlaceholder => "host_placeholder",
            Code::HeaderName => "header_name",
            Code::ForbiddenHeader => "forbidden_header",
            Code::HeaderValue => "header_value",
            Code::ModeConflict => "mode_conflict",
            Code::BadCredential => "bad_credential",
            Code::UnknownEvent => "unknown_event",
            Code::UnknownDestination => "unknown_destination",
            Code::ConditionValue => "condition_value",
            Code::BadPattern => "bad_pattern",
            Code::Whitespace => "whitespace",
            Code::DuplicateName => "duplicate_name",
            Code::PublishedSecret => "published_secret",
            Code::HostLimit => "host_limit",
            Code::NoEffect => "no_effect",
        }
    }

    /// The short message the runtime gives (the editor module has the full one).
    pub fn short(self) -> &'static str {
        match self {
            Code::InvalidJson => "is not valid JSON",
            Code::WrongType => "has the wrong type",
            Code::Missing => "is missing",
            Code::Empty => "is empty",
            Code::OutOfRange => "is out of range",
            Code::UnsupportedVersion => "is not version 1",
            Code::UnknownValue => "is not one of the allowed values",
            Code::DuplicateId => "is already used",
            Code::BadId => "may not contain ':'",
            Code::Template => "has a broken {{placeholder}}",
            Code::BadUrl => "is not an allowed URL (https, or http for localhost)",
            Code::HostPlaceholder => "may use placeholders only in its path and query",
            Code::HeaderName => "is not a valid header name",
            Code::ForbiddenHeader => "is set by the browser",
            Code::HeaderValue => "cannot be sent in a header",
            Code::ModeConflict => "cannot be sent in this mode",
            Code::BadCredential => "cannot be sent as given",
            Code::UnknownEvent => "is not an event of the catalog",
            Code::UnknownDestination => "names no destination",
            Code::ConditionValue => "does not fit the operator",
            Code::BadPattern => "is not a supported pattern",
            Code::Whitespace => "contains whitespace",
            Code::DuplicateName => "is sent twice",
            Code::PublishedSecret => "is published to every visitor",
            Code::HostLimit => "is not taken from a browser this way",
            Code::NoEffect => "has no effect",
        }
    }
}

/// One problem found in a settings document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where: `webhooks[0].static[1].name`.
    pub path: String,
    /// What kind of problem.
    pub code: Code,
    /// What is wrong and (in the editor's wording) what to do about it.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            code,
            message: message.into(),
        }
    }
}

impl core::fmt::Display for Problem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.path)?;
        f.write_str(": ")?;
        f.write_str(&self.message)
    }
}

/// How problems are worded.
pub trait Wording {
    /// The full message (the editor) rather than the short one (the runtime).
    const FULL: bool;
}

/// The editor's wording: every message says what is wrong and what to do.
#[derive(Debug)]
pub enum Full {}
impl Wording for Full {
    const FULL: bool = true;
}

/// The runtime's wording: a short message per [`Code`].
#[derive(Debug)]
pub enum Short {}
impl Wording for Short {
    const FULL: bool = false;
}

/// Where problems go while settings are read and checked.
pub struct Problems<W: Wording> {
    /// The problems so far.
    pub list: Vec<Problem>,
    _w: core::marker::PhantomData<W>,
}

impl<W: Wording> Default for Problems<W> {
    fn default() -> Self {
        Problems {
            list: Vec::new(),
            _w: core::marker::PhantomData,
        }
    }
}

impl<W: Wording> Problems<W> {
    /// Adds a problem; `full` writes the full message and is only called in
    /// the editor's wording.
    pub fn add(&mut self, path: String, code: Code, full: impl FnOnce() -> String) {
        let message = if W::FULL {
            full()
        } else {
            code.short().to_string()
        };
        self.list.push(Problem {
            path,
            code,
            message,
        });
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// `path.key` (or `key` at the top).
pub fn at(path: &str, key: &str) -> String {
    let mut p = String::with_capacity(path.len() + key.len() + 1);
    p.push_str(path);
    if !path.is_empty() {
        p.push('.');
    }
    p.push_str(key);
    p
}

/// `path.key[i]` (or `key[i]` at the top).
pub fn item(path: &str, key: &str, i: usize) -> String {
    let mut p = at(path, key);
    p.push('[');
    push_uint(&mut p, i as u64);
    p.push(']');
    p
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
    /// Keep the `#fragment` of `page.url` (it may hold tokens; left out by default).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub keep_url_fragment: bool,
    /// Where events go.
    #[serde(default)]
    pub destinations: Vec<Destination>,
    /// Which events go where.
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
    /// Player events to map on top of the built-in mapping (see `playerEvents()`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub player_events: Vec<PlayerEvent>,
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

    /// The method named `s` (any case).
    pub fn parse(s: &str) -> Option<Method> {
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
    /// Headers and auth allowed; the destination must allow CORS.
    #[default]
    Cors,
    /// A CORS "simple request": a safelisted body type, no custom headers, no preflight.
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

/// How the body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `application/json` (needs mode cors: a preflight).
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`: each top-level key is a field; a
    /// value that is not text is sent as its JSON text.
    Form,
    /// `text/plain`: a text template as it is, anything else as JSON text.
    Text,
}

impl Format {
    /// The settings spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Form => "form",
            Format::Text => "text",
        }
    }

    /// The default for a mode: JSON in cors mode, text otherwise.
    pub fn default_for(mode: Mode) -> Format {
        if mode == Mode::Cors {
            Format::Json
        } else {
            Format::Text
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
        /// Published token; leave out and use `tokenFrom` or a token provider
        /// to keep it private.
        #[serde(skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// A path on the page's own site (`/api/walkme-token`) that answers
        /// the token for the signed-in visitor (their cookies go with it).
        #[serde(rename = "tokenFrom", skip_serializing_if = "Option::is_none")]
        token_from: Option<String>,
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

/// Several events in one request, where the destination's API takes batches.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    /// Most events in one request (default 10).
    #[serde(default = "default_max_events")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(min = 1, max = 500)))]
    pub max_events: u32,
    /// Longest an event waits for others to fill its batch (default 1000).
    #[serde(default = "default_max_wait")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(min = 0, max = 60_000)))]
    pub max_wait_ms: u32,
    /// The request body; `"{{batch}}"` is the list of per-event bodies.
    #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "serde_json::Value"))]
    pub body: Value,
}

/// At most `requests` requests every `seconds` seconds to a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Rate {
    /// Requests allowed in each window (default 1).
    #[serde(default = "default_one")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(min = 1, max = 1000)))]
    pub requests: u32,
    /// Length of the window in seconds (default 1).
    #[serde(default = "default_one")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(min = 1, max = 3600)))]
    pub seconds: u32,
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
    /// Body format; by default JSON in cors mode, text otherwise.
    #[serde(default)]
    pub format: Format,
    /// Body template; absent means the flat default body.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schemars(with = "Option<serde_json::Value>")
    )]
    pub body: Option<Value>,
    /// Several events per request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<Batch>,
    /// At most this many requests per window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<Rate>,
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
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the schema only
fn default_max_events() -> u32 {
    10
}
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the schema only
fn default_max_wait() -> u32 {
    1000
}
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the schema only
fn default_one() -> u32 {
    1
}

/// Writes `(name, value)` pairs as the JSON object the reader takes.
fn pairs_as_object<S: serde::Serializer>(
    pairs: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
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

    /// The operator spelled `s`.
    pub fn parse(s: &str) -> Option<Operator> {
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
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
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
    /// Condition rows; all events match when empty.
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

/// The player channel a player event arrives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub enum Via {
    /// `WalkMeAPI.events.on(type, handler)`.
    #[serde(rename = "events.on")]
    #[default]
    EventsOn,
    /// `window.walkme_event(eventData)` with `eventData.Type`.
    #[serde(rename = "walkme_event")]
    WalkmeEvent,
    /// `window.walkme_player_event(eventData)` with `eventData.Type`.
    #[serde(rename = "walkme_player_event")]
    WalkmePlayerEvent,
}

impl Via {
    /// Every channel with its spelling.
    pub const ALL: [(Via, &'static str); 3] = [
        (Via::EventsOn, "events.on"),
        (Via::WalkmeEvent, "walkme_event"),
        (Via::WalkmePlayerEvent, "walkme_player_event"),
    ];
}

/// A player event mapped to a catalog event by the published settings, on
/// top of (or instead of) the built-in mapping.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PlayerEvent {
    /// The player's event name (`SurveySubmitted`) or `Type` (`SurveyCompleted`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The channel it arrives on (default `events.on`).
    #[serde(default)]
    pub via: Via,
    /// The catalog event it becomes; `null` to ignore it.
    pub event: Option<String>,
    /// Payload field → catalog property (`{ "swtId": "item.id" }`).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "pairs_as_object"
    )]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schemars(with = "std::collections::BTreeMap<String, String>")
    )]
    pub fields: Vec<(String, String)>,
}

impl Settings {
    /// Reads and validates a settings document, in the editor's wording. On
    /// failure every problem is listed; nothing partial is returned.
    pub fn parse(doc: &Value, host: &dyn Host) -> Result<Settings, Vec<Problem>> {
        Settings::read::<Full>(doc, host)
    }

    /// Reads and validates a settings document in the given wording.
    pub fn read<W: Wording>(doc: &Value, host: &dyn Host) -> Result<Settings, Vec<Problem>> {
        let mut r = Reader::<W> {
            problems: Problems::default(),
            host,
            destinations_at: Vec::new(),
            webhooks_at: Vec::new(),
            unread_destinations: Vec::new(),
            unusable: 0,
        };
        let settings = r.settings(doc);
        let mut problems = r.problems;
        if let Some(s) = &settings {
            let origin = validate::Origin {
                destinations: &r.destinations_at,
                webhooks: &r.webhooks_at,
                unread_destinations: &r.unread_destinations,
            };
            validate::check_read(s, &origin, &mut problems);
        }
        match settings {
            Some(s) if problems.is_empty() => Ok(s),
            _ => Err(problems.list),
        }
    }

    /// Parses JSON text in the editor's wording, a syntax error as a problem.
    pub fn from_json(text: &str, host: &dyn Host) -> Result<Settings, Vec<Problem>> {
        Settings::from_json_in::<Full>(text, host)
    }

    /// Parses JSON text in the given wording.
    pub fn from_json_in<W: Wording>(text: &str, host: &dyn Host) -> Result<Settings, Vec<Problem>> {
        let doc = crate::core::json::parse(text, host).map_err(|e| {
            let mut p = Problems::<W>::default();
            p.add("$".into(), Code::InvalidJson, || {
                format!("not valid JSON: {e}")
            });
            p.list
        })?;
        Settings::read::<W>(&doc, host)
    }

    /// The destination with this id.
    pub fn destination(&self, id: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.id == id)
    }

    /// The webhook with this id.
    pub fn webhook(&self, id: &str) -> Option<&Webhook> {
        self.webhooks.iter().find(|w| w.id == id)
    }
}

/// Collects problems while reading; each reader returns `None` only when the
/// value is unusable, so siblings are still read.
struct Reader<'h, W: Wording> {
    problems: Problems<W>,
    host: &'h dyn Host,
    /// Document index of each destination read (unreadable ones are left out).
    destinations_at: Vec<usize>,
    /// Document index of each webhook read.
    webhooks_at: Vec<usize>,
    /// Ids of destinations that could not be read.
    unread_destinations: Vec<String>,
    /// Unusable values so far: an item is read when none was found while
    /// reading it (its fields are read in full all the same, so every
    /// problem is reported, and it is built with defaults where they failed;
    /// one drop of the whole item on failure is smaller than one per field).
    unusable: usize,
}

type Obj = [(String, Value)];

/// What an item is, in the editor's messages ("must be a header (an
/// object)"); the runtime's short wording leaves it out.
const WHAT: [&str; 10] = [
    "a destination",
    "a header",
    "a rate limit",
    "a batch setting",
    "an auth setting",
    "a webhook",
    "a property selection",
    "a static property",
    "a condition",
    "a player event",
];

/// What a word names and the words allowed, in the editor's messages
/// ("\"x\" is not a mode; use cors, simple or no-cors").
const WORDS: [(&str, &str); 4] = [
    ("a request type", "GET, POST, PUT, PATCH or DELETE"),
    ("a mode", "cors, simple or no-cors"),
    ("a body format", "json, form, text"),
    (
        "a player channel",
        "events.on, walkme_event, walkme_player_event",
    ),
];

/// Positions in [`WORDS`].
mod words {
    pub const METHOD: usize = 0;
    pub const MODE: usize = 1;
    pub const FORMAT: usize = 2;
    pub const CHANNEL: usize = 3;
}

/// Positions in [`WHAT`].
mod what {
    pub const DESTINATION: usize = 0;
    pub const HEADER: usize = 1;
    pub const RATE: usize = 2;
    pub const BATCH: usize = 3;
    pub const AUTH: usize = 4;
    pub const WEBHOOK: usize = 5;
    pub const SELECTION: usize = 6;
    pub const STATIC: usize = 7;
    pub const CONDITION: usize = 8;
    pub const PLAYER_EVENT: usize = 9;
}

impl<W: Wording> Reader<'_, W> {
    fn problem(&mut self, path: String, code: Code, full: impl FnOnce() -> String) {
        self.problems.add(path, code, full);
    }

    /// A problem that makes the item it is in unusable.
    fn fatal(&mut self, path: String, code: Code, full: impl FnOnce() -> String) {
        self.unusable += 1;
        self.problems.add(path, code, full);
    }

    fn object<'v>(&mut self, v: &'v Value, path: &str, what: usize) -> Option<&'v Obj> {
        match v {
            Value::Object(o) => Some(o),
            other => {
                self.fatal(path.to_string(), Code::WrongType, || {
                    format!("must be {} (an object), not {}", WHAT[what], other.kind())
                });
                None
            }
        }
    }

    fn list<'v>(&mut self, obj: &'v Obj, path: &str, key: &str) -> &'v [Value] {
        match get(obj, key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.problem(at(path, key), Code::WrongType, || {
                    format!("must be a list, not {}", other.kind())
                });
                &[]
            }
        }
    }

    /// A required, non-empty string.
    fn string(&mut self, obj: &Obj, path: &str, key: &str) -> Option<String> {
        // Paths are written only when there is a problem (start-up cost).
        match get(obj, key) {
            Some(Value::String(s)) if !s.trim().is_empty() => return Some(s.clone()),
            None | Some(Value::Null) => {
                self.fatal(at(path, key), Code::Missing, || "is missing".into())
            }
            Some(Value::String(_)) => self.fatal(at(path, key), Code::Empty, || "is empty".into()),
            Some(other) => self.fatal(at(path, key), Code::WrongType, || {
                format!("must be text, not {}", other.kind())
            }),
        }
        None
    }

    /// An optional string; `None` when absent or null.
    fn opt_string(&mut self, obj: &Obj, path: &str, key: &str) -> Option<String> {
        match get(obj, key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(at(path, key), Code::WrongType, || {
                    format!("must be text, not {}", other.kind())
                });
                None
            }
        }
    }

    fn boolean(&mut self, obj: &Obj, path: &str, key: &str, default: bool) -> bool {
        match get(obj, key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.problem(at(path, key), Code::WrongType, || {
                    format!("must be true or false, not {}", other.kind())
                });
                default
            }
        }
    }

    fn integer(
        &mut self,
        obj: &Obj,
        path: &str,
        key: &str,
        default: u32,
        range: (u32, u32),
    ) -> u32 {
        match get(obj, key) {
            None | Some(Value::Null) => default,
            Some(Value::Number(n))
                if crate::core::num::fract(*n) == 0.0
                    && *n >= range.0 as f64
                    && *n <= range.1 as f64 =>
            {
                *n as u32
            }
            Some(Value::Number(_)) => {
                self.problem(at(path, key), Code::OutOfRange, || {
                    format!("must be a whole number from {} to {}", range.0, range.1)
                });
                default
            }
            Some(other) => {
                self.problem(at(path, key), Code::WrongType, || {
                    format!("must be a number, not {}", other.kind())
                });
                default
            }
        }
    }

    /// One of `words` (the text of `key`), or a problem listing them.
    /// The position of the text of `key` among `words` (in any case when
    /// `any_case`), `None` when absent, or a problem saying what is allowed
    /// (`kind`: a position in [`WORDS`]).
    fn word(
        &mut self,
        obj: &Obj,
        path: &str,
        key: &str,
        words: &[&'static str],
        any_case: bool,
        kind: usize,
    ) -> Option<Option<usize>> {
        match get(obj, key) {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) => {
                match words
                    .iter()
                    .position(|w| *w == s.as_str() || any_case && w.eq_ignore_ascii_case(s))
                {
                    Some(i) => Some(Some(i)),
                    None => {
                        self.fatal(at(path, key), Code::UnknownValue, || {
                            let (what, alts) = WORDS[kind];
                            format!("\"{s}\" is not {what}; use {alts}")
                        });
                        None
                    }
                }
            }
            Some(other) => {
                self.fatal(at(path, key), Code::WrongType, || {
                    format!("must be text ({}), not {}", WORDS[kind].1, other.kind())
                });
                None
            }
        }
    }

    fn settings(&mut self, doc: &Value) -> Option<Settings> {
        let Value::Object(obj) = doc else {
            self.problem("$".into(), Code::WrongType, || {
                format!("settings must be an object, not {}", doc.kind())
            });
            return None;
        };
        let version = match get(obj, "version") {
            Some(Value::Number(n)) if *n == 1.0 => 1,
            None | Some(Value::Null) => {
                self.problem("version".into(), Code::Missing, || {
                    "is missing; add \"version\": 1 (this module reads settings version 1)".into()
                });
                return None;
            }
            Some(other) => {
                let host = self.host;
                self.problem("version".into(), Code::UnsupportedVersion, || {
                    let shown = match other {
                        Value::Number(n) => crate::core::json::number_text(*n, host),
                        Value::String(s) => format!("\"{s}\""),
                        v => v.kind().to_string(),
                    };
                    format!("{shown} is not supported; this module reads settings version 1 (publish version 1 settings or update the module)")
                });
                return None;
            }
        };
        let capture_input_values = self.boolean(obj, "", "captureInputValues", false);
        let keep_url_fragment = self.boolean(obj, "", "keepUrlFragment", false);
        let mut destinations = Vec::new();
        for (i, d) in self.list(obj, "", "destinations").iter().enumerate() {
            match self.destination(d, &item("", "destinations", i)) {
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
            if let Some(hook) = self.webhook(w, &item("", "webhooks", i)) {
                webhooks.push(hook);
                self.webhooks_at.push(i);
            }
        }
        // An unreadable player event makes the settings unusable.
        let mark = self.unusable;
        let mut player_events = Vec::new();
        for (i, p) in self.list(obj, "", "playerEvents").iter().enumerate() {
            player_events.extend(self.player_event(p, &item("", "playerEvents", i)));
        }
        (self.unusable == mark).then_some(Settings {
            version,
            capture_input_values,
            keep_url_fragment,
            destinations,
            webhooks,
            player_events,
        })
    }

    fn destination(&mut self, v: &Value, path: &str) -> Option<Destination> {
        let obj = self.object(v, path, what::DESTINATION)?;
        let mark = self.unusable;
        let id = self.string(obj, path, "id").unwrap_or_default();
        let platform = self.opt_string(obj, path, "platform").unwrap_or_default();
        const METHODS: [&str; 5] = ["POST", "GET", "PUT", "PATCH", "DELETE"];
        let method = self
            .word(obj, path, "method", &METHODS, true, words::METHOD)
            .flatten()
            .map_or(Method::Post, |i| Method::ALL[i]);
        let url = self.string(obj, path, "url").unwrap_or_default();
        let auth = match get(obj, "auth") {
            None | Some(Value::Null) => Auth::None,
            Some(a) => self.auth(a, &at(path, "auth")).unwrap_or_default(),
        };
        let mut headers = Vec::new();
        for (i, h) in self.list(obj, path, "headers").iter().enumerate() {
            let hp = item(path, "headers", i);
            let Some(o) = self.object(h, &hp, what::HEADER) else {
                continue;
            };
            let name = self.string(o, &hp, "name").unwrap_or_default();
            let value = match get(o, "value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => crate::core::json::number_text(*n, self.host),
                None | Some(Value::Null) => String::new(),
                Some(other) => {
                    self.fatal(at(&hp, "value"), Code::WrongType, || {
                        format!("must be text, not {}", other.kind())
                    });
                    String::new()
                }
            };
            headers.push(Header { name, value });
        }
        const MODES: [Mode; 3] = [Mode::Cors, Mode::Simple, Mode::NoCors];
        let mode = self
            .word(
                obj,
                path,
                "mode",
                &["cors", "simple", "no-cors"],
                false,
                words::MODE,
            )
            .flatten()
            .map_or(Mode::Cors, |i| MODES[i]);
        const FORMATS: [Format; 3] = [Format::Json, Format::Form, Format::Text];
        let format = self
            .word(
                obj,
                path,
                "format",
                &["json", "form", "text"],
                false,
                words::FORMAT,
            )
            .flatten()
            .map_or(Format::default_for(mode), |i| FORMATS[i]);
        let body = match get(obj, "body") {
            None | Some(Value::Null) => None,
            Some(b) => Some(b.clone()),
        };
        let batch = match get(obj, "batch") {
            None | Some(Value::Null) => None,
            Some(b) => self.batch(b, &at(path, "batch")),
        };
        let rate = match get(obj, "rate") {
            None | Some(Value::Null) => None,
            Some(r) => {
                let rp = at(path, "rate");
                self.object(r, &rp, what::RATE).map(|o| Rate {
                    requests: self.integer(o, &rp, "requests", 1, (1, 1000)),
                    seconds: self.integer(o, &rp, "seconds", 1, (1, 3600)),
                })
            }
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
        (self.unusable == mark).then_some(Destination {
            id,
            platform,
            method,
            url,
            auth,
            headers,
            mode,
            format,
            body,
            batch,
            rate,
            timeout_ms,
            max_attempts,
            idempotency_header,
        })
    }

    fn batch(&mut self, v: &Value, path: &str) -> Option<Batch> {
        let o = self.object(v, path, what::BATCH)?;
        let max_events = self.integer(o, path, "maxEvents", 10, (1, 500));
        let max_wait_ms = self.integer(o, path, "maxWaitMs", 1000, (0, 60_000));
        let body = match get(o, "body") {
            Some(Value::Null) | None => {
                self.fatal(at(path, "body"), Code::Missing, || {
                    "is missing; a batch needs a body template with \"{{batch}}\" where the events go".into()
                });
                return None;
            }
            Some(b) => b.clone(),
        };
        Some(Batch {
            max_events,
            max_wait_ms,
            body,
        })
    }

    fn auth(&mut self, v: &Value, path: &str) -> Option<Auth> {
        let obj = self.object(v, path, what::AUTH)?;
        let kind = self.string(obj, path, "type")?;
        match kind.as_str() {
            "none" => Some(Auth::None),
            "bearer" => Some(Auth::Bearer {
                token: self.opt_string(obj, path, "token"),
                token_from: self.opt_string(obj, path, "tokenFrom"),
            }),
            "basic" => Some(Auth::Basic {
                username: self.string(obj, path, "username").unwrap_or_default(),
                password: self.opt_string(obj, path, "password"),
            }),
            "oauth2" => Some(Auth::OAuth2 {
                token_url: self.string(obj, path, "tokenUrl").unwrap_or_default(),
                client_id: self.string(obj, path, "clientId").unwrap_or_default(),
                client_secret: self.opt_string(obj, path, "clientSecret"),
                scope: self
                    .opt_string(obj, path, "scope")
                    .filter(|s| !s.is_empty()),
            }),
            other => {
                self.fatal(at(path, "type"), Code::UnknownValue, || {
                    format!("\"{other}\" is not an authentication type; use none, bearer, basic or oauth2")
                });
                None
            }
        }
    }

    fn webhook(&mut self, v: &Value, path: &str) -> Option<Webhook> {
        let obj = self.object(v, path, what::WEBHOOK)?;
        let mark = self.unusable;
        let id = self.string(obj, path, "id").unwrap_or_default();
        let name = self.opt_string(obj, path, "name").unwrap_or_default();
        let enabled = self.boolean(obj, path, "enabled", true);
        let event = self.string(obj, path, "event").unwrap_or_default();
        let mut conditions = Vec::new();
        for (i, c) in self.list(obj, path, "conditions").iter().enumerate() {
            conditions.extend(self.condition(c, &item(path, "conditions", i)));
        }
        let properties = match get(obj, "properties") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, entry) in items.iter().enumerate() {
                    match entry {
                        // A bare name is a selection without rename.
                        Value::String(s) if !s.trim().is_empty() => out.push(PropertySelection {
                            name: s.clone(),
                            rename: None,
                            hash: false,
                        }),
                        _ => {
                            let ip = item(path, "properties", i);
                            let Some(o) = self.object(entry, &ip, what::SELECTION) else {
                                continue;
                            };
                            out.push(PropertySelection {
                                name: self.string(o, &ip, "name").unwrap_or_default(),
                                rename: self.opt_string(o, &ip, "as").filter(|s| !s.is_empty()),
                                hash: self.boolean(o, &ip, "hash", false),
                            });
                        }
                    }
                }
                Some(out)
            }
            Some(other) => {
                self.fatal(at(path, "properties"), Code::WrongType, || {
                    format!("must be a list, not {}", other.kind())
                });
                None
            }
        };
        let mut static_properties = Vec::new();
        for (i, s) in self.list(obj, path, "static").iter().enumerate() {
            let sp = item(path, "static", i);
            let Some(o) = self.object(s, &sp, what::STATIC) else {
                continue;
            };
            static_properties.push(StaticProperty {
                name: self.string(o, &sp, "name").unwrap_or_default(),
                value: get(o, "value").cloned().unwrap_or(Value::Null),
            });
        }
        let destination = self.string(obj, path, "destination").unwrap_or_default();
        (self.unusable == mark).then_some(Webhook {
            id,
            name,
            enabled,
            event,
            conditions,
            properties,
            static_properties,
            destination,
        })
    }

    fn condition(&mut self, v: &Value, path: &str) -> Option<Condition> {
        let obj = self.object(v, path, what::CONDITION)?;
        let mark = self.unusable;
        let property = self.string(obj, path, "property").unwrap_or_default();
        let operator = match get(obj, "operator") {
            Some(Value::String(s)) => Operator::parse(s).unwrap_or_else(|| {
                self.fatal(at(path, "operator"), Code::UnknownValue, || {
                    let names: Vec<&str> = Operator::ALL.iter().map(|(_, n)| *n).collect();
                    format!(
                        "\"{s}\" is not an operator; use one of {}",
                        names.join(", ")
                    )
                });
                Operator::Equals
            }),
            None | Some(Value::Null) => {
                self.fatal(at(path, "operator"), Code::Missing, || {
                    "is missing; use equals, contains, gt, exists, ...".into()
                });
                Operator::Equals
            }
            Some(other) => {
                self.fatal(at(path, "operator"), Code::WrongType, || {
                    format!("must be text, not {}", other.kind())
                });
                Operator::Equals
            }
        };
        let value = get(obj, "value").cloned().unwrap_or(Value::Null);
        let ignore_case = self.boolean(obj, path, "ignoreCase", false);
        let join = match get(obj, "join") {
            None | Some(Value::Null) => Join::And,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("and") => Join::And,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("or") => Join::Or,
            Some(other) => {
                self.fatal(at(path, "join"), Code::UnknownValue, || {
                    format!("must be \"and\" or \"or\", not {}", short(other))
                });
                Join::And
            }
        };
        (self.unusable == mark).then_some(Condition {
            property,
            operator,
            value,
            ignore_case,
            join,
        })
    }

    fn player_event(&mut self, v: &Value, path: &str) -> Option<PlayerEvent> {
        let obj = self.object(v, path, what::PLAYER_EVENT)?;
        let mark = self.unusable;
        let kind = self.string(obj, path, "type").unwrap_or_default();
        const CHANNELS: [&str; 3] = [Via::ALL[0].1, Via::ALL[1].1, Via::ALL[2].1];
        let via = self
            .word(obj, path, "via", &CHANNELS, false, words::CHANNEL)
            .flatten()
            .map_or(Via::EventsOn, |i| Via::ALL[i].0);
        let event = match get(obj, "event") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.fatal(at(path, "event"), Code::WrongType, || {
                    format!("must be a catalog event id or null, not {}", other.kind())
                });
                None
            }
        };
        let mut fields = Vec::new();
        match get(obj, "fields") {
            None | Some(Value::Null) => {}
            Some(Value::Object(pairs)) => {
                for (k, v) in pairs {
                    match v {
                        Value::String(s) if !s.is_empty() => fields.push((k.clone(), s.clone())),
                        other => self.problem(at(&at(path, "fields"), k), Code::WrongType, || {
                            format!(
                                "must be the name of a catalog property, not {}",
                                other.kind()
                            )
                        }),
                    }
                }
            }
            Some(other) => {
                self.fatal(at(path, "fields"), Code::WrongType, || {
                    format!(
                        "must be an object of payload field → property name, not {}",
                        other.kind()
                    )
                });
            }
        }
        (self.unusable == mark).then_some(PlayerEvent {
            kind,
            via,
            event,
            fields,
        })
    }
}

fn get<'v>(obj: &'v Obj, key: &str) -> Option<&'v Value> {
    super::value::lookup(obj, key)
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.kind().to_string(),
    }
}
