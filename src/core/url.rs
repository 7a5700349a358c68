//! The URL rules of the contract and query-string encoding, without a URL
//! crate (size): destinations must be `https`, plain `http` only for
//! localhost; template values are percent-encoded where they enter a URL.

#[allow(unused_imports)]
use crate::core::prelude::*;
use crate::core::text::{self, split_at};

/// The parts of an absolute URL the rules look at.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// Lower-cased by the caller when compared.
    pub scheme: &'a str,
    /// Host without port or brackets' contents changed.
    pub host: &'a str,
    /// Port text, if any.
    pub port: Option<&'a str>,
    /// Whether user info (`user:pass@`) is present.
    pub has_userinfo: bool,
}

/// What is wrong with the shape of a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// No `://`.
    NotAbsolute,
    /// An empty scheme or one with other characters than a scheme has.
    Scheme,
    /// `[` without `]` in the host.
    UnclosedBracket,
    /// Text between `]` and the port or path.
    AfterBracket,
    /// An empty host.
    NoHost,
    /// Characters a host name cannot have (`%` included: the URL standard
    /// decodes it, and `%2f` would become a `/`).
    HostCharacters,
    /// Brackets that hold no IPv6 address.
    Ipv6,
    /// A host whose last label is a number but that is no IPv4 address.
    Ipv4,
    /// A port that is not a number up to 65535.
    Port,
    /// Spaces or control characters anywhere.
    Spaces,
}

impl Malformed {
    /// What is wrong and what to do (the editor's message).
    pub fn as_str(self) -> &'static str {
        match self {
            Malformed::NotAbsolute => "is not an absolute URL (it must start with https://)",
            Malformed::Scheme => "has no valid scheme (it must start with https://)",
            Malformed::UnclosedBracket => "has an unclosed [ in its host",
            Malformed::AfterBracket => "has text after its host",
            Malformed::NoHost => "has no host",
            Malformed::HostCharacters => {
                "has characters that are not allowed in a host name (write it without %-encoding)"
            }
            Malformed::Ipv6 => "has an invalid IPv6 address in [ ]",
            Malformed::Ipv4 => "ends in a number but is not an IPv4 address like 192.0.2.1",
            Malformed::Port => "has an invalid port",
            Malformed::Spaces => "contains spaces or control characters; percent-encode them",
        }
    }
}

/// Splits an absolute `scheme://authority/...` URL.
pub fn parts(url: &str) -> Result<Parts<'_>, Malformed> {
    let (scheme, rest) = crate::core::text::split_once(url, "://").ok_or(Malformed::NotAbsolute)?;
    if scheme.is_empty()
        || !text::all_bytes(scheme, |b| {
            b.is_ascii_alphanumeric() || text::is_one_of(b, b"+-.")
        })
    {
        return Err(Malformed::Scheme);
    }
    let authority = text::until(rest, b"/?#");
    let (has_userinfo, hostport) = match text::rsplit_once(authority, b'@') {
        Some((_, h)) => (true, h),
        None => (false, authority),
    };
    let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
        let (_, after) = text::split_once(stripped, "]").ok_or(Malformed::UnclosedBracket)?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(Malformed::AfterBracket),
        };
        (split_at(hostport, hostport.len() - after.len()).0, port)
    } else {
        match text::rsplit_once(hostport, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(Malformed::NoHost);
    }
    if let Some(inner) = host.strip_prefix('[') {
        if !is_ipv6(inner.strip_suffix(']').unwrap_or(inner)) {
            return Err(Malformed::Ipv6);
        }
    } else if !text::all_bytes(host, |b| {
        b.is_ascii_alphanumeric() || text::is_one_of(b, b"-._~") || b >= 0x80
    }) {
        return Err(Malformed::HostCharacters);
    } else if !ipv4_ok(host) {
        return Err(Malformed::Ipv4);
    }
    if let Some(p) = port {
        if p.is_empty()
            || p.len() > 5
            || !text::all_digits(p)
            || p.bytes().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')) > 65535
        {
            return Err(Malformed::Port);
        }
    }
    if !text::all_bytes(url, |b| b > b' ' && b != 0x7f) {
        return Err(Malformed::Spaces);
    }
    Ok(Parts {
        scheme,
        host,
        port,
        has_userinfo,
    })
}

/// Whether `s` (the text between `[` and `]`) is an IPv6 address: eight
/// groups of 1 to 4 hex digits, or fewer around one `::`, the last two
/// optionally written as an IPv4 address.
fn is_ipv6(s: &str) -> bool {
    fn groups(side: &str, last: bool) -> Option<usize> {
        if side.is_empty() {
            return Some(0);
        }
        let mut n = 0;
        let mut it = side.split(':').peekable();
        while let Some(g) = it.next() {
            let final_group = it.peek().is_none();
            if last && final_group && g.contains('.') {
                if !is_dotted_ipv4(g) {
                    return None;
                }
                n += 2;
            } else if (1..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit()) {
                n += 1;
            } else {
                return None;
            }
        }
        Some(n)
    }
    match crate::core::text::split_once(s, "::") {
        Some((a, b)) => {
            !crate::core::text::contains(b, "::")
                && matches!((groups(a, false), groups(b, true)), (Some(x), Some(y)) if x + y <= 7)
        }
        None => groups(s, true) == Some(8),
    }
}

/// Four decimal numbers from 0 to 255, dot-separated.
fn is_dotted_ipv4(s: &str) -> bool {
    let mut n = 0;
    for part in s.split('.') {
        n += 1;
        if part.is_empty()
            || part.len() > 3
            || !part.bytes().all(|b| b.is_ascii_digit())
            || part.bytes().fold(0u32, |v, d| v * 10 + u32::from(d - b'0')) > 255
        {
            return false;
        }
    }
    n == 4
}

/// A host whose last label looks like a number is read as an IPv4 address
/// by the URL standard: it must then be one (written as a.b.c.d here).
fn ipv4_ok(host: &str) -> bool {
    let h = host.strip_suffix('.').unwrap_or(host);
    let last = h.rsplit('.').next().unwrap_or(h);
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || matches!(last.as_bytes(), [b'0', b'x' | b'X', hex @ ..]
                if hex.iter().all(u8::is_ascii_hexdigit)));
    !numeric || is_dotted_ipv4(h)
}

/// Whether `host` is the local machine (where plain `http` is allowed).
pub fn is_local_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost") || h == "127.0.0.1" || h == "[::1]"
}

/// Why a destination URL is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// Not an absolute URL, or a malformed part.
    Malformed(Malformed),
    /// `user:password@` in the URL.
    UserInfo,
    /// Plain `http` to a host other than the local machine (the host).
    PlainHttp(String),
    /// Another scheme (the scheme).
    Scheme(String),
}

impl UrlError {
    /// What is wrong and what to do.
    pub fn message(&self) -> String {
        match self {
            UrlError::Malformed(why) => why.as_str().to_string(),
            UrlError::UserInfo => {
                "must not contain a user name or password; use basic authentication instead".into()
            }
            UrlError::PlainHttp(host) => format!(
                "must use https:// (plain http is only allowed for localhost and 127.0.0.1, not {host})"
            ),
            UrlError::Scheme(s) => format!("must use https://, not {s}://"),
        }
    }
}

/// Checks a destination URL against the contract.
pub fn check_destination_url(url: &str) -> Result<(), UrlError> {
    let p = parts(url).map_err(UrlError::Malformed)?;
    if p.has_userinfo {
        return Err(UrlError::UserInfo);
    }
    match p.scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_local_host(p.host) => Ok(()),
        "http" => Err(UrlError::PlainHttp(p.host.to_string())),
        other => Err(UrlError::Scheme(other.to_string())),
    }
}

/// Appends `s` percent-encoded as `encodeURIComponent` does.
pub fn encode_component(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || text::is_one_of(b, b"-_.!~*'()") {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// `url` with `pairs` added to its query string (before any `#fragment`).
pub fn with_query(url: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return url.to_string();
    }
    let (base, fragment) = split_at(url, text::find(url, "#").unwrap_or(url.len()));
    let mut out = String::with_capacity(url.len() + pairs.len() * 16);
    out.push_str(base);
    let mut sep = if !text::contains(base, "?") {
        '?'
    } else if base.ends_with('?') || base.ends_with('&') {
        '\0'
    } else {
        '&'
    };
    for (k, v) in pairs {
        if sep != '\0' {
            out.push(sep);
        }
        sep = '&';
        encode_component(&mut out, k);
        out.push('=');
        encode_component(&mut out, v);
    }
    out.push_str(fragment);
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn https_is_required_except_for_localhost() {
        assert!(check_destination_url("https://hooks.slack.com/services/T0/B0/X").is_ok());
        assert!(check_destination_url("http://localhost:8080/hook").is_ok());
        assert!(check_destination_url("http://127.0.0.1:9/x?y=1").is_ok());
        assert!(check_destination_url("HTTPS://EXAMPLE.COM").is_ok());
        let e = check_destination_url("http://example.com/hook")
            .unwrap_err()
            .message();
        assert!(e.contains("https://") && e.contains("example.com"), "{e}");
        assert!(check_destination_url("ftp://example.com")
            .unwrap_err()
            .message()
            .contains("ftp"));
        assert!(check_destination_url("javascript:alert(1)").is_err());
        assert!(check_destination_url("//example.com/x").is_err());
        assert!(check_destination_url("https://").is_err());
        assert!(check_destination_url("https://exa mple.com").is_err());
        assert!(check_destination_url("https://example.com:99999/").is_err());
        assert!(check_destination_url("http://localhost.evil.com/").is_err());
        assert!(check_destination_url("http://127.0.0.1.nip.io/").is_err());
    }

    #[test]
    fn user_info_is_refused() {
        let e = check_destination_url("https://user:pw@example.com/")
            .unwrap_err()
            .message();
        assert!(e.contains("basic authentication"), "{e}");
    }

    #[test]
    fn components_are_encoded_like_encode_uri_component() {
        let mut s = String::new();
        encode_component(&mut s, "a b&c=d/é?#~*'()!");
        assert_eq!(s, "a%20b%26c%3Dd%2F%C3%A9%3F%23~*'()!");
    }

    #[test]
    fn query_pairs_go_before_the_fragment() {
        let pairs = vec![
            ("user id".to_string(), "u 1".to_string()),
            ("n".to_string(), "4".to_string()),
        ];
        assert_eq!(
            with_query("https://x.io/t", &pairs),
            "https://x.io/t?user%20id=u%201&n=4"
        );
        assert_eq!(
            with_query("https://x.io/t?a=1#f", &pairs),
            "https://x.io/t?a=1&user%20id=u%201&n=4#f"
        );
        assert_eq!(
            with_query("https://x.io/t?", &pairs[1..]),
            "https://x.io/t?n=4"
        );
        assert_eq!(with_query("https://x.io/t", &[]), "https://x.io/t");
    }
}
