//! Authentication headers and the OAuth 2.0 client-credentials exchange.
//! Secrets only ever live in memory: the `Authorization` header is added to a
//! request when it is sent, never to what is stored.

use super::settings::Auth;
use super::text::{find_any, parse_uint};
use super::url::encode_component;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;

/// Why a request could not be authorised.
pub const NO_SECRET: &str = "no credentials: the settings leave the secret out, so call hooks.setTokenProvider() for this destination";

/// The `Authorization` header value, if any. `provided` is a token from the
/// host's provider or the OAuth 2.0 token endpoint; it takes precedence over
/// a published secret. For basic auth a provided value is `username:password`.
pub fn authorization(auth: &Auth, provided: Option<&str>) -> Result<Option<String>, &'static str> {
    let (scheme, credential) = match (auth, provided) {
        (Auth::Basic { .. }, Some(pair)) => ("Basic ", base64(pair.as_bytes())),
        (_, Some(token)) => ("Bearer ", token.to_string()),
        (Auth::None, None) => return Ok(None),
        (Auth::Bearer { token: Some(t), .. }, None) if !t.is_empty() => ("Bearer ", t.clone()),
        (
            Auth::Basic {
                username,
                password: Some(p),
            },
            None,
        ) => {
            let mut pair = username.clone();
            pair.push(':');
            pair.push_str(p);
            ("Basic ", base64(pair.as_bytes()))
        }
        _ => return Err(NO_SECRET),
    };
    let mut header = String::from(scheme);
    header.push_str(&credential);
    Ok(Some(header))
}

/// The token request of the client-credentials grant: URL and form body
/// (`application/x-www-form-urlencoded`, a CORS-safelisted type, so the
/// token endpoint needs no preflight). `None` when the auth is not OAuth 2.0
/// or the secret is not published (a token provider must supply the token).
pub fn token_request(auth: &Auth) -> Option<(String, String)> {
    let Auth::OAuth2 {
        token_url,
        client_id,
        client_secret: Some(secret),
        scope,
    } = auth
    else {
        return None;
    };
    let mut body = String::from("grant_type=client_credentials&client_id=");
    encode_component(&mut body, client_id);
    body.push_str("&client_secret=");
    encode_component(&mut body, secret);
    if let Some(scope) = scope {
        body.push_str("&scope=");
        encode_component(&mut body, scope);
    }
    Some((token_url.clone(), body))
}

/// Reads `{ access_token, expires_in }` from a token endpoint's JSON answer.
/// Returns the token and its lifetime in seconds (an hour when not given).
pub fn token_from_response(v: &Value) -> Result<(String, f64), String> {
    if let Some(err) = v.get("error").and_then(Value::as_str) {
        let mut why = String::from("token endpoint refused: ");
        why.push_str(err);
        if let Some(desc) = v.get("error_description").and_then(Value::as_str) {
            why.push(' ');
            why.push_str(desc);
        }
        return Err(why.trim_end().to_string());
    }
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && find_any(t, b"\r\n").is_none())
        .ok_or_else(|| String::from("token endpoint answered without an access_token"))?;
    let expires = match v.get("expires_in") {
        Some(Value::Number(n)) if *n > 0.0 => *n,
        Some(Value::String(s)) => parse_uint(s.trim())
            .filter(|n| *n > 0 && *n <= u64::from(u32::MAX))
            .map_or(3600.0, |n| n as f64),
        _ => 3600.0,
    };
    Ok((token.to_string(), expires))
}

/// A header value fit for a log: credentials keep their scheme and lose the
/// rest; headers whose name suggests a secret are hidden.
pub fn mask(name: &str, value: &str) -> String {
    let n = name.to_ascii_lowercase();
    if n == "authorization" || n == "proxy-authorization" {
        let mut out = value.split_once(' ').map_or("", |(s, _)| s).to_string();
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("****");
        return out;
    }
    if is_secret_name(&n) {
        return "****".into();
    }
    value.to_string()
}

fn is_secret_name(n: &str) -> bool {
    [
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "auth",
        "sig",
        "signature",
        "api_key",
        "apikey",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A URL fit for a log: query values with secret-looking names and long
/// path segments (webhook URLs carry their secret in the path) are hidden.
pub fn mask_url(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let mut out = String::with_capacity(url.len());
    for (i, seg) in base.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if i >= 3 && seg.len() >= 16 {
            out.push_str(&seg[..seg.char_indices().nth(3).map_or(seg.len(), |(j, _)| j)]);
            out.push_str("****");
        } else {
            out.push_str(seg);
        }
    }
    if let Some(q) = query {
        out.push('?');
        for (i, pair) in q.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((k, _)) if is_secret_name(&k.to_ascii_lowercase()) => {
                    out.push_str(k);
                    out.push_str("=****");
                }
                _ => out.push_str(pair),
            }
        }
    }
    out
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::value::obj;

    #[test]
    fn headers_for_each_auth_type() {
        assert_eq!(authorization(&Auth::None, None), Ok(None));
        assert_eq!(
            authorization(
                &Auth::Bearer {
                    token: Some("t0k".into()),
                    token_from: None,
                },
                None
            ),
            Ok(Some("Bearer t0k".into()))
        );
        let basic = Auth::Basic {
            username: "Aladdin".into(),
            password: Some("open sesame".into()),
        };
        assert_eq!(
            authorization(&basic, None),
            Ok(Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into()))
        );
        assert_eq!(
            authorization(
                &Auth::Bearer {
                    token: None,
                    token_from: None
                },
                None
            ),
            Err(NO_SECRET)
        );
        assert_eq!(
            authorization(
                &Auth::Bearer {
                    token: None,
                    token_from: None
                },
                Some("host")
            ),
            Ok(Some("Bearer host".into()))
        );
        assert_eq!(
            authorization(&Auth::None, Some("host")),
            Ok(Some("Bearer host".into()))
        );
        let oauth = Auth::OAuth2 {
            token_url: "https://a/t".into(),
            client_id: "c".into(),
            client_secret: None,
            scope: None,
        };
        assert_eq!(authorization(&oauth, None), Err(NO_SECRET));
        assert_eq!(
            authorization(&oauth, Some("at")),
            Ok(Some("Bearer at".into()))
        );
        let basic_host = Auth::Basic {
            username: "u".into(),
            password: None,
        };
        assert_eq!(
            authorization(&basic_host, Some("u:p")),
            Ok(Some("Basic dTpw".into()))
        );
    }

    #[test]
    fn client_credentials_request_and_answer() {
        let auth = Auth::OAuth2 {
            token_url: "https://auth.example.com/token".into(),
            client_id: "id 1".into(),
            client_secret: Some("s&cret".into()),
            scope: Some("events:write".into()),
        };
        let (url, body) = token_request(&auth).unwrap();
        assert_eq!(url, "https://auth.example.com/token");
        assert_eq!(body, "grant_type=client_credentials&client_id=id%201&client_secret=s%26cret&scope=events%3Awrite");
        let ok = obj([
            ("access_token", Value::from("AT")),
            ("expires_in", 120.0.into()),
        ]);
        assert_eq!(token_from_response(&ok), Ok(("AT".into(), 120.0)));
        let no_expiry = obj([("access_token", Value::from("AT"))]);
        assert_eq!(token_from_response(&no_expiry).unwrap().1, 3600.0);
        let refused = obj([("error", Value::from("invalid_client"))]);
        assert!(token_from_response(&refused)
            .unwrap_err()
            .contains("invalid_client"));
        assert!(token_from_response(&obj([("access_token", Value::from("a\r\nb"))])).is_err());
    }

    #[test]
    fn logs_never_show_secrets() {
        assert_eq!(mask("Authorization", "Bearer abc.def"), "Bearer ****");
        assert_eq!(
            mask("authorization", "Basic QWxhZGRpbjpvcGVu"),
            "Basic ****"
        );
        assert_eq!(mask("X-Api-Key", "k-123"), "****");
        assert_eq!(mask("X-Team", "cs"), "cs");
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"),
            "https://hooks.slack.com/services/T000/B000/XXX****"
        );
        assert_eq!(
            mask_url(
                "https://www.google-analytics.com/mp/collect?measurement_id=G-1&api_secret=s3cr3t"
            ),
            "https://www.google-analytics.com/mp/collect?measurement_id=G-1&api_secret=****"
        );
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64("é:ü".as_bytes()), "w6k6w7w=");
    }
}
