//! Problems found in a settings document: a path a person can follow
//! (`webhooks[2].conditions[0].value`), a code a program can (`wrong_type`,
//! see [`Code`]) and a message next to its code, in one of two wordings: the
//! editor module's full one ([`Full`]: what is wrong and what to do) and the
//! runtime's short one per code ([`Short`]), so none of the message
//! formatting is linked into what every visitor downloads.

use super::value::push_uint;
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
