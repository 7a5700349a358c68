//! The few float operations the core needs that `core` (without the
//! standard library) does not have.

/// Rounds down to a whole number.
pub fn floor(x: f64) -> f64 {
    // 2^52 and beyond (and NaN, infinities) are whole already.
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// The fractional part (`x - trunc(x)`), 0 for huge values.
pub fn fract(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return if x.is_finite() { 0.0 } else { f64::NAN };
    }
    x - (x as i64 as f64)
}

/// `x` within `lo..=hi` (NaN gives `lo`); unlike `f64::clamp`, it has no
/// panic path to carry into the module.
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x > hi {
        hi
    } else if x >= lo {
        x
    } else {
        lo
    }
}

/// `2^n` for `n` from 0 to 62.
pub fn pow2(n: u32) -> f64 {
    (1u64 << n.min(62)) as f64
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn floors_and_fractions() {
        assert_eq!(floor(1.5), 1.0);
        assert_eq!(floor(-1.5), -2.0);
        assert_eq!(floor(-2.0), -2.0);
        assert_eq!(floor(1_764_655_930_123.9), 1_764_655_930_123.0);
        assert_eq!(floor(1e300), 1e300);
        assert!(floor(f64::NAN).is_nan());
        assert_eq!(fract(4.0), 0.0);
        assert_eq!(fract(4.25), 0.25);
        assert_eq!(fract(1e20), 0.0);
        assert!(fract(f64::INFINITY).is_nan());
        assert_eq!(pow2(10), 1024.0);
    }
}

/// A number written as decimal digits with an optional sign, point and
/// exponent, read exactly when that is cheap: up to 15 significant digits
/// and a power of ten up to 22 (both exact in an `f64`, so one multiplication
/// or division rounds correctly). `None` otherwise; the caller then asks the
/// host (`Number(text)` in the browser).
pub fn parse_fast(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (neg, mut i) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let mut exp: i32 = 0;
    let mut any = false;
    let mut seen_point = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                any = true;
                if mantissa == 0 && c == b'0' {
                    if seen_point {
                        exp -= 1;
                    }
                } else {
                    digits += 1;
                    if digits > 15 {
                        return None;
                    }
                    mantissa = mantissa * 10 + u64::from(c - b'0');
                    if seen_point {
                        exp -= 1;
                    }
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => break,
            _ => return None,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut e: i32 = 0;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() || e > 10_000 {
                return None;
            }
            e = e * 10 + i32::from(c - b'0');
            i += 1;
        }
        if i == start {
            return None;
        }
        exp += if eneg { -e } else { e };
    }
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let m = mantissa as f64;
    let v = if mantissa == 0 {
        0.0
    } else if (0..=22).contains(&exp) {
        m * POW10[exp as usize]
    } else if (-22..0).contains(&exp) {
        m / POW10[(-exp) as usize]
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

/// ECMAScript's Number::toString(10) for finite and non-finite numbers,
/// built on Rust's shortest round-trip digits (native builds; the browser
/// asks JavaScript).
#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
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
        out.extend(core::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(core::iter::repeat_n('0', (-point) as usize));
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
