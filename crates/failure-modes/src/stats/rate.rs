//! [`CountRate`]: a long-run rate of events among trials (throttled calls among calls, 5xx
//! among requests), each period counting for its trials.

/// The averaged trials below which an empty period no longer decays them (see
/// [`CountRate::push`]); far above the subnormals, where the ratio would lose its digits.
const FROZEN_BELOW: f64 = 1e-250;

/// A rate of events among trials: the events and the trials each exponentially averaged from
/// zero, their ratio the rate. Each period counts for its trials (a period of one trial, an
/// event, barely moves it) and with weight `alpha (1 − alpha)^age` (the common factor of a
/// short history cancels in the ratio, so no start-up correction is needed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CountRate {
    alpha: f64,
    /// Averaged (trials, events).
    averages: (f64, f64),
}

impl CountRate {
    /// `alpha` within (0, 1], checked by the caller against its own field.
    pub(crate) fn new(alpha: f64) -> Self {
        Self {
            alpha,
            averages: (0.0, 0.0),
        }
    }

    /// Counts checked by the caller (finite, not negative, within range).
    #[inline]
    pub(crate) fn push(&mut self, trials: f64, events: f64) {
        let (mut t, mut e) = self.averages;
        if t < FROZEN_BELOW {
            // A long idle stretch (about 580 / alpha periods) has made the history this light:
            // decaying on would only lose the rate's digits in subnormals and then zero it,
            // though an empty period says nothing about the rate, so an empty period leaves
            // it. A period with trials outweighs it by more than 2^53 (for `alpha × trials`
            // over 1e-234), and starts from nothing, as decaying would all but have.
            if trials == 0.0 && events == 0.0 {
                return;
            }
            (t, e) = (0.0, 0.0);
        }
        self.averages = (t + self.alpha * (trials - t), e + self.alpha * (events - e));
    }

    /// 0 before any trial.
    #[inline]
    pub(crate) fn rate(&self) -> f64 {
        let (trials, events) = self.averages;
        if trials > 0.0 { events / trials } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::CountRate;

    #[test]
    fn a_period_counts_for_its_trials() {
        let mut rate = CountRate::new(0.5);
        assert_eq!(rate.rate(), 0.0);
        rate.push(1000.0, 10.0);
        assert_eq!(rate.rate(), 0.01);
        // One trial, an event, at half the weight: (250 + 0.5) trials, (2.5 + 0.5) events.
        rate.push(1.0, 1.0);
        assert_eq!(rate.rate(), 3.0 / 250.5);
    }

    #[test]
    fn a_long_idle_stretch_keeps_the_rate_and_stays_out_of_subnormals() {
        let mut rate = CountRate::new(1.0 / 120.0);
        rate.push(1000.0, 10.0);
        // 120,000 empty periods: the history decays below 1e-250 after about 69,000 of them
        // (and, decaying on, into subnormals after 85,000 and to zero after 89,000).
        for _ in 0..120_000 {
            rate.push(0.0, 0.0);
        }
        assert!(
            rate.averages.0 >= f64::MIN_POSITIVE,
            "{:e}",
            rate.averages.0
        );
        assert!((rate.rate() - 0.01).abs() < 1e-12, "{}", rate.rate());
        // The first period with trials replaces the history, as decaying to nothing would
        // have: to the bit, the rate of a fresh history given that period, with or without
        // events.
        for events in [5.0, 0.0] {
            let mut idle = rate;
            idle.push(100.0, events);
            let mut fresh = CountRate::new(1.0 / 120.0);
            fresh.push(100.0, events);
            assert_eq!(idle.rate(), fresh.rate());
        }
    }
}
