//! Is a breach statistically real? Confidence intervals on an error ratio (Wilson score and
//! exact Clopper–Pearson) and a one-sided exact binomial test against the objective.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::binomial::{binomial_tail_ge, binomial_tail_le, solve_increasing};
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
#[non_exhaustive]
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
    // From the lower tail: `1 - (1 - c) / 2` rounds to 1 for c within an ulp or two of 1,
    // and z came out infinite (the interval [0, 1]).
    let z = -standard_normal().inverse_cdf((1.0 - confidence) / 2.0);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Ok(Some(RatioInterval {
        lower: (centre - half).max(0.0),
        upper: (centre + half).min(1.0),
        confidence,
    }))
}

/// The exact (Clopper–Pearson) interval on the error ratio; `None` without events.
/// Conservative: its coverage is at least `confidence`.
///
/// The lower bound is the ratio at which seeing at least `bad` bad events has probability
/// `(1 - confidence) / 2`, the upper the ratio at which seeing at most `bad` has it. Each is
/// found by bisection over the doubles in [0, 1] (64 evaluations at most, to one double), each
/// evaluation a binomial tail: summed exactly while that takes at most 40,000 terms (a
/// standard deviation of `bad` up to about 4,400, or fewer than 40,000 bad or good events),
/// from the Lugannani–Rice saddle-point approximation past that (relative error below
/// 10^-9). So any counts up to [`MAX_COUNT`](crate::MAX_COUNT) take at most a few milliseconds;
/// `statrs`' Beta quantiles, used before, did not return for 3 bad events of 10^7.
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
    let half_alpha = (1.0 - confidence) / 2.0;
    let (bad, n) = (bad as f64, n as f64);
    // P(X >= bad) rises with the ratio, P(X <= bad) falls.
    let lower = if bad == 0.0 {
        0.0
    } else {
        solve_increasing(half_alpha, |p| binomial_tail_ge(bad, n, p))
    };
    let upper = if bad == n {
        1.0
    } else {
        solve_increasing(-half_alpha, |p| -binomial_tail_le(bad, n, p))
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
// Closed: a one-sided test either shows the breach, shows compliance, or cannot tell.
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
#[non_exhaustive]
pub struct BreachTest {
    /// Observed `bad / total`.
    pub error_ratio: f64,
    /// The error budget ratio `1 - target`.
    pub budget: f64,
    /// Wilson interval on the error ratio.
    pub interval: RatioInterval,
    /// One-sided binomial p-value of seeing at least this many bad events if the true error
    /// ratio were exactly the budget, always within [0, 1]; `None` for fractional counts.
    /// Exact while the tail sums at most 40,000 terms, the saddle-point approximation past
    /// that (see [`clopper_pearson_interval`]).
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
        (Ok(bad), Ok(n)) => Some(binomial_tail_ge(bad as f64, n as f64, budget)),
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

fn standard_normal() -> Normal {
    // Mean 0 and standard deviation 1 are always valid parameters.
    Normal::standard()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::Just;
    use proptest::strategy::Strategy;

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

    /// At a confidence a few ulps below 1 the interval is still an interval, not [0, 1], and
    /// inside the exact one's neighbourhood.
    #[test]
    fn wilson_at_a_confidence_next_to_one() {
        let counts = EventCounts::from_bad(3.0, 1000.0).unwrap();
        for confidence in [1.0 - f64::EPSILON, 1.0 - f64::EPSILON / 2.0, 1.0 - 1e-12] {
            let ci = wilson_interval(counts, confidence).unwrap().unwrap();
            assert!(ci.lower > 0.0 && ci.upper < 0.1, "{confidence}: {ci:?}");
            assert!(
                ci.lower.is_finite() && ci.upper.is_finite(),
                "{confidence}: {ci:?}"
            );
        }
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
        let p = binomial_tail_ge(1.0, 10.0, 0.5);
        assert!((p - (1.0 - 0.5f64.powi(10))).abs() < 1e-12);
    }

    /// Clopper–Pearson bounds from mpmath at 40 digits: each bound found by bisection on the
    /// binomial tail summed term by term from log-gamma probabilities (60 digits).
    #[allow(clippy::excessive_precision)] // the references' digits, as computed
    const CLOPPER_PEARSON_REFERENCES: [(f64, f64, f64, f64, f64); 6] = [
        (
            3.0,
            1e3,
            0.95,
            0.000_619_099_931_649_571_48,
            0.008_742_023_238_478_302_3,
        ),
        (
            3.0,
            1e7,
            0.95,
            6.186_721_656_250_591_4e-8,
            8.767_270_541_579_749_6e-7,
        ),
        (
            30.0,
            1e7,
            0.95,
            2.024_088_288_604_869_4e-6,
            4.282_683_792_807_799_4e-6,
        ),
        (0.0, 1e9, 0.95, 0.0, 3.688_879_447_310_019_6e-9),
        (0.0, 100.0, 0.95, 0.0, 0.036_216_692_645_176_41),
        (
            997.0,
            1e3,
            0.99,
            0.989_066_222_579_594_76,
            0.999_661_855_470_933_51,
        ),
    ];

    #[test]
    fn clopper_pearson_returns_for_ordinary_traffic_and_matches_references() {
        // Found by the hostile-input probe: 3 of 10^7, 30 of 10^7 and 0 of 10^9 did not return
        // in 600 s (statrs' Beta quantiles).
        for (bad, total, confidence, lower, upper) in CLOPPER_PEARSON_REFERENCES {
            let ci =
                clopper_pearson_interval(EventCounts::from_bad(bad, total).unwrap(), confidence)
                    .unwrap()
                    .unwrap();
            let close = |got: f64, want: f64| {
                if want == 0.0 {
                    got == 0.0
                } else {
                    ((got - want) / want).abs() < 1e-9
                }
            };
            assert!(
                close(ci.lower, lower),
                "{bad} of {total}: {ci:?}, lower {lower}"
            );
            assert!(
                close(ci.upper, upper),
                "{bad} of {total}: {ci:?}, upper {upper}"
            );
        }
    }

    /// `P(X >= k)` by direct summation of probabilities from `statrs`' log-gamma: independent
    /// of the crate's tail code, and accurate for small n (the oracle of the properties below).
    fn naive_tail_ge(k: u64, n: u64, p: f64) -> f64 {
        use statrs::function::gamma::ln_gamma;
        let ln_choose = |j: u64| {
            ln_gamma(n as f64 + 1.0) - ln_gamma(j as f64 + 1.0) - ln_gamma((n - j) as f64 + 1.0)
        };
        (k..=n)
            .map(|j| (ln_choose(j) + j as f64 * p.ln() + (n - j) as f64 * (-p).ln_1p()).exp())
            .sum()
    }

    proptest::proptest! {
        /// Over the whole valid range: the interval holds the observed ratio, stays in [0, 1],
        /// and widens with the confidence level.
        #[test]
        fn clopper_pearson_is_a_nested_interval_around_the_ratio(
            total in proptest::prop_oneof![1.0f64..100.0, 1.0f64..1e6, 1.0f64..=crate::MAX_COUNT]
                .prop_map(f64::floor),
            share in 0.0f64..=1.0,
            rare in proptest::prop_oneof![Just(false), Just(true)],
            confidence in 0.5f64..0.999_999,
        ) {
            // Rare errors as often as not: the regime of SLOs.
            let bad = if rare { (share * 50.0).floor().min(total) } else { (share * total).floor() };
            let counts = EventCounts::from_bad(bad, total).unwrap();
            let ci = clopper_pearson_interval(counts, confidence).unwrap().unwrap();
            let ratio = bad / total;
            proptest::prop_assert!(0.0 <= ci.lower && ci.lower <= ratio, "{ci:?} for {bad}/{total}");
            proptest::prop_assert!(ratio <= ci.upper && ci.upper <= 1.0, "{ci:?} for {bad}/{total}");
            let wider = clopper_pearson_interval(counts, (1.0 + confidence) / 2.0).unwrap().unwrap();
            proptest::prop_assert!(wider.lower <= ci.lower && ci.upper <= wider.upper, "{ci:?} {wider:?}");
            let p = breach_test(counts, Objective::new(0.999).unwrap(), confidence).unwrap().unwrap();
            proptest::prop_assert!(p.p_value.is_some_and(|p| (0.0..=1.0).contains(&p)), "{p:?}");
        }

        /// Oracle for small totals: the bounds solve their defining equations, checked with an
        /// independent summation of the binomial probabilities.
        #[test]
        fn clopper_pearson_bounds_solve_their_equations(
            total in 1u64..600,
            share in 0.0f64..=1.0,
            confidence in 0.5f64..0.9999,
        ) {
            let bad = (share * total as f64).floor() as u64;
            let ci = clopper_pearson_interval(EventCounts::from_bad(bad as f64, total as f64).unwrap(), confidence)
                .unwrap()
                .unwrap();
            let half_alpha = (1.0 - confidence) / 2.0;
            if bad > 0 {
                let at = naive_tail_ge(bad, total, ci.lower);
                proptest::prop_assert!(((at - half_alpha) / half_alpha).abs() < 1e-8, "lower {ci:?}: {at}");
            }
            if bad < total {
                let at = 1.0 - naive_tail_ge(bad + 1, total, ci.upper);
                proptest::prop_assert!(((at - half_alpha) / half_alpha).abs() < 1e-8, "upper {ci:?}: {at}");
            }
        }

        /// Oracle for large counts: the exact interval and Wilson's differ by the continuity
        /// correction and the skew, both O(1/n): within 4 (z^2 + 1) / n of each other.
        #[test]
        fn clopper_pearson_approaches_wilson_for_large_counts(
            total in 1e8f64..=crate::MAX_COUNT,
            share in 0.001f64..0.999,
        ) {
            let total = total.floor();
            let bad = (share * total).floor();
            let counts = EventCounts::from_bad(bad, total).unwrap();
            let cp = clopper_pearson_interval(counts, 0.95).unwrap().unwrap();
            let wilson = wilson_interval(counts, 0.95).unwrap().unwrap();
            let slack = 4.0 * (1.96f64.powi(2) + 1.0) / total;
            proptest::prop_assert!((cp.lower - wilson.lower).abs() < slack, "{cp:?} {wilson:?}");
            proptest::prop_assert!((cp.upper - wilson.upper).abs() < slack, "{cp:?} {wilson:?}");
        }
    }
}
