//! Is a breach statistically real? Confidence intervals on an error ratio (Wilson score and
//! exact Clopper–Pearson) and a one-sided exact binomial test against the objective.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, Binomial, ContinuousCDF, DiscreteCDF, Normal};

use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::objective::Objective;

/// A two-sided confidence interval on an error ratio.
///
/// # Example
/// ```
/// use sli_core::{wilson_interval, EventCounts};
/// let ci = wilson_interval(EventCounts::from_bad(0.0, 500.0)?, 0.95)?.unwrap();
/// assert_eq!(ci.lower, 0.0); // no errors seen, yet the true ratio may be above zero
/// assert!(ci.upper > 0.007 && ci.confidence == 0.95);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatioInterval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Confidence level, e.g. `0.95`.
    pub confidence: f64,
}

fn check_confidence(confidence: f64) -> Result<()> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            field: "confidence",
            value: confidence,
            reason: "must be strictly between 0 and 1",
        })
    }
}

fn whole(field: &'static str, value: f64) -> Result<u64> {
    if value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(Error::NonIntegerCount { field, value })
    }
}

/// The Wilson score interval on the error ratio `bad / total`; `None` without events.
/// Works with fractional counts and stays inside [0, 1] even with zero errors.
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 < confidence < 1`.
///
/// # Example
/// ```
/// use sli_core::{wilson_interval, EventCounts};
///
/// let ci = wilson_interval(EventCounts::from_bad(3.0, 1000.0)?, 0.95)?.unwrap();
/// assert!(ci.lower > 0.0009 && ci.lower < 0.0011);
/// assert!(ci.upper > 0.0087 && ci.upper < 0.0089);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn wilson_interval(counts: EventCounts, confidence: f64) -> Result<Option<RatioInterval>> {
    check_confidence(confidence)?;
    let Some(p) = counts.error_ratio() else {
        return Ok(None);
    };
    let n = counts.total();
    let z = standard_normal().inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Ok(Some(RatioInterval {
        lower: (centre - half).max(0.0),
        upper: (centre + half).min(1.0),
        confidence,
    }))
}

/// The exact (Clopper–Pearson) interval on the error ratio, from Beta quantiles; `None`
/// without events. Conservative: its coverage is at least `confidence`.
///
/// # Errors
/// [`Error::NonIntegerCount`] for fractional counts; [`Error::InvalidParameter`] for a bad
/// confidence level.
///
/// # Example
/// ```
/// use sli_core::{clopper_pearson_interval, EventCounts};
/// let ci = clopper_pearson_interval(EventCounts::from_bad(3.0, 1000.0)?, 0.95)?.unwrap();
/// assert!(ci.lower < 0.003 && 0.003 < ci.upper);
/// assert!(clopper_pearson_interval(EventCounts::new(0.5, 1.0)?, 0.95).is_err()); // not whole
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn clopper_pearson_interval(
    counts: EventCounts,
    confidence: f64,
) -> Result<Option<RatioInterval>> {
    check_confidence(confidence)?;
    let bad = whole("bad", counts.bad())?;
    let n = whole("total", counts.total())?;
    if n == 0 {
        return Ok(None);
    }
    let alpha = 1.0 - confidence;
    let quantile = |a: f64, b: f64, q: f64| Beta::new(a, b).map(|d| d.inverse_cdf(q)).ok();
    let lower = if bad == 0 {
        0.0
    } else {
        quantile(bad as f64, (n - bad + 1) as f64, alpha / 2.0).unwrap_or(0.0)
    };
    let upper = if bad == n {
        1.0
    } else {
        quantile((bad + 1) as f64, (n - bad) as f64, 1.0 - alpha / 2.0).unwrap_or(1.0)
    };
    Ok(Some(RatioInterval {
        lower,
        upper,
        confidence,
    }))
}

/// Whether an observed error ratio is above the budget beyond chance.
///
/// # Example
/// ```
/// use sli_core::{breach_test, BreachVerdict, EventCounts, Objective};
/// let t = breach_test(EventCounts::from_bad(1.0, 100_000.0)?, Objective::new(0.999)?, 0.95)?.unwrap();
/// assert_eq!(t.verdict, BreachVerdict::WithinObjective);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachVerdict {
    /// The whole interval is above the budget: the breach is real.
    Breach,
    /// The whole interval is within the budget.
    WithinObjective,
    /// The interval straddles the budget: too little data to tell.
    Inconclusive,
}

impl std::fmt::Display for BreachVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Breach => "breach",
            Self::WithinObjective => "within the objective",
            Self::Inconclusive => "inconclusive",
        })
    }
}

/// The answer to "is this breach statistically real?".
///
/// # Example
/// ```
/// use sli_core::{breach_test, EventCounts, Objective};
/// let t = breach_test(EventCounts::from_bad(25.0, 10_000.0)?, Objective::new(0.999)?, 0.99)?.unwrap();
/// assert_eq!(t.error_ratio, 0.0025);
/// assert!(t.p_value.unwrap() < 0.01 && t.interval.lower > t.budget);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BreachTest {
    /// Observed `bad / total`.
    pub error_ratio: f64,
    /// The error budget ratio `1 - target`.
    pub budget: f64,
    /// Wilson interval on the error ratio.
    pub interval: RatioInterval,
    /// One-sided exact binomial p-value of seeing at least this many bad events if the true
    /// error ratio were exactly the budget; `None` for fractional counts.
    pub p_value: Option<f64>,
    /// The verdict from the interval.
    pub verdict: BreachVerdict,
}

/// Tests whether `counts` breach `objective` beyond chance at `confidence`; `None` without
/// events.
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 < confidence < 1`.
///
/// # Example
/// ```
/// use sli_core::{breach_test, BreachVerdict, EventCounts, Objective};
///
/// let slo = Objective::new(0.999)?;
/// // 2 failures out of 1,000 is twice the budget, but could be chance.
/// let few = breach_test(EventCounts::from_bad(2.0, 1000.0)?, slo, 0.95)?.unwrap();
/// assert_eq!(few.verdict, BreachVerdict::Inconclusive);
/// // 200 out of 100,000 is not.
/// let many = breach_test(EventCounts::from_bad(200.0, 100_000.0)?, slo, 0.95)?.unwrap();
/// assert_eq!(many.verdict, BreachVerdict::Breach);
/// assert!(many.p_value.unwrap() < 1e-6);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn breach_test(
    counts: EventCounts,
    objective: Objective,
    confidence: f64,
) -> Result<Option<BreachTest>> {
    let Some(interval) = wilson_interval(counts, confidence)? else {
        return Ok(None);
    };
    let budget = objective.error_budget();
    let verdict = if interval.lower > budget {
        BreachVerdict::Breach
    } else if interval.upper < budget {
        BreachVerdict::WithinObjective
    } else {
        BreachVerdict::Inconclusive
    };
    let p_value = match (whole("bad", counts.bad()), whole("total", counts.total())) {
        (Ok(bad), Ok(n)) => binomial_upper_tail(bad, n, budget),
        _ => None,
    };
    Ok(Some(BreachTest {
        error_ratio: counts.error_ratio().unwrap_or(0.0),
        budget,
        interval,
        p_value,
        verdict,
    }))
}

/// `P(X >= k)` for `X ~ Binomial(n, p)`.
pub(crate) fn binomial_upper_tail(k: u64, n: u64, p: f64) -> Option<f64> {
    if k == 0 {
        return Some(1.0);
    }
    Binomial::new(p, n).ok().map(|d| d.sf(k - 1))
}

fn standard_normal() -> Normal {
    // Mean 0 and standard deviation 1 are always valid parameters.
    Normal::standard()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_reference_values() {
        // 3 of 1000 at 95 %: Wilson interval [0.001021, 0.008783] (e.g. R's prop.test without
        // continuity correction, or statsmodels proportion_confint(method="wilson")).
        let ci = wilson_interval(EventCounts::from_bad(3.0, 1000.0).unwrap(), 0.95)
            .unwrap()
            .unwrap();
        assert!((ci.lower - 0.001021).abs() < 1e-6, "{ci:?}");
        assert!((ci.upper - 0.008783).abs() < 1e-6, "{ci:?}");
    }

    #[test]
    fn clopper_pearson_reference_values() {
        // 3 of 1000 at 95 %: exact interval [0.000619, 0.008742] (R's binom.test).
        let ci = clopper_pearson_interval(EventCounts::from_bad(3.0, 1000.0).unwrap(), 0.95)
            .unwrap()
            .unwrap();
        assert!((ci.lower - 0.000619).abs() < 1e-6, "{ci:?}");
        assert!((ci.upper - 0.008742).abs() < 1e-6, "{ci:?}");
        let zero = clopper_pearson_interval(EventCounts::from_bad(0.0, 100.0).unwrap(), 0.95)
            .unwrap()
            .unwrap();
        assert_eq!(zero.lower, 0.0);
        // Rule of three: about 3/n.
        assert!((zero.upper - 0.036217).abs() < 1e-5, "{zero:?}");
    }

    #[test]
    fn bad_inputs() {
        let c = EventCounts::from_bad(1.0, 10.0).unwrap();
        assert!(wilson_interval(c, 1.0).is_err());
        assert!(wilson_interval(c, f64::NAN).is_err());
        assert!(matches!(
            clopper_pearson_interval(EventCounts::new(0.5, 1.0).unwrap(), 0.9),
            Err(Error::NonIntegerCount { .. })
        ));
        assert_eq!(wilson_interval(EventCounts::ZERO, 0.9).unwrap(), None);
    }

    #[test]
    fn binomial_tail() {
        // P(X >= 1) for Binomial(10, 0.5) = 1 - 0.5^10.
        let p = binomial_upper_tail(1, 10, 0.5).unwrap();
        assert!((p - (1.0 - 0.5f64.powi(10))).abs() < 1e-12);
    }
}
