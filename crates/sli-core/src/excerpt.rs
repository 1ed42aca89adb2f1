//! Rejected text in an error message, quoted and cut to a readable length.

use std::fmt;

/// How many characters of a rejected text an error message quotes.
pub const EXCERPT_CHARS: usize = 64;

/// Text quoted as `Debug` quotes it (escapes included), cut after [`EXCERPT_CHARS`]
/// characters with the text's whole length in bytes: an error keeps the value it refused, but
/// its message stays one short line however long the input was (a 10 MiB name made a 10 MiB
/// message).
///
/// # Example
/// ```
/// use sli_core::Excerpt;
///
/// assert_eq!(Excerpt("5y").to_string(), "\"5y\"");
/// let long = "x".repeat(1000);
/// assert_eq!(Excerpt(&long).to_string(), format!("\"{}\"… (1000 bytes)", "x".repeat(64)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Excerpt<'a>(pub &'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(EXCERPT_CHARS) {
            None => write!(f, "{:?}", self.0),
            Some((cut, _)) => write!(f, "{:?}… ({} bytes)", &self.0[..cut], self.0.len()),
        }
    }
}
