//! Deployment success (the catalog's M9): is the error rate after a deploy significantly higher
//! than before it?

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::binomial::hypergeometric_tail_ge;
use crate::counts::EventCounts;
use crate::error::{Error, Result};

/// Which test produced the p-value.
///
/// # Example
/// ```
/// use sli_core::{deployment_regression, DeployTest, EventCounts};
/// let small = deployment_regression(EventCounts::from_bad(0.0, 30.0)?, EventCounts::from_bad(2.0, 30.0)?, 0.05)?;
/// assert_eq!(small.test, DeployTest::FisherExact);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeployTest {
    /// One-sided pooled two-proportion z-test, used when every expected cell count is at least 5.
    TwoProportionZ,
    /// One-sided Fisher exact test (hypergeometric tail), used when an expected cell count is
    /// below 5, however large the totals.
    FisherExact,
}

impl std::fmt::Display for DeployTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TwoProportionZ => "two-proportion z-test",
            Self::FisherExact => "Fisher's exact test",
        })
    }
}

/// The verdict on a deploy.
///
/// # Example
/// ```
/// use sli_core::{deployment_regression, EventCounts};
/// let v = deployment_regression(EventCounts::from_bad(10.0, 10_000.0)?, EventCounts::from_bad(10.0, 10_000.0)?, 0.05)?;
/// assert_eq!(v.difference, 0.0);
/// assert!(!v.regressed && v.p_value > 0.4);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeployVerdict {
    /// Error ratio before the deploy.
    pub before_error_ratio: f64,
    /// Error ratio after the deploy.
    pub after_error_ratio: f64,
    /// Effect size: `after - before` (absolute difference of error ratios).
    pub difference: f64,
    /// Effect size: `after / before`; infinite when there were no errors before (written
    /// `null` by serde_json, and read back from `null` or `"+Inf"`).
    #[serde(deserialize_with = "crate::infinite::or_infinity")]
    pub relative_risk: f64,
    /// One-sided p-value for "the error ratio rose".
    pub p_value: f64,
    /// The test used.
    pub test: DeployTest,
    /// `p_value < alpha`: the deploy regressed.
    pub regressed: bool,
}

/// Compares error counts before and after a deploy, one-sided ("did errors go up?").
///
/// Counts must be whole numbers. With enough data (every expected count at least 5) the pooled
/// two-proportion z-test is used; otherwise Fisher's exact test, whose hypergeometric tail is
/// computed from Loader's saddle-point expansion of each probability (never a difference of
/// log-factorials, which lost every digit past totals of about 10^14 and gave p-values above
/// 1), and costs a few dozen terms whatever the totals (the variance is below 5 there).
/// The p-value is always within [0, 1].
///
/// # Errors
/// [`Error::NonIntegerCount`] for fractional counts; [`Error::InvalidParameter`] for an `alpha`
/// outside (0, 1) or a side with no events.
///
/// # Example
/// ```
/// use sli_core::{deployment_regression, EventCounts};
///
/// let before = EventCounts::from_bad(50.0, 100_000.0)?; // 0.05 %
/// let after = EventCounts::from_bad(40.0, 20_000.0)?;   // 0.2 %
/// let verdict = deployment_regression(before, after, 0.01)?;
/// assert!(verdict.regressed);
/// assert!((verdict.relative_risk - 4.0).abs() < 1e-9);
///
/// let same = deployment_regression(before, EventCounts::from_bad(11.0, 20_000.0)?, 0.01)?;
/// assert!(!same.regressed);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn deployment_regression(
    before: EventCounts,
    after: EventCounts,
    alpha: f64,
) -> Result<DeployVerdict> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(Error::InvalidParameter {
            field: "alpha",
            value: alpha,
            reason: "must be strictly between 0 and 1",
        });
    }
    let whole = |field, v: f64| {
        if v.fract() == 0.0 {
            Ok(v as u64)
        } else {
            Err(Error::NonIntegerCount { field, value: v })
        }
    };
    let (bad_before, n_before) = (
        whole("before bad", before.bad())?,
        whole("before total", before.total())?,
    );
    let (bad_after, n_after) = (
        whole("after bad", after.bad())?,
        whole("after total", after.total())?,
    );
    for (field, n) in [("before total", n_before), ("after total", n_after)] {
        if n == 0 {
            return Err(Error::InvalidParameter {
                field,
                value: 0.0,
                reason: "needs at least one event",
            });
        }
    }
    let p_before = bad_before as f64 / n_before as f64;
    let p_after = bad_after as f64 / n_after as f64;
    let n = (n_before + n_after) as f64;
    let bad = (bad_before + bad_after) as f64;
    let pooled = bad / n;
    let expected = [
        pooled * n_before as f64,
        pooled * n_after as f64,
        (1.0 - pooled) * n_before as f64,
        (1.0 - pooled) * n_after as f64,
    ];
    let (p_value, test) = if expected.iter().all(|&e| e >= 5.0) {
        let se = (pooled * (1.0 - pooled) * (1.0 / n_before as f64 + 1.0 / n_after as f64)).sqrt();
        let z = (p_after - p_before) / se;
        (Normal::standard().sf(z), DeployTest::TwoProportionZ)
    } else {
        // P(X >= bad_after), X ~ Hypergeometric(population n, successes bad, draws n_after).
        let p = hypergeometric_tail_ge(bad_after as f64, n, bad, n_after as f64);
        (p, DeployTest::FisherExact)
    };
    Ok(DeployVerdict {
        before_error_ratio: p_before,
        after_error_ratio: p_after,
        difference: p_after - p_before,
        relative_risk: if p_before > 0.0 {
            p_after / p_before
        } else if p_after > 0.0 {
            f64::INFINITY
        } else {
            1.0
        },
        p_value,
        test,
        regressed: p_value < alpha,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fisher_on_small_counts() {
        // Before 0 of 20, after 5 of 20: Fisher one-sided p = C(20,5)/C(40,5) = 0.023589...
        let v = deployment_regression(
            EventCounts::from_bad(0.0, 20.0).unwrap(),
            EventCounts::from_bad(5.0, 20.0).unwrap(),
            0.05,
        )
        .unwrap();
        assert_eq!(v.test, DeployTest::FisherExact);
        assert!((v.p_value - 15504.0 / 658008.0).abs() < 1e-9, "{v:?}");
        assert!(v.regressed);
        assert!(v.relative_risk.is_infinite());
    }

    #[test]
    fn z_test_matches_hand_computation() {
        let v = deployment_regression(
            EventCounts::from_bad(100.0, 10_000.0).unwrap(),
            EventCounts::from_bad(130.0, 10_000.0).unwrap(),
            0.05,
        )
        .unwrap();
        assert_eq!(v.test, DeployTest::TwoProportionZ);
        // pooled = 0.0115, se = sqrt(0.0115 * 0.9885 * 2e-4) = 0.0015078; z = 1.98963.
        let z = 0.003 / (0.0115f64 * 0.9885 * 2e-4).sqrt();
        assert!((v.p_value - (1.0 - Normal::standard().cdf(z))).abs() < 1e-12);
        assert!(v.p_value > 0.0);
        assert!((v.p_value - 0.02331).abs() < 1e-4, "{v:?}");
    }

    #[test]
    fn rejects_bad_input() {
        let c = EventCounts::from_bad(1.0, 10.0).unwrap();
        assert!(deployment_regression(c, c, 0.0).is_err());
        assert!(deployment_regression(EventCounts::ZERO, c, 0.05).is_err());
        assert!(deployment_regression(EventCounts::new(0.5, 1.0).unwrap(), c, 0.05).is_err());
    }

    #[test]
    fn identical_huge_counts_do_not_regress() {
        // Found by the hostile-input probe: at totals near 10^14 the Fisher branch (few bad
        // events) returned p-values above 1, and "regressed" for identical counts.
        for total in [1e14, 1e15, crate::MAX_COUNT / 2.0, crate::MAX_COUNT] {
            for bad in [0.0, 1.0, 2.0, 4.0] {
                let c = EventCounts::from_bad(bad, total).unwrap();
                let v = deployment_regression(c, c, 0.05).unwrap();
                assert_eq!(v.test, DeployTest::FisherExact);
                assert!((0.0..=1.0).contains(&v.p_value), "{total} {bad}: {v:?}");
                assert!(!v.regressed, "{total} {bad}: {v:?}");
            }
        }
        // 3 of 10^14 before, 3 of 10^14 after: P(X >= 3) of Hypergeometric(2e14, 6, 1e14) is
        // 21/32 + 2.3e-15 (exactly, 0.65625000000000234375: mpmath at 60 digits).
        let c = EventCounts::from_bad(3.0, 1e14).unwrap();
        let v = deployment_regression(c, c, 0.05).unwrap();
        assert!((v.p_value - 0.656_25).abs() < 1e-12, "{v:?}");
    }

    #[test]
    fn p_values_stay_probabilities_over_the_whole_range() {
        // Oracle: a probability; rising errors after never give a larger p-value than the same
        // errors before (monotone in bad_after); and swapping before and after of a regression
        // does not regress.
        let totals = [1.0, 7.0, 1e3, 1e9, 1e14, crate::MAX_COUNT];
        for &nb in &totals {
            for &na in &totals {
                let mut previous = 1.0f64;
                for bad_after in [0.0, 1.0, 2.0, 5.0, 50.0, 1e6] {
                    if bad_after > na {
                        continue;
                    }
                    let before = EventCounts::from_bad((2.0f64).min(nb), nb).unwrap();
                    let after = EventCounts::from_bad(bad_after, na).unwrap();
                    let v = deployment_regression(before, after, 0.05).unwrap();
                    assert!(
                        (0.0..=1.0).contains(&v.p_value),
                        "{nb} {na} {bad_after}: {v:?}"
                    );
                    if v.test == DeployTest::FisherExact {
                        assert!(
                            v.p_value <= previous + 1e-12,
                            "{nb} {na} {bad_after}: {v:?}"
                        );
                        previous = v.p_value;
                    }
                }
            }
        }
    }
}
