//! JSON text out of a [`Value`], written the way `JSON.stringify` writes it.

use super::host::Host;
use super::value::Value;

/// Writes `value` as compact JSON, numbers as JavaScript writes them.
pub fn to_json(value: &Value, host: &dyn Host) -> String {
    let mut out = String::new();
    write_value(&mut out, value, host);
    out
}

/// Appends `value` as compact JSON to `out`.
pub fn write_value(out: &mut String, value: &Value, host: &dyn Host) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, *n, host),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, v, host);
            }
            out.push(']');
        }
        Value::Object(pairs) => {
            out.push('{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v, host);
            }
            out.push('}');
        }
    }
}

/// Appends a number; non-finite numbers become `null`, as in `JSON.stringify`.
pub fn write_number(out: &mut String, n: f64, host: &dyn Host) {
    if !n.is_finite() {
        out.push_str("null");
    } else {
        out.push_str(&number_text(n, host));
    }
}

/// The text of a number as JavaScript's `String(n)` gives it. Whole numbers
/// below 2^53 are written here (the common case: counts, scores, timestamps);
/// the rest goes to the host.
pub fn number_text(n: f64, host: &dyn Host) -> String {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        if n == 0.0 {
            return "0".into(); // also -0, as JavaScript writes it
        }
        return (n as i64).to_string();
    }
    host.number_to_string(n)
}

/// Appends a JSON string literal with `JSON.stringify`'s escapes.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// ECMAScript's Number::toString(10) for finite and non-finite numbers,
/// built on Rust's shortest round-trip digits.
pub fn js_number_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", n.abs()); // "d.ddde-7" / "1e21"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let point = exp + 1; // ECMAScript's n: position of the decimal point
    let mut out = String::new();
    if n < 0.0 {
        out.push('-');
    }
    if k <= point && point <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if point > 0 { '+' } else { '-' });
        out.push_str(&(point - 1).abs().to_string());
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::host::NativeHost;
    use crate::core::value::obj;

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (4.0, "4"),
            (-12.0, "-12"),
            (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123456789.125, "123456789.125"),
            (1700000000000.0, "1700000000000"),
            (2f64.powi(60), "1152921504606847000"),
        ];
        for (n, want) in cases {
            assert_eq!(js_number_string(n), want, "{n}");
            assert_eq!(number_text(n, &NativeHost), want, "{n}");
        }
        assert_eq!(js_number_string(f64::NAN), "NaN");
    }

    #[test]
    fn strings_are_escaped_like_json_stringify() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c\nd\u{1}é😀\u{7f}");
        assert_eq!(
            out,
            r#""a\"b\\c\nd\u0001é😀\u{7f}""#.replace("\\u{7f}", "\u{7f}")
        );
    }

    #[test]
    fn objects_keep_their_key_order() {
        let v = obj([
            ("z", Value::from(1.0)),
            (
                "a",
                Value::Array(vec![Value::Null, true.into(), "x".into()]),
            ),
            ("m", Value::Number(f64::INFINITY)),
        ]);
        assert_eq!(
            to_json(&v, &NativeHost),
            r#"{"z":1,"a":[null,true,"x"],"m":null}"#
        );
    }
}
