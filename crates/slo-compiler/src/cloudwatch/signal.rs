//! Where a CloudWatch SLI's numbers come from: metrics and metric-math expressions.

use aws_telemetry::{Metric, Statistic};

/// A metric and statistic, or a metric-math expression over named metrics.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use slo_compiler::cloudwatch::SignalSource;
/// let requests = SignalSource::Metric { metric: Metric::new("AWS/ApplicationELB", "RequestCount")?, stat: Statistic::Sum };
/// assert_eq!(requests.metric_count(), 1);
/// # Ok::<(), aws_telemetry::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SignalSource {
    /// One metric.
    Metric {
        /// The metric.
        metric: Metric,
        /// Its statistic over the window (`Sum` for counts).
        stat: Statistic,
    },
    /// An expression over metrics named by id (ids: a lowercase letter, then letters, digits
    /// and `_`). Evaluated on the window's statistics, so it means the same as per minute only
    /// when it is linear (`a - b`, `a + b`), as count expressions are.
    Expression {
        /// The metric-math expression.
        expression: String,
        /// The metrics it names.
        metrics: Vec<(String, Metric, Statistic)>,
    },
}

impl SignalSource {
    /// Entries this source takes in an alarm's `Metrics` (an expression counts too).
    pub fn metric_count(&self) -> usize {
        match self {
            Self::Metric { .. } => 1,
            Self::Expression { metrics, .. } => metrics.len() + 1,
        }
    }
}

/// Where an SLI's numbers come from.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use slo_compiler::cloudwatch::{Signal, SignalSource};
/// let alb = |name| Metric::new("AWS/ApplicationELB", name);
/// let signal = Signal::Bad {
///     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
///     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
/// };
/// assert!(signal.is_counts());
/// # Ok::<(), aws_telemetry::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Signal {
    /// Good and total event counts.
    Good {
        /// Good events.
        good: SignalSource,
        /// All events.
        total: SignalSource,
    },
    /// Bad and total event counts.
    Bad {
        /// Bad events.
        bad: SignalSource,
        /// All events.
        total: SignalSource,
    },
    /// A value per slice judged against a time-slice SLI's threshold (e.g. p99 latency per
    /// minute). CloudWatch cannot sum per-minute judgements over a window in one alarm, so
    /// these SLOs compile only with a published namespace ([`CompileOptions::published`](super::CompileOptions::published)).
    Value {
        /// The value.
        value: SignalSource,
    },
}

impl Signal {
    /// Whether the signal is event counts (which CloudWatch can sum over a window natively).
    pub fn is_counts(&self) -> bool {
        !matches!(self, Self::Value { .. })
    }
}
