//! [`Metric`] and [`Dimension`]: what CloudWatch names a series by, validated against its rules
//! on construction and on deserialization.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::QueryError;

/// The most dimensions a metric has ("Dimensions", Amazon CloudWatch User Guide: "You can
/// assign up to 30 dimensions to a metric").
const MAX_DIMENSIONS: usize = 30;

/// A metric dimension, e.g. `LoadBalancer = app/checkout/50dc6c495c0c9188`.
///
/// CloudWatch's rules ([`Dimension` in the API reference](https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html)),
/// checked by [`Dimension::new`] (and so by [`Metric::with_dimension`] and `serde`): names of
/// 1–255 and values of 1–1,024 characters, ASCII only, without control characters, with at
/// least one character that is not whitespace; a name does not start with a colon.
///
/// # Example
/// ```
/// use aws_telemetry::{Dimension, QueryError};
///
/// let lb = Dimension::new("LoadBalancer", "app/checkout/50dc6c495c0c9188")?;
/// assert_eq!(lb.to_string(), "LoadBalancer=app/checkout/50dc6c495c0c9188");
/// assert!(matches!(Dimension::new(":Name", "v"), Err(QueryError::InvalidMetric { field: "dimension name", .. })));
///
/// // A document is held to the same rules.
/// let err = serde_json::from_str::<Dimension>(r#"{"name": "Région", "value": "v"}"#).unwrap_err();
/// assert!(err.to_string().starts_with(&Dimension::new("Région", "v").unwrap_err().to_string()));
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "DimensionFields")]
pub struct Dimension {
    name: String,
    value: String,
}

/// A [`Dimension`] as a document has it, before validation.
#[derive(Deserialize)]
struct DimensionFields {
    name: String,
    value: String,
}

impl TryFrom<DimensionFields> for Dimension {
    type Error = QueryError;

    fn try_from(fields: DimensionFields) -> Result<Self, QueryError> {
        Self::new(fields.name, fields.value)
    }
}

impl Dimension {
    /// A dimension `name = value`.
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] naming the part (`dimension name` or `dimension value`)
    /// that breaks CloudWatch's rules (see the type's documentation).
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Result<Self, QueryError> {
        let (name, value) = (name.into(), value.into());
        check_text("dimension name", &name, 255)?;
        check_dimension_text("dimension name", &name)?;
        check_text("dimension value", &value, 1024)?;
        check_dimension_text("dimension value", &value)?;
        Ok(Self { name, value })
    }

    /// The dimension's name, e.g. `LoadBalancer`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The dimension's value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Dimension {
    /// `name=value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

/// A CloudWatch metric: namespace, name and dimensions.
///
/// Namespaces and names have 1–255 characters without control characters; a namespace is
/// ASCII, not only whitespace, and does not start with a colon; a metric has at
/// most 30 dimensions, kept sorted by name ([`Dimension`] has their rules). Every path that
/// builds one checks them: [`Metric::new`], [`Metric::with_dimension`], and `serde`, which
/// also refuses a document naming a dimension twice ([`QueryError::DuplicateDimension`]).
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, QueryError};
///
/// let requests = Metric::new("AWS/ApplicationELB", "RequestCount")?
///     .with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188")?;
/// assert_eq!(requests.dimensions().len(), 1);
/// assert_eq!(requests.dimension("LoadBalancer"), Some("app/checkout/50dc6c495c0c9188"));
/// assert_eq!(requests.to_string(), "AWS/ApplicationELB/RequestCount LoadBalancer=app/checkout/50dc6c495c0c9188");
/// assert!(Metric::new("", "RequestCount").is_err());
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "MetricFields")]
pub struct Metric {
    namespace: String,
    name: String,
    dimensions: Vec<Dimension>,
}

/// A [`Metric`] as a document has it, before the metric-level checks (each dimension is
/// checked by its own deserialization).
#[derive(Deserialize)]
struct MetricFields {
    namespace: String,
    name: String,
    #[serde(default)]
    dimensions: Vec<Dimension>,
}

impl TryFrom<MetricFields> for Metric {
    type Error = QueryError;

    fn try_from(fields: MetricFields) -> Result<Self, QueryError> {
        let mut metric = Self::new(fields.namespace, fields.name)?;
        for dimension in fields.dimensions {
            if metric.dimension(&dimension.name).is_some() {
                return Err(QueryError::DuplicateDimension {
                    name: dimension.name,
                });
            }
            metric = metric.insert(dimension)?;
        }
        Ok(metric)
    }
}

/// Length and control-character rules of every metric text.
fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), QueryError> {
    let reason = if value.is_empty() {
        "must not be empty"
    } else if value.chars().count() > max {
        "is too long"
    } else if value.chars().any(char::is_control) {
        "must not contain control characters"
    } else {
        return Ok(());
    };
    Err(QueryError::InvalidMetric {
        field,
        value: value.to_owned(),
        reason,
    })
}

/// The rules CloudWatch adds for namespaces and dimension names and values to
/// [`check_text`]'s: ASCII only, not only whitespace, and (namespaces and dimension names) no
/// leading colon.
fn check_dimension_text(field: &'static str, value: &str) -> Result<(), QueryError> {
    let reason = if !value.is_ascii() {
        "must contain only ASCII characters"
    } else if value.chars().all(|c| c.is_ascii_whitespace()) {
        "must include at least one character that is not whitespace"
    } else if matches!(field, "dimension name" | "namespace") && value.starts_with(':') {
        "must not start with a colon"
    } else {
        return Ok(());
    };
    Err(QueryError::InvalidMetric {
        field,
        value: value.to_owned(),
        reason,
    })
}

impl Metric {
    /// A metric without dimensions.
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] for an empty or too long namespace or name, or one with
    /// control characters; for a namespace that is not ASCII, is only whitespace or starts
    /// with a colon (CloudWatch's rules: `Namespace` in `PutMetricData` and `Metric` of the API
    /// reference).
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Result<Self, QueryError> {
        let (namespace, name) = (namespace.into(), name.into());
        check_text("namespace", &namespace, 255)?;
        check_dimension_text("namespace", &namespace)?;
        check_text("name", &name, 255)?;
        Ok(Self {
            namespace,
            name,
            dimensions: Vec::new(),
        })
    }

    /// A metric without dimensions from a namespace and name known to be valid (constants of
    /// this crate), unchecked.
    pub(crate) fn known(namespace: &str, name: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            dimensions: Vec::new(),
        }
    }

    /// Adds a dimension (kept sorted by name; a repeated name replaces the value).
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] for a bad name or value (see [`Dimension`] for
    /// CloudWatch's rules); [`QueryError::TooManyDimensions`] for a 31st dimension.
    pub fn with_dimension(
        self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, QueryError> {
        self.insert(Dimension::new(name, value)?)
    }

    /// Adds or replaces a valid dimension.
    fn insert(mut self, dimension: Dimension) -> Result<Self, QueryError> {
        match self
            .dimensions
            .binary_search_by(|d| d.name.cmp(&dimension.name))
        {
            Ok(i) => self.dimensions[i].value = dimension.value,
            Err(_) if self.dimensions.len() == MAX_DIMENSIONS => {
                return Err(QueryError::TooManyDimensions {
                    name: dimension.name,
                    max: MAX_DIMENSIONS,
                });
            }
            Err(i) => self.dimensions.insert(i, dimension),
        }
        Ok(self)
    }

    /// The namespace, e.g. `AWS/ApplicationELB`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The metric name, e.g. `RequestCount`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The dimensions, sorted by name.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The value of the dimension `name`, if the metric has it.
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .binary_search_by(|d| d.name.as_str().cmp(name))
            .ok()
            .map(|i| self.dimensions[i].value.as_str())
    }
}

impl fmt::Display for Metric {
    /// `namespace/name`, then each dimension as ` name=value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)?;
        for d in &self.dimensions {
            write!(f, " {d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric() -> Metric {
        Metric::new("AWS/ApplicationELB", "RequestCount").unwrap()
    }

    /// A bounds probe (2026-12-07): a refused 10 MiB name made a 10 MiB message. The error
    /// keeps the value; its message quotes the first 64 characters and the length.
    #[test]
    fn a_long_refused_name_makes_a_short_message() {
        let name = format!("{}\n", "x".repeat(10 << 20));
        let err = Metric::new("AWS/EC2", &name).unwrap_err();
        let message = err.to_string();
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(message.contains("(10485761 bytes)"), "{message}");
        assert!(matches!(err, QueryError::InvalidMetric { value, .. } if value == name));
    }

    #[test]
    fn dimensions_follow_cloudwatch_rules() {
        // Found by the hostile-input probe: whitespace-only and non-ASCII names and values
        // passed the validation that claims CloudWatch's rules.
        for (name, value, field) in [
            ("   ", "v", "dimension name"),
            ("LoadBalancer", " \t ", "dimension value"),
            ("Région", "v", "dimension name"),
            ("LoadBalancer", "app/caf\u{e9}", "dimension value"),
            (":Name", "v", "dimension name"),
        ] {
            let err = metric().with_dimension(name, value).unwrap_err();
            assert!(
                matches!(&err, QueryError::InvalidMetric { field: f, .. } if *f == field),
                "{name:?}={value:?}: {err}"
            );
        }
        // A colon inside a name, spaces around text and every printable ASCII are fine.
        let ok = metric()
            .with_dimension("Name:Part", " spaced value ")
            .unwrap()
            .with_dimension("Printable", "!\"#$%&'()*+,-./0-9:;<=>?@A-Z[\\]^_`a-z{|}~")
            .unwrap();
        assert_eq!(ok.dimensions().len(), 2);
        assert_eq!(ok.dimension("Name:Part"), Some(" spaced value "));
        assert_eq!(ok.dimension("Missing"), None);
    }

    #[test]
    fn namespaces_follow_cloudwatch_rules() {
        // Found by probe C: `Metric::new` took namespaces CloudWatch refuses (`Metric.Namespace`
        // has the pattern `[^:].*`; `PutMetricData` takes ASCII only; a namespace needs a
        // character that is not whitespace).
        for namespace in [":Colon", "Caf\u{e9}", " ", " \t "] {
            let err = Metric::new(namespace, "X").unwrap_err();
            assert!(
                matches!(&err, QueryError::InvalidMetric { field: "namespace", value, .. } if value == namespace),
                "{namespace:?}: {err}"
            );
        }
        // What CloudWatch takes still builds, `AWS/` namespaces included (they are read).
        for namespace in ["AWS/ApplicationELB", "My App/v1:prod #2", "a:b", " padded "] {
            assert!(Metric::new(namespace, "X").is_ok(), "{namespace:?}");
        }
        // A document is held to the same rules.
        assert!(serde_json::from_str::<Metric>(r#"{"namespace": ":Colon", "name": "X"}"#).is_err());
    }

    #[test]
    fn a_31st_dimension_is_refused_and_a_repeated_one_replaces() {
        let mut m = metric();
        for i in 0..30 {
            m = m.with_dimension(format!("D{i:02}"), "v").unwrap();
        }
        assert_eq!(
            m.clone().with_dimension("Z", "v").unwrap_err(),
            QueryError::TooManyDimensions {
                name: "Z".into(),
                max: 30
            }
        );
        let replaced = m.with_dimension("D07", "w").unwrap();
        assert_eq!(replaced.dimensions().len(), 30);
        assert_eq!(replaced.dimension("D07"), Some("w"));
    }

    /// The error serde reports for `json`, which must start with `want`'s message (serde_json
    /// appends the position in the document).
    fn assert_refused<T: serde::de::DeserializeOwned + fmt::Debug>(json: &str, want: &QueryError) {
        let err = serde_json::from_str::<T>(json).unwrap_err().to_string();
        assert!(err.starts_with(&want.to_string()), "{json}: {err}");
    }

    #[test]
    fn deserializing_a_dimension_checks_what_new_checks() {
        for (name, value) in [
            ("", "v"),
            ("LoadBalancer", ""),
            ("   ", "v"),
            ("Région", "v"),
            (":Name", "v"),
            ("A\u{7}", "v"),
        ] {
            let json = serde_json::json!({ "name": name, "value": value }).to_string();
            assert_refused::<Dimension>(&json, &Dimension::new(name, value).unwrap_err());
        }
        let long = "x".repeat(1025);
        let json = serde_json::json!({ "name": "N", "value": long }).to_string();
        assert_refused::<Dimension>(&json, &Dimension::new("N", long).unwrap_err());
        let ok: Dimension = serde_json::from_str(r#"{"name":"Stage","value":"prod"}"#).unwrap();
        assert_eq!(ok, Dimension::new("Stage", "prod").unwrap());
    }

    #[test]
    fn deserializing_a_metric_checks_what_the_constructors_check() {
        assert_refused::<Metric>(
            r#"{"namespace":"","name":"RequestCount","dimensions":[]}"#,
            &Metric::new("", "RequestCount").unwrap_err(),
        );
        assert_refused::<Metric>(
            r#"{"namespace":"App","name":"a\u0007b"}"#,
            &Metric::new("App", "a\u{7}b").unwrap_err(),
        );
        // 31 dimensions: the error `with_dimension` gives for the 31st.
        let dimensions: Vec<_> = (0..31)
            .map(|i| serde_json::json!({ "name": format!("D{i:02}"), "value": "v" }))
            .collect();
        let json =
            serde_json::json!({ "namespace": "App", "name": "Requests", "dimensions": dimensions });
        let mut built = Metric::new("App", "Requests").unwrap();
        for i in 0..30 {
            built = built.with_dimension(format!("D{i:02}"), "v").unwrap();
        }
        assert_refused::<Metric>(
            &json.to_string(),
            &built.with_dimension("D30", "v").unwrap_err(),
        );
        // A dimension breaking the rules inside a metric.
        assert_refused::<Metric>(
            r#"{"namespace":"App","name":"Requests","dimensions":[{"name":":Bad","value":"v"}]}"#,
            &Dimension::new(":Bad", "v").unwrap_err(),
        );
        // A name given twice: the document must say which value it means.
        assert_refused::<Metric>(
            r#"{"namespace":"App","name":"Requests","dimensions":[{"name":"A","value":"1"},{"name":"A","value":"2"}]}"#,
            &QueryError::DuplicateDimension { name: "A".into() },
        );
        // Round trip, dimensions sorted whatever the document's order.
        let doc = r#"{"namespace":"App","name":"Requests","dimensions":[{"name":"B","value":"2"},{"name":"A","value":"1"}]}"#;
        let read: Metric = serde_json::from_str(doc).unwrap();
        let want = Metric::new("App", "Requests")
            .unwrap()
            .with_dimension("B", "2")
            .unwrap()
            .with_dimension("A", "1")
            .unwrap();
        assert_eq!(read, want);
        let again: Metric = serde_json::from_str(&serde_json::to_string(&read).unwrap()).unwrap();
        assert_eq!(again, want);
    }
}
