//! Published settings, version 1: the types. [`super::reader`] turns a JSON
//! document into them, with every problem ([`super::problem`]); the checks
//! across fields are in [`super::validate`].

use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;
use serde::Serialize;

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
    /// The destination with this id.
    pub fn destination(&self, id: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.id == id)
    }

    /// The webhook with this id.
    pub fn webhook(&self, id: &str) -> Option<&Webhook> {
        self.webhooks.iter().find(|w| w.id == id)
    }
}
