//! JSON text out of a [`Value`], written the way `JSON.stringify` writes it.

use super::host::Host;
use super::text::split_at;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;

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
    if crate::core::num::fract(n) == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        if n == 0.0 {
            return "0".into(); // also -0, as JavaScript writes it
        }
        let mut out = String::new();
        super::value::push_int(&mut out, n as i64);
        return out;
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
        // `start` and `i` are next to ASCII bytes: character boundaries.
        out.push_str(split_at(split_at(s, i).0, start).1);
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
    out.push_str(split_at(s, start).1);
    out.push('"');
}

/// Where and why a text is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    what: &'static str,
    at: usize,
}

impl core::fmt::Display for JsonError {
    /// `expected ':' at character 7` (1-based).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut at = String::new();
        super::value::push_uint(&mut at, self.at as u64 + 1);
        f.write_str(self.what)?;
        f.write_str(" at character ")?;
        f.write_str(&at)
    }
}

/// Parses JSON text. Depth and size are capped (see [`MAX_DEPTH`] and
/// [`MAX_NODES`]) so no input can exhaust the stack or freeze the page;
/// the error says where the text stops being JSON (its text is written
/// only when asked for). Numbers that are not plain integers are read by
/// the host (`Number(text)` in the browser).
pub fn parse(text: &str, host: &dyn Host) -> Result<Value, JsonError> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        i: 0,
        nodes: 0,
        host,
    };
    p.document().map_err(|what| JsonError { what, at: p.i })
}

use super::value::{MAX_DEPTH, MAX_NODES};

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
    nodes: usize,
    host: &'a dyn Host,
}

impl Parser<'_> {
    /// The whole text: one value and white space around it. An error is
    /// what is wrong; the reader stays where it is.
    fn document(&mut self) -> Result<Value, &'static str> {
        self.ws();
        let v = self.value(0)?;
        self.ws();
        if self.i != self.s.len() {
            return Err("unexpected text after the value");
        }
        Ok(v)
    }

    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, &'static str> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err("unexpected character")
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, &'static str> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err("too many values");
        }
        match self.s.get(self.i) {
            None => Err("unexpected end"),
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err("nested too deeply");
                }
                self.i += 1;
                let mut pairs: Vec<(String, Value)> = Vec::new();
                self.ws();
                if self.eat(b'}') {
                    return Ok(Value::Object(pairs));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err("expected a key in quotes");
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return Err("expected ':'");
                    }
                    self.ws();
                    let v = self.value(depth + 1)?;
                    super::value::set_pair(&mut pairs, &k, v);
                    self.ws();
                    if self.eat(b'}') {
                        return Ok(Value::Object(pairs));
                    }
                    if !self.eat(b',') {
                        return Err("expected ',' or '}'");
                    }
                }
            }
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err("nested too deeply");
                }
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b']') {
                    return Ok(Value::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b']') {
                        return Ok(Value::Array(items));
                    }
                    if !self.eat(b',') {
                        return Err("expected ',' or ']'");
                    }
                }
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err("unexpected character"),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.s.get(self.i), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, &'static str> {
        let start = self.i;
        let negative = self.eat(b'-');
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return Err("invalid number");
        }
        let mut simple = true;
        if self.eat(b'.') {
            simple = false;
            if self.digits() == 0 {
                return Err("invalid number");
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            simple = false;
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err("invalid number");
            }
        }
        if simple && n <= 15 {
            let mut v: i64 = 0;
            for &d in &self.s[int_start..self.i] {
                v = v * 10 + i64::from(d - b'0');
            }
            return Ok(Value::Number(if negative { -(v as f64) } else { v as f64 }));
        }
        // The slice is ASCII digits and signs, so it is valid UTF-8.
        let text = self.text.get(start..self.i).unwrap_or("0");
        if let Some(v) = super::num::parse_fast(text) {
            return Ok(Value::Number(v));
        }
        match self.host.parse_number(text) {
            Some(v) if v.is_finite() => Ok(Value::Number(v)),
            _ => Err("number out of range"),
        }
    }

    fn hex4(&mut self) -> Result<u32, &'static str> {
        let h = self.s.get(self.i..self.i + 4).ok_or("bad \\u escape")?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16).ok_or("bad \\u escape")?;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, &'static str> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // Slices end before ASCII bytes only, so they are whole characters.
            out.push_str(self.text.get(start..self.i).unwrap_or(""));
            match self.s.get(self.i) {
                None => return Err("unterminated string"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = *self.s.get(self.i).ok_or("unterminated string")?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save;
                                }
                            }
                            // A lone surrogate becomes U+FFFD, as TextDecoder does.
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err("bad escape"),
                    }
                }
                Some(_) => return Err("control character in a string"),
            }
        }
    }
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
            assert_eq!(crate::core::num::js_number_string(n), want, "{n}");
            assert_eq!(number_text(n, &NativeHost), want, "{n}");
        }
        assert_eq!(crate::core::num::js_number_string(f64::NAN), "NaN");
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

    #[test]
    fn parses_what_json_stringify_writes() {
        let text = r#"{"a":1,"b":[true,false,null],"c":"x\"y\\z\n\u00e9\ud83d\ude00","d":-12.5e1,"e":{},"f":[],"a":2}"#;
        let v = parse(text, &NativeHost).unwrap();
        assert_eq!(
            to_json(&v, &NativeHost),
            r#"{"a":2,"b":[true,false,null],"c":"x\"y\\z\né😀","d":-125,"e":{},"f":[]}"#
        );
        assert_eq!(parse(" 7 ", &NativeHost), Ok(Value::Number(7.0)));
        assert_eq!(
            parse("12345678901234567890", &NativeHost),
            Ok(Value::Number(12345678901234567890.0))
        );
        assert_eq!(
            parse(r#""\ud800x""#, &NativeHost),
            Ok(Value::String("\u{fffd}x".into()))
        );
    }

    #[test]
    fn refuses_what_is_not_json_and_says_where() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01",
            "1.",
            "-",
            "tru",
            "\"\\x\"",
            "\"a\nb\"",
            "[1] 2",
            "{'a':1}",
            "1e999",
            "NaN",
        ] {
            let e = parse(bad, &NativeHost).unwrap_err().to_string();
            assert!(e.contains("at character"), "{bad}: {e}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep, &NativeHost)
            .unwrap_err()
            .to_string()
            .contains("nested too deeply"));
    }
}
