//! Numbers whose one value beyond the finite ones is +∞ (a histogram's last bucket bound, a
//! relative risk after a window without errors, a budget spent where none was allowed), read
//! back through serde. JSON has no infinity: serde_json writes one as `null`, and a derived
//! `f64` field refuses `null`, so such a value did not read back.

use serde::Deserializer;
use serde::de::{self, Visitor};

/// Reads a number, or +∞ from `null` (serde_json's spelling of it) or from `"+Inf"`
/// (Prometheus' spelling, as in `le="+Inf"`). Any other text is refused. A binary format
/// (bincode, postcard: not human-readable, and unable to say what comes next) writes +∞ as
/// it is and is read as a plain `f64`.
pub(crate) fn or_infinity<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    if d.is_human_readable() {
        d.deserialize_any(OrInfinity)
    } else {
        <f64 as serde::Deserialize>::deserialize(d)
    }
}

struct OrInfinity;

impl Visitor<'_> for OrInfinity {
    type Value = f64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, or null or \"+Inf\" for +infinity")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    #[allow(clippy::cast_precision_loss)] // as serde's own f64 reads an integer
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    #[allow(clippy::cast_precision_loss)] // as serde's own f64 reads an integer
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
        Ok(f64::INFINITY)
    }

    fn visit_none<E: de::Error>(self) -> Result<f64, E> {
        Ok(f64::INFINITY)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "+Inf" => Ok(f64::INFINITY),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}
