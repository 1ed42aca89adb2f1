//! [`Composite`]: one objective over several SLOs, each weighted (OpenSLO's composite SLOs, an
//! SLO whose objectives each have their own indicator and a `compositeWeight`).
//!
//! The composite's attainment is the weighted mean of its components' attainments, and its
//! target the weighted mean of their targets:
//!
//! ```text
//! A = Σ wᵢ·aᵢ / Σ wᵢ        T = Σ wᵢ·tᵢ / Σ wᵢ
//! ```
//!
//! Its error budget is `1 − T`, of which `1 − A` is spent: the composite meets its objective
//! when `A ≥ T`, and the share of its budget spent, `(1 − A) / (1 − T)`, is also its average
//! burn rate. Equivalently the spent share is the mean of the components' spent shares weighted
//! by `wᵢ·(1 − tᵢ)`, so a component with a tight target weighs by what its errors cost. A
//! component without data in the window takes no part (the weights of the others are
//! renormalised); without any, the composite has no value. This is the weighted-average
//! composite of the OpenSLO v1 specification's `compositeWeight` (default 1) and of the
//! composite SLOs of Nobl9 and Elastic.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::budgeting::Attainment;
use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::series::Series;
use crate::slo::{Slo, SloReport};

/// A composite of weighted SLOs.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{Composite, Objective, Series, Sli, Slo, Span, Window};
///
/// let window = Window::rolling(Span::from_days(28)?);
/// let slo = |name: &str, target| Slo::new(name, Objective::new(target).unwrap(), window, Sli::EventRatio);
/// let composite = Composite::new(vec![(slo("api", 0.999), 2.0), (slo("search", 0.99), 1.0)])?;
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let api = Series::from_counts([(t, 999_500.0, 1_000_000.0)])?;   // 0.9995
/// let search = Series::from_counts([(t, 9_800.0, 10_000.0)])?;     // 0.98
/// let report = composite.report(&[&api, &search], t + chrono::TimeDelta::hours(1))?;
/// // A = (2 × 0.9995 + 0.98) / 3, T = (2 × 0.999 + 0.99) / 3.
/// assert!((report.attainment.unwrap() - 2.979 / 3.0).abs() < 1e-12);
/// assert!((report.target - 2.988 / 3.0).abs() < 1e-12);
/// assert_eq!(report.met, Some(false));
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawComposite", into = "RawComposite")]
pub struct Composite {
    components: Vec<(Slo, f64)>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComposite {
    components: Vec<(Slo, f64)>,
}

impl TryFrom<RawComposite> for Composite {
    type Error = Error;
    fn try_from(raw: RawComposite) -> Result<Self> {
        Self::new(raw.components)
    }
}

impl From<Composite> for RawComposite {
    fn from(c: Composite) -> Self {
        Self {
            components: c.components,
        }
    }
}

/// A composite's state over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompositeReport {
    /// The weighted mean of the attainments of the components with data; `None` without any.
    pub attainment: Option<f64>,
    /// The weighted mean of the targets of the components with data (of all components when
    /// none has data).
    pub target: f64,
    /// `(1 − attainment) / (1 − target)`: the share of the composite's error budget spent,
    /// which is also its average burn rate; `None` without data. Computed as
    /// `Σ wᵢ·eᵢ / Σ wᵢ·(1 − tᵢ)` from the error ratios `eᵢ`, which keeps their digits.
    pub budget_consumed: Option<f64>,
    /// Whether the attainment reaches the target; `None` without data.
    pub met: Option<bool>,
    /// Each component's report, in order, with its weight.
    pub components: Vec<(SloReport, f64)>,
}

impl Composite {
    /// A composite of `(slo, weight)` pairs.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for no component or a weight that is not finite and
    /// positive; an SLO's own [`Slo::validate`] errors.
    pub fn new(components: Vec<(Slo, f64)>) -> Result<Self> {
        if components.is_empty() {
            return Err(Error::InvalidParameter {
                field: "components",
                value: 0.0,
                reason: "a composite needs at least one component",
            });
        }
        for (slo, weight) in &components {
            if !(weight.is_finite() && *weight > 0.0) {
                return Err(Error::InvalidParameter {
                    field: "weight",
                    value: *weight,
                    reason: "a composite weight must be finite and positive",
                });
            }
            slo.validate()?;
        }
        Ok(Self { components })
    }

    /// The components and their weights.
    pub fn components(&self) -> &[(Slo, f64)] {
        &self.components
    }

    /// The composite over the window that holds `at`, from one series per component (in the
    /// order of the components).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the number of series is not the number of components;
    /// any error of [`Slo::report`].
    pub fn report(
        &self,
        series: &[&Series<EventCounts>],
        at: DateTime<Utc>,
    ) -> Result<CompositeReport> {
        if series.len() != self.components.len() {
            return Err(Error::InvalidParameter {
                field: "series",
                value: series.len() as f64,
                reason: "one series per component is needed",
            });
        }
        let reports = self
            .components
            .iter()
            .zip(series)
            .map(|((slo, _), s)| slo.report(s, at))
            .collect::<Result<Vec<_>>>()?;
        let has_data =
            |report: &SloReport| report.met.is_some() && report.attainment.ratio().is_some();
        // Weights over a power of two near the largest of the components with data: each valid
        // weight is finite, but two of 1e308 summed past f64::MAX (the attainment came out
        // NaN), and subnormal ones lost their digits. Dividing by a power of two is exact, so
        // wherever the weights as given sum to a finite normal number the report is theirs to
        // the last bit. The largest of those with data, not of all: a weight of 1e-300 over
        // one near 1e300 without data was 0, and the report said there was no data.
        let scale_of = |largest: f64| {
            if largest >= f64::MIN_POSITIVE {
                f64::from_bits(largest.to_bits() & 0x7ff0_0000_0000_0000)
            } else {
                f64::from_bits(1) // 2^-1074: a subnormal weight over it is its integer mantissa
            }
        };
        let largest_of = |with_data: bool| {
            self.components
                .iter()
                .zip(&reports)
                .filter(|(_, r)| !with_data || has_data(r))
                .map(|((_, w), _)| *w)
                .fold(0.0, f64::max)
        };
        let (scale, all) = (scale_of(largest_of(true)), scale_of(largest_of(false)));
        let relative = |w: f64| w / scale;
        let mut components = Vec::with_capacity(series.len());
        let (mut weights, mut attained, mut targeted) = (0.0, 0.0, 0.0);
        // Σ wᵢ·(bad share)ᵢ and Σ wᵢ·(1 − tᵢ): the spent share is their ratio, summed from the
        // error ratios because `1 − A` would cancel the digits of a small one.
        let (mut spent, mut allowed) = (0.0, 0.0);
        for ((slo, weight), report) in self.components.iter().zip(reports) {
            if has_data(&report) {
                let a = report.attainment.ratio().unwrap_or_default();
                let w = relative(*weight);
                weights += w;
                attained += w * a;
                targeted += w * slo.objective.target();
                let Attainment { good, total, .. } = report.attainment;
                spent += w * ((total - good) / total);
                allowed += w * slo.objective.error_budget();
            }
            components.push((report, *weight));
        }
        if weights == 0.0 {
            let total: f64 = self.components.iter().map(|(_, w)| w / all).sum();
            let target = self
                .components
                .iter()
                .map(|(s, w)| w / all * s.objective.target())
                .sum::<f64>()
                / total;
            return Ok(CompositeReport {
                attainment: None,
                target,
                budget_consumed: None,
                met: None,
                components,
            });
        }
        let attainment = attained / weights;
        let target = targeted / weights;
        Ok(CompositeReport {
            attainment: Some(attainment),
            target,
            budget_consumed: Some(spent / allowed),
            met: Some(attainment >= target),
            components,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Objective, Sli, Span, Window};
    use chrono::TimeZone;

    fn slo(name: &str, target: f64) -> Slo {
        Slo::new(
            name,
            Objective::new(target).unwrap(),
            Window::rolling(Span::from_days(28).unwrap()),
            Sli::EventRatio,
        )
    }

    fn series(bad: f64, total: f64) -> Series<EventCounts> {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        Series::from_counts([(t, total - bad, total)]).unwrap()
    }

    /// Two weights of 1e308 are each valid, but their sum is not finite: the report used to
    /// be NaN (attainment, target, budget) and "not met". Weights are now scaled by a power of
    /// two, so any common scale gives the report of equal weights, and ordinary weights the
    /// very same bits as before.
    #[test]
    fn weights_at_the_ends_of_f64_weigh_as_their_ratio() {
        let at = Utc.with_ymd_and_hms(2024, 5, 2, 0, 0, 0).unwrap();
        let (a, b) = (series(1.0, 1000.0), series(8.0, 1000.0));
        let report = |wa: f64, wb: f64| {
            Composite::new(vec![(slo("a", 0.99), wa), (slo("b", 0.995), wb)])
                .unwrap()
                .report(&[&a, &b], at)
                .unwrap()
        };
        let equal = report(1.0, 1.0);
        assert!((equal.attainment.unwrap() - 0.9955).abs() < 1e-12);
        for w in [1e308, f64::MAX, 5e-324, 1e-310] {
            let r = report(w, w);
            let close = |x: Option<f64>, y: Option<f64>| (x.unwrap() - y.unwrap()).abs() < 1e-12;
            assert!(close(r.attainment, equal.attainment), "{w}: {r:?}");
            assert!((r.target - equal.target).abs() < 1e-12, "{w}: {r:?}");
            assert!(
                close(r.budget_consumed, equal.budget_consumed),
                "{w}: {r:?}"
            );
            assert_eq!(r.met, equal.met, "{w}");
        }
        // Ordinary weights: the sums as written, to the last bit.
        let r = report(2.0, 3.0);
        let attained = 2.0 * 0.999 + 3.0 * 0.992;
        let targeted = 2.0 * 0.99 + 3.0 * 0.995;
        assert_eq!(r.attainment, Some(attained / 5.0));
        assert_eq!(r.target, targeted / 5.0);
        // With no data at all, the target is the weighted one all the same.
        let empty = Series::from_counts([(at, 0.0, 0.0)]).unwrap();
        let none = Composite::new(vec![(slo("a", 0.99), 1e308), (slo("b", 0.995), 1e308)])
            .unwrap()
            .report(&[&empty, &empty], at)
            .unwrap();
        assert!((none.target - 0.9925).abs() < 1e-12, "{}", none.target);
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 1, 0, 0).unwrap()
    }

    /// Worked by hand. Components (target, weight, bad of total, attainment):
    /// availability 0.999 × 2, 500 of 1,000,000 → 0.9995; latency 0.99 × 1, 200 of 10,000 →
    /// 0.98; checkout 0.995 × 1, 50 of 20,000 → 0.9975. Σw = 4.
    /// A = (1.999 + 0.98 + 0.9975) / 4 = 3.9765 / 4 = 0.994125;
    /// T = (1.998 + 0.99 + 0.995) / 4 = 3.983 / 4 = 0.99575;
    /// budget 1 − T = 0.00425, spent 1 − A = 0.005875, share 1.38235294… : not met.
    #[test]
    fn golden_weighted_attainment_and_budget() {
        let composite = Composite::new(vec![
            (slo("availability", 0.999), 2.0),
            (slo("latency", 0.99), 1.0),
            (slo("checkout", 0.995), 1.0),
        ])
        .unwrap();
        let (a, l, c) = (series(500.0, 1e6), series(200.0, 1e4), series(50.0, 2e4));
        let r = composite.report(&[&a, &l, &c], at()).unwrap();
        assert!((r.attainment.unwrap() - 0.994_125).abs() < 1e-12);
        assert!((r.target - 0.995_75).abs() < 1e-12);
        assert!((r.budget_consumed.unwrap() - 0.005_875 / 0.004_25).abs() < 1e-9);
        assert_eq!(r.met, Some(false));
        // Latency at 50 bad of 10,000 (0.995): A = 3.9915 / 4 = 0.997875, met, with
        // (1 − 0.997875) / 0.00425 = 0.5 of the budget spent.
        let l = series(50.0, 1e4);
        let r = composite.report(&[&a, &l, &c], at()).unwrap();
        assert!((r.attainment.unwrap() - 0.997_875).abs() < 1e-12);
        assert!((r.budget_consumed.unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(r.met, Some(true));
        assert_eq!(r.components.len(), 3);
        assert_eq!(r.components[0].1, 2.0);
    }

    /// A component without data takes no part: the others' weights are renormalised.
    #[test]
    fn components_without_data_are_left_out() {
        let composite =
            Composite::new(vec![(slo("a", 0.999), 3.0), (slo("b", 0.99), 1.0)]).unwrap();
        // Data from two months before: none in the 28-day window.
        let old = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
        let empty = Series::from_counts([(old, 0.0, 10.0)]).unwrap();
        let b = series(100.0, 1e4);
        let r = composite.report(&[&empty, &b], at()).unwrap();
        assert!((r.attainment.unwrap() - 0.99).abs() < 1e-12);
        assert!((r.target - 0.99).abs() < 1e-12);
        assert_eq!(r.met, Some(true));
        let r = composite.report(&[&empty, &empty], at()).unwrap();
        assert_eq!((r.attainment, r.met), (None, None));
        assert!((r.target - (3.0 * 0.999 + 0.99) / 4.0).abs() < 1e-12);
    }

    /// The only component with data weighs 1e-300 beside one of 1e300 without: it is the
    /// report. Its weight was scaled by the larger one's and came out 0, and the report said
    /// there was no data.
    #[test]
    fn a_tiny_weight_with_data_beside_a_huge_one_without() {
        let composite = Composite::new(vec![
            (slo("big", 0.999), 1e300),
            (slo("tiny", 0.99), 1e-300),
        ])
        .unwrap();
        let old = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
        let empty = Series::from_counts([(old, 0.0, 10.0)]).unwrap();
        let tiny = series(200.0, 1e4);
        let r = composite.report(&[&empty, &tiny], at()).unwrap();
        assert!((r.attainment.unwrap() - 0.98).abs() < 1e-15, "{r:?}");
        assert!((r.target - 0.99).abs() < 1e-15, "{r:?}");
        assert_eq!(r.met, Some(false));
        let r = composite.report(&[&empty, &empty], at()).unwrap();
        assert_eq!((r.attainment, r.met, r.target), (None, None, 0.999));
    }

    #[test]
    fn invalid_composites() {
        assert!(Composite::new(Vec::new()).is_err());
        for w in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Composite::new(vec![(slo("a", 0.99), w)]).is_err(), "{w}");
        }
        let one = Composite::new(vec![(slo("a", 0.99), 1.0)]).unwrap();
        assert!(one.report(&[], at()).is_err());
    }

    /// The share of the budget spent is summed from the components' error ratios: it was
    /// `(1 - A) / (1 - T)`, whose subtraction cancels the digits of a small error ratio (one
    /// bad request in 10^9 read 1.99999994e-9 for 2e-9; found by
    /// `tools/differential/budgets.py`).
    #[test]
    fn budget_consumed_keeps_the_digits_of_small_error_ratios() {
        let at = Utc.with_ymd_and_hms(2024, 5, 2, 0, 0, 0).unwrap();
        let s = series(1.0, 1e9);
        // Targets of 1/2 are exact in binary, so only the composite's own arithmetic shows.
        let report = Composite::new(vec![(slo("a", 0.5), 1.0), (slo("b", 0.5), 3.0)])
            .unwrap()
            .report(&[&s, &s], at)
            .unwrap();
        assert_eq!(report.budget_consumed, Some(2e-9));
    }
}
