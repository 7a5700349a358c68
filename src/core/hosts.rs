//! What a browser can do with the destination hosts we know: which mode and
//! body format each takes from a page, whether it answers CORS, and where
//! its keys go. The editor module warns, naming the fix, when a destination
//! asks a known host for something it does not take from a browser (the
//! request would be refused by its preflight, or never be read), or when it
//! cannot be reached from a page at all. Sources: `docs/destinations.md`.

use super::problem::{Code, Problem};
use super::settings::{Destination, Format, Mode};
use super::url;
#[allow(unused_imports)]
use crate::core::prelude::*;

/// A known destination host.
#[derive(Debug)]
pub struct KnownHost {
    /// The service's name.
    pub service: &'static str,
    /// Host names it matches: exact, or a suffix when it starts with `.`.
    pub hosts: &'static [&'static str],
    /// A path prefix the match also needs (`/api/webhooks` for Discord).
    pub path: &'static str,
    /// Whether a page can send to it at all.
    pub from_browser: bool,
    /// The modes that work from a page.
    pub modes: &'static [Mode],
    /// The body formats it takes.
    pub formats: &'static [Format],
    /// Whether the URL itself is the secret (anyone who has it can post).
    pub secret_url: bool,
    /// The preset that sends to it correctly, if any.
    pub preset: &'static str,
    /// Why, in a sentence.
    pub note: &'static str,
}

use Format::{Form, Json, Text};
use Mode::{Cors, NoCors, Simple};

/// The table (see `docs/destinations.md` for the sources).
pub const KNOWN: &[KnownHost] = &[
    KnownHost {
        service: "Slack",
        hosts: &["hooks.slack.com"],
        path: "",
        from_browser: true,
        modes: &[Simple, NoCors],
        formats: &[Form, Text],
        secret_url: true,
        preset: "slack",
        note: "Slack's preflight does not allow Content-Type: application/json, so send the message as payload= form data",
    },
    KnownHost {
        service: "Mixpanel",
        hosts: &["api.mixpanel.com", "api-eu.mixpanel.com", "api-in.mixpanel.com", "api-js.mixpanel.com"],
        path: "",
        from_browser: true,
        modes: &[Simple, Cors, NoCors],
        formats: &[Form],
        secret_url: false,
        preset: "mixpanel",
        note: "Mixpanel's /track takes data= form data from a page, as its own JavaScript library sends it",
    },
    KnownHost {
        service: "Amplitude",
        hosts: &["api2.amplitude.com", "api.eu.amplitude.com"],
        path: "",
        from_browser: true,
        modes: &[Cors],
        formats: &[Json],
        secret_url: false,
        preset: "amplitude",
        note: "Amplitude requires Content-Type: application/json and answers the preflight",
    },
    KnownHost {
        service: "PostHog",
        hosts: &["us.i.posthog.com", "eu.i.posthog.com"],
        path: "",
        from_browser: true,
        modes: &[Simple, Cors, NoCors],
        formats: &[Text, Json, Form],
        secret_url: false,
        preset: "posthog",
        note: "PostHog reads the body as the event whatever its content type (a form body in its data field) and mirrors the page's origin",
    },
    KnownHost {
        service: "Segment",
        hosts: &["api.segment.io", "events.eu1.segmentapis.com"],
        path: "",
        from_browser: true,
        modes: &[Simple, Cors],
        formats: &[Text, Json],
        secret_url: false,
        preset: "segment",
        note: "Segment takes JSON as text/plain with the writeKey in the body, as its browser library sends it",
    },
    KnownHost {
        service: "Google Analytics 4",
        hosts: &["www.google-analytics.com", "region1.google-analytics.com"],
        path: "",
        from_browser: true,
        modes: &[NoCors],
        formats: &[Text],
        secret_url: true,
        preset: "ga4",
        note: "the Measurement Protocol documents no CORS and always answers 2xx: send it in no-cors mode as text; its api_secret is meant to stay private",
    },
    KnownHost {
        service: "Zapier",
        hosts: &["hooks.zapier.com"],
        path: "",
        from_browser: true,
        modes: &[NoCors],
        formats: &[Form, Text],
        secret_url: true,
        preset: "zapier",
        note: "Zapier's catch hooks document no CORS (browsers report the preflight failing): send form data in no-cors mode",
    },
    KnownHost {
        service: "Make",
        hosts: &[".make.com"],
        path: "",
        from_browser: true,
        modes: &[NoCors],
        formats: &[Form, Text],
        secret_url: true,
        preset: "make",
        note: "Make's webhooks document no CORS: send form data in no-cors mode",
    },
    KnownHost {
        service: "Google Chat",
        hosts: &["chat.googleapis.com"],
        path: "",
        from_browser: true,
        modes: &[Cors],
        formats: &[Json],
        secret_url: true,
        preset: "google-chat",
        note: "Google Chat takes a JSON message",
    },
    KnownHost {
        service: "Microsoft Teams (Workflows)",
        hosts: &[".logic.azure.com", ".powerautomate.com", ".powerplatform.com"],
        path: "",
        from_browser: false,
        modes: &[],
        formats: &[],
        secret_url: true,
        preset: "",
        note: "a Workflows trigger needs an Adaptive Card as JSON (so a preflight) and documents no CORS; send to it from a server",
    },
    KnownHost {
        service: "Office 365 connector",
        hosts: &[".webhook.office.com", "outlook.office.com"],
        path: "",
        from_browser: false,
        modes: &[],
        formats: &[],
        secret_url: true,
        preset: "",
        note: "Office 365 connectors in Teams are retired; use a Teams Workflows webhook from a server",
    },
    KnownHost {
        service: "Discord",
        hosts: &["discord.com", "discordapp.com"],
        path: "/api/webhooks",
        from_browser: false,
        modes: &[],
        formats: &[],
        secret_url: true,
        preset: "",
        note: "Discord takes JSON or multipart form data and documents no CORS; send to it from a server",
    },
    KnownHost {
        service: "Heap",
        hosts: &["heapanalytics.com"],
        path: "/api/",
        from_browser: false,
        modes: &[],
        formats: &[],
        secret_url: false,
        preset: "",
        note: "Heap's track API is a server API (JSON only, no CORS); in a page use Heap's own heap.js",
    },
];

/// The known host a URL points at.
pub fn lookup(url_text: &str) -> Option<&'static KnownHost> {
    let parts = url::parts(url_text).ok()?;
    let host = parts.host.to_ascii_lowercase();
    let path = url_text
        .split_once("://")
        .and_then(|(_, r)| r.find('/').map(|i| &r[i..]))
        .unwrap_or("");
    KNOWN.iter().find(|k| {
        k.hosts.iter().any(|h| {
            if let Some(suffix) = h.strip_prefix('.') {
                host.ends_with(h) || host == suffix
            } else {
                host == *h
            }
        }) && path.starts_with(k.path)
    })
}

/// The warnings of destination `i` against the table.
pub fn warnings(d: &Destination, i: usize) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(k) = lookup(&d.url) else {
        return out;
    };
    let path = |f: &str| format!("destinations[{i}].{f}");
    if !k.from_browser {
        out.push(Problem::new(
            path("url"),
            Code::HostLimit,
            format!("{} cannot be sent to from a browser: {}", k.service, k.note),
        ));
        return out;
    }
    let fix = if k.preset.is_empty() {
        String::new()
    } else {
        format!(" (the \"{}\" preset does this)", k.preset)
    };
    if !k.modes.contains(&d.mode) {
        let modes: Vec<&str> = k.modes.iter().map(|m| m.as_str()).collect();
        out.push(Problem::new(
            path("mode"),
            Code::HostLimit,
            format!(
                "{} does not take {} mode from a page; use mode {}: {}{fix}",
                k.service,
                d.mode.as_str(),
                modes.join(" or "),
                k.note
            ),
        ));
    } else if !k.formats.contains(&d.format) && d.method != super::settings::Method::Get {
        let formats: Vec<&str> = k.formats.iter().map(|f| f.as_str()).collect();
        out.push(Problem::new(
            path("format"),
            Code::HostLimit,
            format!(
                "{} does not take a {} body from a page; use format {}: {}{fix}",
                k.service,
                d.format.as_str(),
                formats.join(" or "),
                k.note
            ),
        ));
    }
    if k.secret_url {
        out.push(Problem::new(
            path("url"),
            Code::PublishedSecret,
            format!(
                "the {} URL is itself the key: every visitor of the page can read it from the published settings and post with it",
                k.service
            ),
        ));
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_found_by_name_suffix_and_path() {
        assert_eq!(
            lookup("https://hooks.slack.com/services/T/B/X")
                .unwrap()
                .service,
            "Slack"
        );
        assert_eq!(
            lookup("https://hook.eu1.make.com/abc").unwrap().service,
            "Make"
        );
        assert_eq!(
            lookup("https://discord.com/api/webhooks/1/x")
                .unwrap()
                .service,
            "Discord"
        );
        assert!(lookup("https://discord.com/app").is_none());
        assert!(lookup("https://example.com/slack").is_none());
        assert!(lookup("https://notmake.com/x").is_none());
    }
}
