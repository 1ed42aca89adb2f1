//! Binomial and hypergeometric probabilities that stay accurate, and bounded in time, for
//! counts up to [`MAX_COUNT`](crate::MAX_COUNT) (2^53); Poisson tails, for any count.
//!
//! Probabilities of single outcomes follow Loader's saddle-point expansion (C. Loader, "Fast
//! and accurate computation of binomial probabilities", 2000): the log-probability is built
//! from Stirling's series error `stirlerr` and the deviance `bd0`, never as a difference of
//! log-factorials, whose cancellation loses every digit once counts pass about 10^14 (which
//! made `statrs`' hypergeometric tail return p-values above 1).
//!
//! Tails are sums of single-outcome probabilities taken from the given count away from the
//! mean, each term from the one before by the exact ratio, until the terms no longer change
//! the sum (the *exact* method). That costs about nine standard deviations of terms, and never
//! more than the distance to the end of the support; when that is more than
//! [`EXACT_TERMS_LIMIT`] terms (a standard deviation above about 4,400, and the tail more than
//! 40,000 counts from either end), the binomial tail switches to the Lugannani–Rice
//! saddle-point approximation with Daniels' continuity correction (the *asymptotic* method),
//! whose relative error is below 10^-9 from there on (measured against a 30-digit summation:
//! 8 × 10^-9 at a standard deviation of 500, 30 deviations out, and falling as its cube).

/// The most terms [`binomial_tail_ge`] sums before it switches to the saddle-point
/// approximation: 40,000 (well under a millisecond).
pub(crate) const EXACT_TERMS_LIMIT: f64 = 40_000.0;

/// The terms the exact sum of `P(X >= k)` needs at most: from `k` to the end of the support it
/// walks towards, or about nine standard deviations (where terms fall below 10^-16 of the sum).
fn exact_terms_pq(k: f64, n: f64, p: f64, q: f64) -> f64 {
    let sd = (n * p * q).sqrt();
    let to_end = if k > n * p { n - k + 1.0 } else { k };
    to_end.min(9.0 * sd + 64.0)
}

/// `ln(n!) - ((n + 1/2) ln n - n + ln sqrt(2 pi))` for n = 0..=15, to 17 digits (computed with
/// 40-digit arithmetic; the value at 0 is never read).
const STIRLERR_SMALL: [f64; 16] = [
    0.0,
    0.081_061_466_795_327_26,
    0.041_340_695_955_409_3,
    0.027_677_925_684_998_34,
    0.020_790_672_103_765_093,
    0.016_644_691_189_821_193,
    0.013_876_128_823_070_748,
    0.011_896_709_945_891_77,
    0.010_411_265_261_972_096,
    0.009_255_462_182_712_733,
    0.008_330_563_433_362_87,
    0.007_573_675_487_951_841,
    0.006_942_840_107_209_53,
    0.006_408_994_188_004_207,
    0.005_951_370_112_758_847_5,
    0.005_554_733_551_962_801,
];

/// The error of Stirling's approximation to `ln(n!)`, for whole `n >= 1`.
fn stirlerr(n: f64) -> f64 {
    if n <= 15.0 {
        return STIRLERR_SMALL[n as usize];
    }
    // Stirling's series 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9): past
    // 15 the next term is below 10^-16 of the sum.
    let nn = n * n;
    (1.0 / 12.0
        - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * nn)) / nn) / nn) / nn)
        / n
}

/// The deviance term `x ln(x / m) + m - x`, without its cancellation when `x` is near `m`.
fn bd0(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        // The series in v = (x - m) / (x + m), |v| < 0.1: each term is 100 times smaller than
        // the last, so it settles within 20 terms.
        let v = (x - m) / (x + m);
        let mut sum = (x - m) * v;
        let mut term = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..40 {
            term *= v2;
            let next = sum + term / f64::from(2 * j + 1);
            if next == sum {
                break;
            }
            sum = next;
        }
        sum
    } else {
        x * (x / m).ln() + m - x
    }
}

/// `ln P(X = x)` for `X ~ Binomial(n, p)`, with `q = 1 - p` given separately (so that it keeps
/// its digits when p is near 1). Whole `0 <= x <= n`.
fn ln_binomial_pmf(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if x == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if x == 0.0 {
        return if n == 0.0 {
            0.0
        } else if p < 0.1 {
            -bd0(n, n * q) - n * p
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            -bd0(n, n * p) - n * q
        } else {
            n * p.ln()
        };
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    // ln(2 pi x (n - x) / n), with the last factor as 1 - x/n kept exact near 1.
    let lf = std::f64::consts::TAU.ln() + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

/// Sums `first + first r(1) + first r(1) r(2) + …` where `ratio(j)` gives `r(j)`, for at most
/// `terms` terms, until a term no longer changes the sum.
fn sum_terms(first: f64, terms: f64, mut ratio: impl FnMut(f64) -> f64) -> f64 {
    let (mut term, mut sum, mut j) = (first, first, 1.0);
    while j < terms && term > f64::EPSILON * sum {
        term *= ratio(j);
        sum += term;
        j += 1.0;
    }
    sum
}

/// `P(X >= k)` for `X ~ Binomial(n, p)`, whole `0 <= k`, `n <= 2^53`, `0 <= p <= 1`: exact
/// summation while it needs at most [`EXACT_TERMS_LIMIT`] terms, the saddle-point
/// approximation past that. Always within [0, 1].
pub(crate) fn binomial_tail_ge(k: f64, n: f64, p: f64) -> f64 {
    tail_ge(k, n, p, 1.0 - p)
}

/// `P(X ≥ k)` for `X ~ Binomial(n, p)`: how surprising `k` or more bad events out of `n` are
/// when each is bad with probability `p` (throttled calls at an operation's usual rate, 5xx
/// responses at the peers' rate).
///
/// Exact summation while it takes at most 40,000 terms (a standard deviation below about
/// 4,400), the Lugannani–Rice saddle-point approximation past that (relative error below
/// 10^-9); bounded in time for any counts up to [`MAX_COUNT`](crate::MAX_COUNT), and always
/// within [0, 1]. (`statrs`' `Binomial::sf` stops its continued fraction after 140 iterations
/// and returns an unconverged value for large counts.)
///
/// # Errors
/// [`Error::InvalidParameter`](crate::Error::InvalidParameter) for `p` outside [0, 1] or a
/// count above [`MAX_COUNT`](crate::MAX_COUNT).
///
/// # Example
/// ```
/// // 1,160 throttles in 100,000 calls where 1 % is usual: five standard deviations out.
/// let tail = sli_core::binomial_upper_tail(1_160, 100_000, 0.01)?;
/// assert!(tail > 1e-8 && tail < 1e-5);
/// // A fair coin: P(X >= n/2) is a little above one half.
/// assert!(sli_core::binomial_upper_tail(500_000, 1_000_000, 0.5)? > 0.5);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> crate::Result<f64> {
    if !(0.0..=1.0).contains(&p) {
        return Err(crate::Error::InvalidParameter {
            field: "p",
            value: p,
            reason: "a probability must be within [0, 1]",
        });
    }
    for (field, count) in [("k", k), ("n", n)] {
        // Compared as integers: 2^53 + 1 rounds to 2^53 as an f64, and passed.
        if count > 1u64 << 53 {
            return Err(crate::Error::InvalidParameter {
                field,
                value: count as f64,
                reason: "counts above 2^53 are not exact in f64",
            });
        }
    }
    Ok(binomial_tail_ge(k as f64, n as f64, p))
}

/// `P(X <= k)` for `X ~ Binomial(n, p)`: the upper tail of the failures, `P(n - X >= n - k)`,
/// so that a small lower tail keeps its digits (it is never `1 - P(X >= k + 1)`).
pub(crate) fn binomial_tail_le(k: f64, n: f64, p: f64) -> f64 {
    tail_ge(n - k, n, 1.0 - p, p)
}

/// [`binomial_tail_ge`] with `q = 1 - p` given (for the lower tail, where `p` and `q` swap).
fn tail_ge(k: f64, n: f64, p: f64, q: f64) -> f64 {
    if k <= 0.0 {
        return 1.0;
    }
    if k > n || p == 0.0 {
        return 0.0;
    }
    if q == 0.0 {
        return 1.0;
    }
    let mean = n * p;
    let tail = if exact_terms_pq(k, n, p, q) > EXACT_TERMS_LIMIT {
        // Here k and n - k are both above the limit, so the variance at the saddle point,
        // k (n - k) / n, is above half of it: the approximation's regime.
        saddle_point_tail_ge(k, n, p, q)
    } else if k > mean {
        // Upward from k: P(j+1) / P(j) = (n - j) p / ((j + 1) q).
        let first = ln_binomial_pmf(k, n, p, q).exp();
        sum_terms(first, n - k + 1.0, |i| {
            let j = k + i - 1.0;
            (n - j) * p / ((j + 1.0) * q)
        })
    } else {
        // One minus the lower tail, summed downward from k - 1: P(j-1) / P(j) = j q / ((n - j
        // + 1) p). Below the mean the lower tail is at most about 1/2, so no digits are lost.
        let first = ln_binomial_pmf(k - 1.0, n, p, q).exp();
        let below = sum_terms(first, k, |i| {
            let j = k - i;
            j * q / ((n - j + 1.0) * p)
        });
        1.0 - below
    };
    tail.clamp(0.0, 1.0)
}

/// The Lugannani–Rice approximation of `P(X >= k)` for a binomial with a large variance, with
/// Daniels' first continuity correction (H. E. Daniels, "Tail probability approximations",
/// International Statistical Review 55, 1987); within half a count of the mean, where it is
/// 0/0, the one-term Edgeworth expansion with continuity correction, accurate there.
fn saddle_point_tail_ge(k: f64, n: f64, p: f64, q: f64) -> f64 {
    let (mean, sd) = (n * p, (n * p * q).sqrt());
    lugannani_rice(k, mean, sd, (q - p) / sd, || {
        let s = (k * q / ((n - k) * p)).ln();
        let w = (2.0 * (bd0(k, mean) + bd0(n - k, n * q))).sqrt();
        (w, -(-s).exp_m1() * (k * (n - k) / n).sqrt())
    })
}

/// Daniels' continuity-corrected Lugannani–Rice formula for a lattice distribution of `mean`,
/// standard deviation `sd` and skewness `skew`, given `|w|` (the signed root of twice the
/// deviance, its sign that of `k - mean`) and `u` (the standardised saddle point).
fn lugannani_rice(
    k: f64,
    mean: f64,
    sd: f64,
    skew: f64,
    w_and_u: impl FnOnce() -> (f64, f64),
) -> f64 {
    let normal_sf = |z: f64| 0.5 * erfc(z / std::f64::consts::SQRT_2);
    let density = |z: f64| (-0.5 * z * z).exp() / (std::f64::consts::TAU).sqrt();
    // Within half a count of the mean the approximation is 0/0; within a hundredth of a
    // standard deviation its `1/w - 1/u` is the difference of two huge, rounded terms (for
    // n near 2^53, wrong by more than the tail itself), while the expansion's error there is
    // O(1/n): the expansion takes both.
    if (k - mean).abs() < 0.5_f64.max(0.01 * sd) {
        let z = (k - 0.5 - mean) / sd;
        return normal_sf(z) + density(z) * skew / 6.0 * (z * z - 1.0);
    }
    let (w, u) = w_and_u();
    let w = w.copysign(k - mean);
    normal_sf(w) - density(w) * (1.0 / w - 1.0 / u)
}

/// `P(X >= k)` for `X ~ Poisson(mean)`: how surprising `k` or more events are where `mean` are
/// usual (requests to a bucket in a minute). By the binomial's two methods: the exact sum
/// while it takes at most 40,000 terms (a standard deviation below about 4,400), the
/// Lugannani–Rice saddle-point approximation past that (the binomial's, at `q = 1`); bounded
/// in time for any count and mean, and always within [0, 1]. (`statrs`' `Poisson::sf` runs
/// its incomplete-gamma series for as many terms as it takes: about `8 sqrt(mean)` near the
/// mean, and for ever past 2^53, where adding one to its counter no longer changes it.)
///
/// # Errors
/// [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming `k` for a count that is
/// negative, fractional or not finite, `mean` for a mean that is not positive and finite.
///
/// # Example
/// ```
/// // 20 requests where 5 are usual: about 1 in 3 million.
/// let tail = sli_core::poisson_upper_tail(20.0, 5.0)?;
/// assert!(tail > 3e-7 && tail < 4e-7);
/// // At the mean of a huge count, about one half, at once.
/// let at_mean = sli_core::poisson_upper_tail(1e15, 1e15)?;
/// assert!((at_mean - 0.5).abs() < 1e-6);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn poisson_upper_tail(k: f64, mean: f64) -> crate::Result<f64> {
    if !(k.is_finite() && k >= 0.0 && k.fract() == 0.0) {
        return Err(crate::Error::InvalidParameter {
            field: "k",
            value: k,
            reason: "a count must be whole, finite and not negative",
        });
    }
    if !(mean.is_finite() && mean > 0.0) {
        return Err(crate::Error::InvalidParameter {
            field: "mean",
            value: mean,
            reason: "a Poisson mean must be positive and finite",
        });
    }
    if k == 0.0 {
        return Ok(1.0);
    }
    let sd = mean.sqrt();
    let terms = if k > mean { f64::INFINITY } else { k }.min(9.0 * sd + 64.0);
    let tail = if terms > EXACT_TERMS_LIMIT {
        // Then k > 40,000 (below the mean the sum has k terms; above it, the mean itself is
        // past 2 × 10^7), the variance at the saddle point: the approximation's regime.
        lugannani_rice(k, mean, sd, 1.0 / sd, || {
            ((2.0 * bd0(k, mean)).sqrt(), (k - mean) / k.sqrt())
        })
    } else if k > mean {
        // Upward from k: P(j+1) / P(j) = mean / (j + 1); the terms shrink from the first on.
        sum_terms(ln_poisson_pmf(k, mean).exp(), f64::INFINITY, |i| {
            mean / (k + i)
        })
    } else {
        // One minus the lower tail, summed downward from k - 1: P(j-1) / P(j) = j / mean.
        let first = ln_poisson_pmf(k - 1.0, mean).exp();
        1.0 - sum_terms(first, k, |i| (k - i) / mean)
    };
    Ok(tail.clamp(0.0, 1.0))
}

/// `ln P(X = x)` for `X ~ Poisson(mean)`, whole `x >= 0` (Loader's form, as the binomial's).
fn ln_poisson_pmf(x: f64, mean: f64) -> f64 {
    if x == 0.0 {
        return -mean;
    }
    -stirlerr(x) - bd0(x, mean) - 0.5 * (std::f64::consts::TAU * x).ln()
}

/// The complementary error function, through `statrs` (accurate to about 10^-16 relative).
fn erfc(x: f64) -> f64 {
    statrs::function::erf::erfc(x)
}

/// `P(X >= x)` for `X ~ Hypergeometric`: `draws` taken without replacement from `population`
/// items of which `successes` are successes (Fisher's exact test, one-sided). Whole counts.
///
/// Summed from `x` away from the mean; each term costs O(1), and the sum stops when terms no
/// longer change it, which takes about nine standard deviations of terms, plus the distance to
/// the end of the support. [`crate::deployment_regression`] calls it only when an expected cell
/// count is below 5, and then the variance is below 5 too (the variance is the product of two
/// expected cells over the population, each at most the population), so a tail costs a few
/// dozen terms whatever the counts. Always within [0, 1].
pub(crate) fn hypergeometric_tail_ge(x: f64, population: f64, successes: f64, draws: f64) -> f64 {
    let failures = population - successes;
    let lowest = (draws - failures).max(0.0);
    let highest = successes.min(draws);
    if x <= lowest {
        return 1.0;
    }
    if x > highest {
        return 0.0;
    }
    let mean = draws * successes / population;
    let tail = if x > mean {
        // P(j+1) / P(j) = (K - j)(n - j) / ((j + 1)(N - K - n + j + 1)).
        let first = ln_hypergeometric_pmf(x, population, successes, draws).exp();
        sum_terms(first, highest - x + 1.0, |i| {
            let j = x + i - 1.0;
            (successes - j) * (draws - j) / ((j + 1.0) * (failures - draws + j + 1.0))
        })
    } else {
        // P(j-1) / P(j) = j (N - K - n + j) / ((K - j + 1)(n - j + 1)).
        let first = ln_hypergeometric_pmf(x - 1.0, population, successes, draws).exp();
        let below = sum_terms(first, x - lowest, |i| {
            let j = x - i;
            j * (failures - draws + j) / ((successes - j + 1.0) * (draws - j + 1.0))
        });
        1.0 - below
    };
    tail.clamp(0.0, 1.0)
}

/// `ln P(X = x)` for the hypergeometric of [`hypergeometric_tail_ge`], as three binomial
/// probabilities at `p = draws / population` (Loader's construction), so that no
/// log-factorial of a huge count is subtracted from another.
fn ln_hypergeometric_pmf(x: f64, population: f64, successes: f64, draws: f64) -> f64 {
    let failures = population - successes;
    let p = draws / population;
    let q = (population - draws) / population;
    ln_binomial_pmf(x, successes, p, q) + ln_binomial_pmf(draws - x, failures, p, q)
        - ln_binomial_pmf(draws, population, p, q)
}

/// The `p` at which the increasing function `f` crosses `target`, by bisection over the bit
/// patterns of the doubles in `[0, 1]` (ordered as the numbers are): 64 evaluations at most,
/// and the answer is within one double of the crossing as `f` computes it.
pub(crate) fn solve_increasing(target: f64, f: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0u64, 1.0f64.to_bits());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if f(f64::from_bits(mid)) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    f64::from_bits(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative difference.
    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    /// References: `/tmp`-free, reproducible with mpmath at 60 digits, each tail summed term by
    /// term from log-gamma probabilities until the terms are below 10^-35 of the sum:
    ///   `lp = lambda j: loggamma(n+1) - loggamma(j+1) - loggamma(n-j+1) + j*log(p) + (n-j)*log(1-p)`
    /// with `p` the exact double given here.
    #[allow(clippy::excessive_precision)] // the references' digits, as computed
    const BINOMIAL_REFERENCES: [(f64, f64, f64, f64); 13] = [
        (3.0, 1e7, 3e-7, 0.576_809_952_479_432_923_56),
        (30.0, 1e7, 1e-6, 2.509_902_422_128_129_474_1e-7),
        (1.0, 1e9, 1e-9, 0.632_120_559_012_497_421_98),
        (5.0, 1e16, 1e-16, 0.003_659_846_827_343_709_725_8),
        (
            2.0,
            9_007_199_254_740_992.0,
            1.110_223_024_625_156_5e-16,
            0.264_241_117_657_115_356_81,
        ),
        (130.0, 1e4, 0.01, 0.002_175_091_348_918_602_189_3),
        (70.0, 1e4, 0.01, 0.999_372_248_273_484_333_03),
        (2_097.0, 4_000.0, 0.5, 0.001_136_130_343_780_807_886_5),
        (1_950.0, 4_000.0, 0.5, 0.944_867_346_722_611_278_74),
        // Standard deviations of 5,000: the saddle-point approximation.
        (50_020_001.0, 1e8, 0.5, 0.000_031_657_854_797_454_526_676),
        (49_990_001.0, 1e8, 0.5, 0.977_244_468_685_192_143_28),
        (50_000_000.0, 1e8, 0.5, 0.500_039_894_227_940_407_7),
        (10_050_001.0, 1e9, 0.01, 4.487_799_686_944_152_370_4e-57),
    ];

    #[test]
    fn binomial_tails_match_60_digit_references() {
        for (k, n, p, expected) in BINOMIAL_REFERENCES {
            let got = binomial_tail_ge(k, n, p);
            let tolerance = if exact_terms_pq(k, n, p, 1.0 - p) > EXACT_TERMS_LIMIT {
                1e-9
            } else {
                1e-11
            };
            assert!(
                rel(got, expected) < tolerance,
                "P(X >= {k}), n = {n}, p = {p}: {got} against {expected}"
            );
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)] // the references' digits, as computed
    fn hypergeometric_tails_match_60_digit_references() {
        // Same construction: `lp(j)` as the sum of log-gamma terms of C(K, j) C(N-K, n-j) /
        // C(N, n), at 60 digits, so that counts of 10^16 keep their digits.
        for (x, population, successes, draws, expected) in [
            (5.0, 40.0, 5.0, 20.0, 0.023_562_023_562_023_562_024),
            (3.0, 2e14, 6.0, 1e14, 0.656_250_000_000_002_343_75),
            (1.0, 2e14, 2.0, 1e14, 0.750_000_000_000_001_25),
            (10.0, 2e16, 12.0, 1e16, 0.019_287_109_374_999_971_802),
            (2.0, 1e15 + 3.0, 4.0, 3.0, 3.599_999_999_999_977_2e-29),
            (4.0, 1e15, 1e13, 5.0, 4.959_999_999_997_069_6e-8),
        ] {
            let got = hypergeometric_tail_ge(x, population, successes, draws);
            assert!(
                rel(got, expected) < 1e-10,
                "P(X >= {x}) of ({population}, {successes}, {draws}): {got} against {expected}"
            );
        }
    }

    /// 2^53 + 1 rounds to 2^53 as an f64: the count was let through and the tail of k > n
    /// came out as 1.
    #[test]
    fn counts_just_past_two_to_the_53_are_refused() {
        let max = 1u64 << 53;
        assert!(binomial_upper_tail(max, max, 1.0).is_ok());
        for (k, n) in [(max + 1, max), (1, max + 1), (u64::MAX, u64::MAX)] {
            assert!(
                matches!(
                    binomial_upper_tail(k, n, 1.0),
                    Err(crate::Error::InvalidParameter { .. })
                ),
                "{k} of {n}"
            );
        }
    }

    #[test]
    fn tails_are_probabilities_at_the_ends_of_the_range() {
        let max = crate::MAX_COUNT;
        for (k, n, p) in [
            (0.0, max, 0.5),
            (max, max, 0.5),
            (max, max, 1.0),
            (1.0, max, 0.0),
            (max / 2.0, max, 0.5),
            (1.0, max, f64::MIN_POSITIVE),
            (max, max, 1.0 - f64::EPSILON),
        ] {
            let t = binomial_tail_ge(k, n, p);
            assert!((0.0..=1.0).contains(&t), "P(X >= {k}) of ({n}, {p}) = {t}");
        }
        assert_eq!(binomial_tail_ge(0.0, 5.0, 0.5), 1.0);
        assert_eq!(binomial_tail_ge(6.0, 5.0, 0.5), 0.0);
        assert_eq!(hypergeometric_tail_ge(0.0, max, max / 2.0, 3.0), 1.0);
        assert_eq!(hypergeometric_tail_ge(4.0, max, max / 2.0, 3.0), 0.0);
    }

    /// `P(X >= k)` of Poisson laws, by mpmath at 40 digits (`gammainc(k, 0, mean,
    /// regularized=True)`, and for the means of 10^8 the terms summed from `k` until below
    /// 10^-35 of the sum).
    #[allow(clippy::excessive_precision)] // the references' digits, as computed
    const POISSON_REFERENCES: [(f64, f64, f64); 12] = [
        (20.0, 5.0, 3.452_135_820_914_460_246_1e-7),
        (3.0, 0.5, 0.014_387_677_966_970_686_644),
        (1.0, 1e-3, 0.000_999_500_166_625_008_352_74),
        (130.0, 100.0, 0.002_282_093_054_316_955_381_4),
        (70.0, 100.0, 0.999_339_116_869_842_628_35),
        (10_500.0, 1e4, 3.599_589_794_812_038_616_8e-7),
        (9_800.0, 1e4, 0.977_788_868_294_903_470_12),
        (50_000.0, 49_000.0, 3.384_754_228_079_491_426_8e-6),
        // Standard deviations of 10,000: the saddle-point approximation.
        (100_050_001.0, 1e8, 2.871_722_645_017_613_201_2e-7),
        (100_030_001.0, 1e8, 0.001_350_267_341_249_888_777_3),
        (99_990_001.0, 1e8, 0.841_332_646_927_364_861_76),
        (100_000_000.0, 1e8, 0.500_013_298_076_014_119_87),
    ];

    #[test]
    fn poisson_tails_match_40_digit_references() {
        for (k, mean, expected) in POISSON_REFERENCES {
            let got = poisson_upper_tail(k, mean).unwrap();
            assert!(
                rel(got, expected) < 1e-9,
                "P(X >= {k}) of {mean}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn poisson_tails_of_huge_counts_are_immediate_probabilities() {
        // Found by the hostile-input probe: `statrs`' `Poisson::sf` (F7's tail) took 0.4 s a
        // value at a mean of 10^15 and never returned at 2^60, where its series' counter stops
        // moving; at 2^40 it was off by 10^-3.
        let started = std::time::Instant::now();
        for (k, mean) in [
            (2f64.powi(60), 2f64.powi(60)),
            (2f64.powi(40), 2f64.powi(40)),
            (1e15 + 3e7, 1e15),
            (1e300, 1e300),
            (1e300, 1.0),
            (1.0, 1e300),
            (f64::MAX, f64::MAX),
            (2f64.powi(70), 2f64.powi(70) - 2f64.powi(36)),
        ] {
            let tail = poisson_upper_tail(k, mean).unwrap();
            assert!(
                (0.0..=1.0).contains(&tail),
                "P(X >= {k}) of {mean} = {tail}"
            );
            if k == mean {
                // A little above one half; past 2^53 the half count of the continuity
                // correction is lost to rounding (2 × 10^-10 at 2^60).
                assert!((tail - 0.5).abs() < 1e-6, "at the mean {mean}: {tail}");
            }
        }
        let beyond = poisson_upper_tail(2f64.powi(70), 2f64.powi(70) - 2f64.powi(36)).unwrap();
        assert!(
            rel(
                beyond,
                0.5 * statrs::function::erf::erfc(2.0 / std::f64::consts::SQRT_2)
            ) < 1e-3
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        for (k, mean, field) in [
            (0.5, 1.0, "k"),
            (-1.0, 1.0, "k"),
            (f64::INFINITY, 1.0, "k"),
            (1.0, 0.0, "mean"),
            (1.0, f64::NAN, "mean"),
        ] {
            match poisson_upper_tail(k, mean) {
                Err(crate::Error::InvalidParameter { field: f, .. }) => assert_eq!(f, field),
                other => panic!("({k}, {mean}): {other:?}"),
            }
        }
    }

    #[test]
    fn bisection_finds_the_crossing_to_one_double() {
        let x = solve_increasing(0.25, |p| p * p);
        assert_eq!(x, 0.5);
        let tiny = solve_increasing(1e-300, |p| p);
        assert_eq!(tiny, 1e-300);
    }
}
