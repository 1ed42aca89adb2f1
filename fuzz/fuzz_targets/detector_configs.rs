//! The failure-mode detectors built from arbitrary configurations: every setting of the
//! detector's config (`with_*`) left at its default or set from the input (zeros, negatives,
//! NaN and infinities, `usize::MAX`, huge and negative durations, sustain rules of any shape),
//! then a short stream of observations as in the `detectors` target, F8's with one-off charges
//! declared between readings, the generic detector's with missing points skipped between
//! values. A configuration is refused with a typed error by the detector's `new`, or runs
//! without a panic, a hang or unbounded memory, and its findings and forecasts stay finite.
#![no_main]

use chrono::TimeDelta;
use failure_modes::{RecordKind, Season, Severity, Spread, Sustained};
use libfuzzer_sys::fuzz_target;

#[path = "shared/feed.rs"]
mod feed;

use feed::{Bytes, Configs, run};

/// Observations fed to a detector that accepted its configuration.
const MAX_PUSHES: usize = 3_000;

/// Settings read from the input: `None` (keep the default) for most bytes and once the input
/// runs out, so that the defaults and each single change are near each other.
impl Bytes<'_> {
    fn change(&mut self) -> bool {
        self.u8().is_some_and(|b| b % 3 == 0)
    }

    fn f(&mut self) -> Option<f64> {
        if self.change() { self.f64() } else { None }
    }

    fn n(&mut self) -> Option<usize> {
        if !self.change() {
            return None;
        }
        Some(match self.u8()? % 8 {
            0 => 0,
            1 => 1,
            2 => 2,
            3 => 1 << 16,
            4 => 1 << 24,
            5 => u32::MAX as usize,
            6 => usize::MAX,
            _ => usize::from(self.u8()?),
        })
    }

    fn k(&mut self) -> Option<u32> {
        if !self.change() {
            return None;
        }
        Some(match self.u8()? % 6 {
            0 => 0,
            1 => 1,
            2 => 10_080,
            3 => u32::MAX,
            _ => u32::from(self.u8()?),
        })
    }

    fn d(&mut self) -> Option<TimeDelta> {
        if !self.change() {
            return None;
        }
        Some(match self.u8()? % 10 {
            0 => TimeDelta::zero(),
            1 => TimeDelta::minutes(-1),
            2 => TimeDelta::seconds(1),
            3 => TimeDelta::minutes(1),
            4 => TimeDelta::hours(1),
            5 => TimeDelta::days(1),
            6 => TimeDelta::days(400),
            7 => TimeDelta::MAX,
            8 => TimeDelta::MIN,
            _ => TimeDelta::minutes(i64::from(self.u8()?)),
        })
    }

    fn sustained(&mut self) -> Option<Sustained> {
        if !self.change() {
            return None;
        }
        let m = u32::from(self.u8()?);
        let n = match self.u8()? % 4 {
            0 => 10_080,
            1 => 10_081,
            _ => u32::from(self.u8()?),
        };
        Sustained::new(m, n).ok()
    }

    fn severity(&mut self) -> Option<Severity> {
        if !self.change() {
            return None;
        }
        Some(if self.u8()? % 2 == 0 {
            Severity::Page
        } else {
            Severity::Ticket
        })
    }

    fn opt_f(&mut self) -> Option<Option<f64>> {
        if !self.change() {
            return None;
        }
        Some(if self.u8()? % 4 == 0 {
            None
        } else {
            self.f64()
        })
    }

    fn opt_n(&mut self) -> Option<Option<usize>> {
        if !self.change() {
            return None;
        }
        Some(if self.u8()? % 4 == 0 { None } else { self.n() })
    }

    fn record_kind(&mut self) -> Option<RecordKind> {
        if !self.change() {
            return None;
        }
        Some(if self.u8()? % 2 == 0 {
            RecordKind::Surprise
        } else {
            RecordKind::Value
        })
    }

    fn spread(&mut self) -> Option<Spread> {
        if !self.change() {
            return None;
        }
        Some(if self.u8()? % 2 == 0 {
            Spread::Mad
        } else {
            Spread::MadOrMeanDeviation
        })
    }

    fn season(&mut self) -> Option<Option<Season>> {
        if !self.change() {
            return None;
        }
        if self.u8()? % 4 == 0 {
            return Some(None);
        }
        let mut part = || -> Option<usize> {
            Some(match self.u8()? % 4 {
                0 => 0,
                1 => 288,
                2 => usize::MAX,
                _ => usize::from(self.u8()?),
            })
        };
        let season = Season::new(part()?, part()?, part()?);
        // Weeks: the default (none) once the input runs out, else one of the edges (1 << 17
        // weeks, 917,504 days, is the most one slot a day may remember).
        let weeks = match self.u8() {
            None => 0,
            Some(b) => match b % 8 {
                0 => 0,
                1 => 1,
                2 => 4,
                3 => usize::MAX,
                4 => 1 << 17,
                _ => usize::from(self.u8().unwrap_or(0) % 16),
            },
        };
        Some(Some(season.with_weeks(weeks)))
    }
}

/// `config` with each listed setting changed when the input says so.
macro_rules! configure {
    ($input:expr, $config:expr, { $( $setter:ident: $kind:ident ),* $(,)? }) => {{
        let mut config = $config;
        $(
            if let Some(value) = $input.$kind() {
                config = config.$setter(value);
            }
        )*
        config
    }};
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let Some(which) = input.u8() else {
        return;
    };
    let mut configs = Configs {
        one_off_charges: true,
        ..Configs::default()
    };
    let i = &mut input;
    match which % 10 {
        0 => {
            configs.throttle = configure!(i, configs.throttle, {
                with_min_ratio: f, with_page_ratio: f, with_significance: f, with_floor_rate: f,
                with_baseline_alpha: f, with_window: k, with_sustain_periods: k,
                with_clear_after: k, with_max_gap: d, with_severity: severity,
                with_blocked_severity: severity,
            })
        }
        1 => {
            configs.partition = configure!(i, configs.partition, {
                with_peer_ratio: f, with_own_sigma: f, with_baseline: n,
                with_min_relative_spread: f, with_min_requests: f, with_min_error_ratio: f,
                with_significance: f, with_error_window: n, with_sustain: sustained,
                with_clear_after: k, with_max_gap: d, with_severity: severity,
            })
        }
        2 => {
            configs.quota = configure!(i, configs.quota, {
                with_blocked_share: f, with_warn_share: f, with_horizon: d,
                with_forecast_from_share: f, with_peak_window: n, with_trend_window: n,
                with_sustain: sustained, with_clear_after: k, with_max_gap: d,
                with_warning_severity: severity, with_blocked_severity: severity,
            })
        }
        3 => {
            configs.compromise = configure!(i, configs.compromise, {
                with_learning: d, with_burst_multiple: f, with_overall_multiple: f,
                with_min_burst: k, with_min_denied: k, with_daily_decay: f,
                with_idle_eviction: d, with_max_principals: n, with_severity: severity,
            })
        }
        4 => {
            configs.cold_start = configure!(i, configs.cold_start, {
                with_baseline: n, with_min_ratio: f, with_min_sigma: f,
                with_min_relative_spread: f, with_concurrency_rise: f,
                with_concurrency_alpha: f, with_sustain: sustained, with_clear_after: k,
                with_max_gap: d, with_severity: severity,
            })
        }
        5 => {
            configs.connections = configure!(i, configs.connections, {
                with_warn_share: f, with_page_share: f, with_ticket_horizon: d,
                with_forecast_from_share: f, with_trend_window: n, with_sustain: sustained,
                with_clear_after: k, with_max_gap: d, with_daily_decay: f,
                with_warning_severity: severity, with_critical_severity: severity,
            })
        }
        6 => {
            configs.leak = configure!(i, configs.leak, {
                with_significance: f, with_min_ratio: f, with_record_window: n,
                with_min_baseline: f, with_baseline_alpha: f, with_warm_up: k,
                with_sustain: sustained, with_clear_after: k, with_spike_memory: d,
                with_exposure_severity: severity, with_spike_severity: severity,
            })
        }
        7 => {
            configs.cost = configure!(i, configs.cost, {
                with_ticket_multiple: f, with_page_multiple: f, with_trailing_days: n,
                with_warm_up_days: n, with_min_daily_spend: f, with_min_share: f,
                with_tolerance: f, with_publish_lag: d, with_warning_severity: severity,
                with_runaway_severity: severity,
            })
        }
        _ => {
            configs.anomaly = configure!(i, configs.anomaly, {
                with_baseline: n, with_short_window: n, with_warm_up: n, with_rewarm: n,
                with_spike_sigma: f, with_shift_sigma: opt_f, with_record_window: opt_n,
                with_record_kind: record_kind, with_spread: spread, with_refractory: n,
                with_season: season,
            })
        }
    }
    run(which, &configs, &mut input, MAX_PUSHES);
});
