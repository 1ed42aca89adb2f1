//! The crate's error type.

/// Everything that can go wrong in `failure-modes`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value outside its domain.
    #[error("{field} = {value} is invalid: {reason}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why.
        reason: &'static str,
    },
    /// A NaN or infinite input value, with its position in the stream.
    #[error("value {value} at point {index} is not finite")]
    InvalidValue {
        /// The value.
        value: f64,
        /// Its zero-based position in the stream.
        index: u64,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `value` if finite, else [`Error::InvalidValue`] at stream position `index`.
pub(crate) fn finite(value: f64, index: u64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::InvalidValue { value, index })
    }
}

pub(crate) fn positive(field: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::InvalidConfig {
            field,
            value,
            reason: "must be positive and finite",
        })
    }
}
