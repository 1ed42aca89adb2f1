//! [`ExactValue`]: how the toolkit's error messages print a number.

use std::fmt;

/// A number as the toolkit's error messages print it: the shortest decimal that reads back as
/// the same `f64`, in scientific notation when its magnitude is 10^16 or more, or below 10^-5.
///
/// Rust's `{}` writes an `f64` in full positional notation, so a refused `1e300` would make
/// a message 301 digits long and `1e-300` one of 300 zeros. In scientific notation the same
/// value is a few characters, and still exact: every digit needed to read it back is there.
/// NaN and the infinities print as Rust prints them.
///
/// # Example
/// ```
/// use sli_core::ExactValue;
///
/// assert_eq!(ExactValue(0.1).to_string(), "0.1");
/// assert_eq!(ExactValue(1234.5).to_string(), "1234.5");
/// assert_eq!(ExactValue(1e300).to_string(), "1e300");
/// assert_eq!(ExactValue(-2.5e-9).to_string(), "-2.5e-9");
/// assert_eq!(ExactValue(f64::NAN).to_string(), "NaN");
/// let max = ExactValue(f64::MAX).to_string();
/// assert_eq!(max.parse::<f64>().unwrap(), f64::MAX);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactValue(pub f64);

impl ExactValue {
    /// A fraction as a percentage: its shortest decimal with the point moved two places, read
    /// back. So 0.999 is 99.9 and 0.07 is 7, where `100.0 * 0.07` is 7.000000000000001; the
    /// result is the `f64` nearest the decimal a person wrote, for any finite value (values
    /// past `f64::MAX / 100` become infinite, as the product would).
    ///
    /// # Example
    /// ```
    /// use sli_core::ExactValue;
    ///
    /// assert_eq!(ExactValue(0.07).percent(), 7.0);
    /// assert_eq!(ExactValue(0.999_999_999_999).percent(), 99.999_999_999_9);
    /// assert_eq!(ExactValue(1e-22).percent(), 1e-20);
    /// ```
    #[must_use]
    pub fn percent(self) -> f64 {
        crate::objective::shift_decimal(self.0, 2)
    }
}

impl fmt::Display for ExactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        let magnitude = value.abs();
        if !value.is_finite() || value == 0.0 || (1e-5..1e16).contains(&magnitude) {
            write!(f, "{value}")
        } else {
            write!(f, "{value:e}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExactValue;

    #[test]
    fn every_printed_value_reads_back_exactly_and_stays_short() {
        let mut values = vec![
            0.0,
            -0.0,
            1e-5,
            9.999_999_999_999_999e-6,
            1e16,
            9_999_999_999_999_998.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            0.1 + 0.2,
            -123_456.789,
        ];
        // Powers of ten and their neighbours across the whole range.
        for exponent in -320..=308 {
            let power = 10f64.powi(exponent);
            values.extend([power, power.next_up(), power.next_down(), -power]);
        }
        for value in values {
            let text = ExactValue(value).to_string();
            assert_eq!(text.parse::<f64>(), Ok(value), "{text}");
            // 17 significant digits, a sign, a point, "e-" and three exponent digits; or a
            // positional number under 10^16 with up to 21 characters after "0.0000".
            assert!(text.len() <= 26, "{value:e} printed as {text}");
        }
        assert_eq!(ExactValue(1e-300).to_string(), "1e-300");
        assert_eq!(
            ExactValue(12_345_678_901_234_567.0).to_string(),
            "1.2345678901234568e16"
        );
    }
}
