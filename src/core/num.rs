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
