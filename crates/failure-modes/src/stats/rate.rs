//! [`CountRate`]: a long-run rate of events among trials (throttled calls among calls, 5xx
//! among requests), each period counting for its trials.

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
        let (t, e) = self.averages;
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
}
