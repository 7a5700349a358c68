//! Body and URL templates.
//!
//! In a body template (any JSON value), a string that is exactly
//! `"{{name}}"` becomes that property's value with its type, `{{name}}` inside
//! a longer string becomes its text, and `"{{properties}}"` becomes the whole
//! default body. In a URL, placeholders become percent-encoded text.

use super::event::Event;
use super::host::Host;
use super::json;
use super::settings::Problem;
use super::url::encode_component;
use super::value::Value;

/// The placeholder that stands for the whole default body.
pub const ALL_PROPERTIES: &str = "properties";

/// Checks `{{ }}` pairing in one string.
pub fn check_placeholders(s: &str) -> Result<(), String> {
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| "has a {{ without a closing }}".to_string())?;
        let name = after[..close].trim();
        if name.is_empty() {
            return Err("has an empty {{}} placeholder; put a property name inside".into());
        }
        if name.contains("{{") {
            return Err(format!("has a {{{{ inside the placeholder {{{{{name}}}}}"));
        }
        rest = &after[close + 2..];
    }
    Ok(())
}

/// `s` with every placeholder replaced by `with` (to check the shape of a URL).
pub fn fill_placeholders(s: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for_each_part(s, |part| match part {
        Part::Text(t) => out.push_str(t),
        Part::Name(_) => out.push_str(with),
    });
    out
}

/// Checks every string of a body template, reporting at `path`.
pub fn check_template(t: &Value, path: &str, out: &mut Vec<Problem>) {
    match t {
        Value::String(s) => {
            if let Err(e) = check_placeholders(s) {
                out.push(Problem::new(path, e));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_template(v, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(pairs) => {
            for (k, v) in pairs {
                check_template(v, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

enum Part<'a> {
    Text(&'a str),
    Name(&'a str),
}

fn for_each_part<'a>(s: &'a str, mut f: impl FnMut(Part<'a>)) {
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        if open > 0 {
            f(Part::Text(&rest[..open]));
        }
        f(Part::Name(after[..close].trim()));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        f(Part::Text(rest));
    }
}

/// The name when `s` is exactly one placeholder, `"{{name}}"`.
fn whole_placeholder(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then(|| inner.trim())
}

/// The text a value takes inside a string: strings as they are, numbers as
/// JavaScript writes them, `null` and missing values as nothing, lists and
/// objects as JSON.
pub fn text_of(v: &Value, out: &mut String, host: &dyn Host) {
    match v {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json::number_text(*n, host)),
        other => json::write_value(out, other, host),
    }
}

/// Renders a body template against the event and the default body.
pub fn render(t: &Value, event: &Event, default_body: &Value, host: &dyn Host) -> Value {
    let mut budget = usize::MAX;
    render_within(t, event, default_body, host, &mut budget)
}

/// [`render`], giving up (`None`) as soon as the result would pass about
/// `limit` bytes: a template that repeats `{{properties}}` over a large event
/// must not build megabytes only to be refused as too large.
pub fn render_bounded(
    t: &Value,
    event: &Event,
    default_body: &Value,
    host: &dyn Host,
    limit: usize,
) -> Option<Value> {
    let mut budget = limit;
    let v = render_within(t, event, default_body, host, &mut budget);
    (budget > 0).then_some(v)
}

/// About how many bytes `v` takes as JSON (for budgets, not exact).
pub fn approx_size(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 24,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(approx_size).sum::<usize>() + items.len() + 2,
        Value::Object(pairs) => {
            pairs
                .iter()
                .map(|(k, v)| k.len() + 3 + approx_size(v))
                .sum::<usize>()
                + 2
        }
    }
}

/// Takes `n` from the budget; false (and an empty budget) when it does not fit.
fn spend(budget: &mut usize, n: usize) -> bool {
    match budget.checked_sub(n) {
        Some(left) if left > 0 => {
            *budget = left;
            true
        }
        _ => {
            *budget = 0;
            false
        }
    }
}

fn render_within(
    t: &Value,
    event: &Event,
    default_body: &Value,
    host: &dyn Host,
    budget: &mut usize,
) -> Value {
    if *budget == 0 {
        return Value::Null;
    }
    match t {
        Value::String(s) => {
            if !s.contains("{{") {
                spend(budget, s.len() + 2);
                return t.clone();
            }
            if let Some(name) = whole_placeholder(s) {
                let v = if name == ALL_PROPERTIES {
                    Some(default_body)
                } else {
                    lookup(name, event, default_body)
                };
                let v = v.unwrap_or(&Value::Null);
                if !spend(budget, approx_size(v)) {
                    return Value::Null;
                }
                return v.clone();
            }
            let mut out = String::with_capacity(s.len() + 16);
            for_each_part(s, |part| match part {
                Part::Text(t) => {
                    if spend(budget, t.len()) {
                        out.push_str(t)
                    }
                }
                Part::Name(name) => {
                    let v = if name == ALL_PROPERTIES {
                        Some(default_body)
                    } else {
                        lookup(name, event, default_body)
                    };
                    if let Some(v) = v {
                        if spend(budget, approx_size(v)) {
                            text_of(v, &mut out, host);
                        }
                    }
                }
            });
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_within(v, event, default_body, host, budget))
                .collect(),
        ),
        Value::Object(pairs) => Value::Object(
            pairs
                .iter()
                .map(|(k, v)| {
                    spend(budget, k.len() + 3);
                    (
                        k.clone(),
                        render_within(v, event, default_body, host, budget),
                    )
                })
                .collect(),
        ),
        other => {
            spend(budget, 8);
            other.clone()
        }
    }
}

/// Renders a URL template: placeholders become percent-encoded text, so a
/// value can never change the URL's structure.
pub fn render_url(url: &str, event: &Event, default_body: &Value, host: &dyn Host) -> String {
    if !url.contains("{{") {
        return url.to_string();
    }
    let mut out = String::with_capacity(url.len() + 16);
    let mut text = String::new();
    for_each_part(url, |part| match part {
        Part::Text(t) => out.push_str(t),
        Part::Name(name) => {
            if let Some(v) = lookup(name, event, default_body) {
                text.clear();
                text_of(v, &mut text, host);
                encode_component(&mut out, &text);
            }
        }
    });
    out
}

/// A placeholder name resolves to a property sent in the default body
/// (renamed or static) first, then to any event property.
fn lookup<'v>(name: &str, event: &'v Event, default_body: &'v Value) -> Option<&'v Value> {
    default_body.get(name).or_else(|| event.get(name))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::host::NativeHost;
    use crate::core::value::obj;

    fn event() -> Event {
        Event::from_pairs(vec![
            ("user.id".into(), "u-42".into()),
            ("answer.value".into(), 4.0.into()),
            ("survey.name".into(), "NPS".into()),
            ("flag".into(), true.into()),
            ("tags".into(), Value::Array(vec!["a".into(), "b".into()])),
        ])
    }

    #[test]
    fn whole_placeholders_keep_their_type() {
        let body = obj([("identity", Value::from("u-42"))]);
        let t = obj([
            ("score", Value::from("{{answer.value}}")),
            ("flag", "{{ flag }}".into()),
            ("tags", "{{tags}}".into()),
            ("who", "{{identity}}".into()),
            ("missing", "{{nope}}".into()),
        ]);
        let out = render(&t, &event(), &body, &NativeHost);
        assert_eq!(
            json::to_json(&out, &NativeHost),
            r#"{"score":4,"flag":true,"tags":["a","b"],"who":"u-42","missing":null}"#
        );
    }

    #[test]
    fn text_interpolation_and_the_properties_placeholder() {
        let body = obj([("a", Value::from(1.0)), ("b", "x".into())]);
        let t = obj([
            (
                "text",
                Value::from("{{user.id}} answered {{answer.value}} on {{survey.name}}{{nope}}!"),
            ),
            ("data", "{{properties}}".into()),
            (
                "list",
                Value::Array(vec!["n={{answer.value}}".into(), 7.0.into()]),
            ),
        ]);
        let out = render(&t, &event(), &body, &NativeHost);
        assert_eq!(
            json::to_json(&out, &NativeHost),
            r#"{"text":"u-42 answered 4 on NPS!","data":{"a":1,"b":"x"},"list":["n=4",7]}"#
        );
    }

    #[test]
    fn url_values_are_encoded() {
        let ev = Event::from_pairs(vec![("user.id".into(), "a/b?c=d&e#f".into())]);
        let url = render_url(
            "https://x.io/users/{{user.id}}/events?src=wm",
            &ev,
            &Value::Object(vec![]),
            &NativeHost,
        );
        assert_eq!(
            url,
            "https://x.io/users/a%2Fb%3Fc%3Dd%26e%23f/events?src=wm"
        );
    }

    #[test]
    fn placeholder_syntax_is_checked() {
        assert!(check_placeholders("{{a}} and {{ b }}").is_ok());
        assert!(check_placeholders("no placeholders } {").is_ok());
        assert!(check_placeholders("{{a").unwrap_err().contains("closing"));
        assert!(check_placeholders("{{ }}").unwrap_err().contains("empty"));
        assert_eq!(
            fill_placeholders("https://x/{{a}}/{{b}}", "x"),
            "https://x/x/x"
        );
    }
}
