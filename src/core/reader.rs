//! The settings reader: turns a JSON document into [`Settings`] while
//! collecting every problem with its path and code. One reader serves both
//! modules; it is generic over its [`Wording`] (the editor's full messages or
//! the runtime's short ones). It is hand-written rather than derived so that
//! one bad field does not hide the others and unknown fields are ignored.

use super::host::Host;
use super::problem::{at, item, Code, Full, Problem, Problems, Wording};
use super::settings::*;
use super::validate;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;

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
