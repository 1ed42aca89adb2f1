//! Writes random streams through `failure_modes::stats`, with every public output after every
//! point, as JSON lines for `tools/differential/stats.py`, which recomputes each output from
//! the documented definition (exact rationals, `mpmath` for the tails) and measures the error.
//!
//! `cargo run -p failure-modes --example differential_stats -- <seed> <cases> > cases.jsonl`
//!
//! Floats are written as Rust's shortest round-trip text (`{:?}`: Python's `float` reads back
//! the same bits, `inf` and `NaN` included); a refused push is written as `"err"`.

#[path = "../../sli-core/examples/differential/rng.rs"]
mod rng;

use failure_modes::chrono::DateTime;
use failure_modes::stats::{
    Cusum, DailyPeaks, Direction, Ewma, LinearTrend, RobustBaseline, RollingMax, SeasonalBaseline,
    TrendForecast, binomial_upper_tail, poisson_upper_tail,
};
use rng::Rng;
use serde_json::{Value, json};

/// A float as text that Python's `float` parses to the same bits.
fn f(x: f64) -> Value {
    Value::String(format!("{x:?}"))
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, f)
}

/// One value of a stream: ties and constant runs (small whole numbers, repeated levels),
/// fractions, huge and tiny magnitudes (up to the API's range, subnormals), both zeros, and
/// now and then a value the API must refuse (NaN, infinities, beyond `MAX_MAGNITUDE`).
fn value(rng: &mut Rng, family: u64, last: f64) -> f64 {
    if rng.below(40) == 0 {
        return *rng.pick(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, -1e300]);
    }
    match (family + rng.below(3)) % 8 {
        0 => rng.below(5) as f64,
        1 => last,
        2 => rng.range(-1000, 1000) as f64 / 7.0,
        3 => *rng.pick(&[0.0, -0.0, 1.0, 1.0 + f64::EPSILON, 0.1, 0.2, 0.3]),
        4 => rng.range(-9, 10) as f64 * 1e100 + rng.below(3) as f64,
        5 => *rng.pick(&[5e-324, 1e-320, 2.2250738585072014e-308, -5e-324, 3e-310]),
        6 => failure_modes::MAX_MAGNITUDE * rng.range(-3, 4) as f64 / 3.0,
        _ => (rng.range(0, 1 << 30) as f64) * 1e-6 + 1e9,
    }
}

fn stream(rng: &mut Rng, len: usize) -> Vec<f64> {
    let family = rng.below(8);
    let mut last = 0.0;
    (0..len)
        .map(|_| {
            let v = value(rng, family, last);
            if v.is_finite() {
                last = v;
            }
            v
        })
        .collect()
}

/// Window sizes 1, 2, small odd and even, and larger.
fn window(rng: &mut Rng, min: usize) -> usize {
    let w = *rng.pick(&[1, 2, 3, 4, 5, 6, 7, 8, 11, 16, 33, 64]);
    w.max(min)
}

fn main() -> failure_modes::Result<()> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let cases: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(300);
    let mut rng = Rng(seed);
    for _ in 0..cases {
        let len = 1 + rng.below(150) as usize;
        let values = stream(&mut rng, len);

        let capacity = window(&mut rng, 1);
        let min_spread = *rng.pick(&[0.0, 1e-9, 0.5, 3.0]);
        let mut baseline = RobustBaseline::new(capacity)?;
        let steps: Vec<Value> = values
            .iter()
            .map(|&v| {
                let accepted = baseline.push(v).is_ok();
                json!([
                    f(v),
                    accepted,
                    opt(baseline.median()),
                    opt(baseline.mad()),
                    opt(baseline.mean_abs_deviation()),
                    opt(baseline.mean_magnitude()),
                    opt(baseline.spread()),
                    opt(baseline.robust_z(v, min_spread))
                ])
            })
            .collect();
        println!(
            "{}",
            json!({"kind": "baseline", "capacity": capacity, "min_spread": f(min_spread), "steps": steps})
        );

        let (period, days) = (1 + rng.below(4) as usize, window(&mut rng, 1));
        let mut seasonal = SeasonalBaseline::new(period, days)?;
        let steps: Vec<Value> = values
            .iter()
            .map(|&v| {
                json!([
                    f(v),
                    seasonal.push(v).is_ok(),
                    opt(seasonal.expected_next())
                ])
            })
            .collect();
        println!(
            "{}",
            json!({"kind": "seasonal", "period": period, "days": days, "steps": steps})
        );

        let mut record = RollingMax::new(capacity)?;
        let steps: Vec<Value> = values
            .iter()
            .map(|&v| json!([f(v), record.push(v).is_ok(), opt(record.max())]))
            .collect();
        println!(
            "{}",
            json!({"kind": "rolling_max", "capacity": capacity, "steps": steps})
        );

        let alpha = *rng.pick(&[1.0, 0.5, 0.3, 0.1, 0.01, 1e-6]);
        let mut ewma = Ewma::new(alpha)?;
        let steps: Vec<Value> = values
            .iter()
            .map(|&v| {
                let accepted = ewma.push(v).is_ok();
                json!([f(v), accepted, opt(ewma.mean()), f(ewma.std_dev())])
            })
            .collect();
        println!(
            "{}",
            json!({"kind": "ewma", "alpha": f(alpha), "steps": steps})
        );

        let (slack, threshold) = (*rng.pick(&[0.5, 0.25, 1.0]), *rng.pick(&[5.0, 4.0, 0.1]));
        let mut cusum = Cusum::new(slack, threshold)?;
        let steps = (0..len)
            .map(|_| {
                let z = rng.range(-40, 60) as f64 / 10.0 + *rng.pick(&[0.0, 0.05, 1e-17]);
                let signal = match cusum.push(z)? {
                    Some(Direction::Up) => "up",
                    Some(Direction::Down) => "down",
                    None => "",
                };
                Ok(json!([f(z), signal]))
            })
            .collect::<Result<Vec<Value>, failure_modes::Error>>()?;
        println!(
            "{}",
            json!({"kind": "cusum", "slack": f(slack), "threshold": f(threshold), "steps": steps})
        );

        let limit = *rng.pick(&[0.0, 100.0, 1e9, 1e101]);
        let capacity = window(&mut rng, 2);
        let mut linear = LinearTrend::new(capacity)?;
        let steps: Vec<Value> = values
            .iter()
            .map(|&v| {
                json!([
                    f(v),
                    linear.push(v).is_ok(),
                    opt(linear.slope()),
                    opt(linear.level()),
                    opt(linear.steps_until(limit))
                ])
            })
            .collect();
        println!(
            "{}",
            json!({"kind": "linear", "capacity": capacity, "limit": f(limit), "steps": steps})
        );

        let mut trend = TrendForecast::new(capacity)?;
        let steps: Vec<Value> = values
            .iter()
            .map(|&v| {
                json!([
                    f(v),
                    trend.push(v).is_ok(),
                    opt(trend.slope()),
                    opt(trend.level()),
                    opt(trend.steps_until(limit))
                ])
            })
            .collect();
        println!(
            "{}",
            json!({"kind": "trend", "capacity": capacity, "limit": f(limit), "steps": steps})
        );

        // Peaks: non-negative values (connections) at times that move forward by up to three
        // days, each followed by a query now or a day or two ahead.
        let decay = *rng.pick(&[1.0, 0.98, 0.5]);
        let mut peaks = DailyPeaks::new(decay)?;
        let mut t = 1_793_491_200 + rng.below(86_400) as i64;
        let steps: Vec<Value> = values
            .iter()
            .map(|&v| {
                t += rng.range(0, 3 * 3600) * *rng.pick(&[1, 1, 1, 8]);
                let at = DateTime::from_timestamp(t, 0).unwrap_or_default();
                let accepted = peaks.record(at, v.abs()).is_ok();
                let ask = t + rng.range(0, 86_400) * rng.range(0, 3);
                let ask_at = DateTime::from_timestamp(ask, 0).unwrap_or_default();
                json!([
                    t,
                    f(v.abs()),
                    accepted,
                    ask,
                    opt(peaks.usual(ask_at)),
                    opt(peaks.busiest(ask_at))
                ])
            })
            .collect();
        println!(
            "{}",
            json!({"kind": "peaks", "decay": f(decay), "steps": steps})
        );

        for _ in 0..3 {
            let mean = *rng.pick(&[0.5, 5.0, 37.25, 1e3, 1e-3]) * (1 + rng.below(4)) as f64;
            let k = match rng.below(3) {
                0 => rng.below(10),
                1 => (mean + rng.range(-3, 10) as f64 * mean.sqrt()).max(0.0) as u64,
                _ => (mean * 3.0) as u64 + rng.below(40),
            };
            println!(
                "{}",
                json!({"kind": "poisson", "k": k, "mean": f(mean),
                                   "tail": opt(poisson_upper_tail(k, mean).ok())})
            );
            let n = *rng.pick(&[1, 10, 100, 1000, 20_000, 200_000]) * (1 + rng.below(3));
            let p = *rng.pick(&[0.0, 1.0, 0.5, 0.01, 0.001, 1e-5, 0.3]);
            let mu = n as f64 * p;
            let k = match rng.below(3) {
                0 => rng.below(n + 2),
                1 => (mu + rng.range(-3, 10) as f64 * (mu * (1.0 - p)).sqrt()).max(0.0) as u64,
                _ => rng.below(6),
            };
            println!(
                "{}",
                json!({"kind": "binomial", "k": k, "n": n, "p": f(p),
                                   "tail": opt(binomial_upper_tail(k, n, p).ok())})
            );
        }
    }
    Ok(())
}
