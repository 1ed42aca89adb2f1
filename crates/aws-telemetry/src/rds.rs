//! The RDS adapter: [`RdsLimitSource`], a
//! [`ConnectionLimitSource`](crate::ConnectionLimitSource) on `aws-sdk-rds`.

use async_trait::async_trait;
use aws_sdk_rds::Client;
use aws_sdk_rds::error::ProvideErrorMetadata;

use crate::error::{ConnectionLimitError, ServiceError};
use crate::limits::{ConnectionLimit, ConnectionLimitSource};
use crate::retry::RetryPolicy;
use crate::sdk::{Attempts, NextTokens, display_with_region, map_sdk_error, with_retry};

const BACKEND: &str = "RDS";

/// The most `DescribeDBParameters` pages [`RdsLimitSource`] reads looking for
/// `max_connections`: 100. It asks for 100 parameters a page (the API's maximum), and a DB
/// parameter group holds a few hundred parameters, so a group is a handful of pages; 100
/// pages (10,000 parameters) leave room for far larger groups. A listing that hands out a
/// new `Marker` on every page used to be followed forever.
pub const MAX_DB_PARAMETER_PAGES: usize = 100;

/// A [`ConnectionLimitSource`] reading RDS: `DescribeDBInstances` for the instance's class,
/// engine and DB parameter group, then `DescribeDBParameters` (every page, following
/// `Marker`, up to [`MAX_DB_PARAMETER_PAGES`]; a marker returned twice, or one still set
/// after that many pages, is [`ServiceError::InvalidResponse`]) for `max_connections`, evaluated by
/// [`ConnectionLimit::evaluate`](crate::ConnectionLimit::evaluate) with the class's nominal
/// memory (an approximation: see [`instance_class_memory`](crate::instance_class_memory)).
///
/// The identifier is matched without regard to case, as RDS matches it (RDS stores identifiers
/// in lowercase: `Orders-DB` names the instance `orders-db`).
///
/// `DBInstanceNotFound`, and a group without a `max_connections` value, become
/// [`ServiceError::NotFound`]; a formula this crate cannot evaluate is
/// [`ConnectionLimitError::Formula`]. Where an
/// RDS Proxy fronts the database, read its `MaxDatabaseConnectionsAllowed` instead
/// ([`proxy_max_connections_metric`](crate::proxy_max_connections_metric)).
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::{ConnectionLimitSource, RdsLimitSource};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let limit = RdsLimitSource::new(&config).connection_limit("orders-db").await?;
/// println!("{} ({}): max_connections {}", limit.instance, limit.formula, limit.max_connections);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RdsLimitSource {
    client: Client,
}

impl RdsLimitSource {
    /// A source from the caller's SDK configuration, with the default [`RetryPolicy`].
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::new(config), RetryPolicy::default())
    }

    /// A source from a ready client; `retry` replaces the client's retry configuration.
    pub fn from_client(client: Client, retry: RetryPolicy) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
        }
    }
}

display_with_region!(RdsLimitSource, "RDS");

fn invalid(reason: String) -> ServiceError {
    ServiceError::InvalidResponse {
        backend: BACKEND,
        reason,
    }
}

#[async_trait]
impl ConnectionLimitSource for RdsLimitSource {
    async fn connection_limit(
        &self,
        instance: &str,
    ) -> Result<ConnectionLimit, ConnectionLimitError> {
        let attempts = Attempts::default();
        let described = self
            .client
            .describe_db_instances()
            .db_instance_identifier(instance)
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await;
        let described = match described {
            Ok(out) => out,
            Err(err) if err.code() == Some("DBInstanceNotFound") => {
                return Err(ServiceError::NotFound {
                    backend: BACKEND,
                    what: format!("DB instance {instance:?}"),
                }
                .into());
            }
            Err(err) => return Err(map_sdk_error(BACKEND, err, attempts.count()).into()),
        };
        let db = described
            .db_instances()
            .iter()
            // RDS stores identifiers in lowercase and matches them case-insensitively:
            // `Orders-DB` is answered with `orders-db`.
            .find(|db| {
                db.db_instance_identifier()
                    .is_some_and(|id| id.eq_ignore_ascii_case(instance))
            })
            .ok_or_else(|| ServiceError::NotFound {
                backend: BACKEND,
                what: format!("DB instance {instance:?}"),
            })?;
        let class = db
            .db_instance_class()
            .ok_or_else(|| invalid(format!("instance {instance:?} without DBInstanceClass")))?;
        let engine = db.engine().unwrap_or_default();
        let group = db
            .db_parameter_groups()
            .first()
            .and_then(|g| g.db_parameter_group_name())
            .ok_or_else(|| {
                invalid(format!(
                    "instance {instance:?} without a DB parameter group"
                ))
            })?;

        let mut marker: Option<String> = None;
        let mut markers = NextTokens::named("Marker")
            .with_max_pages(MAX_DB_PARAMETER_PAGES, "MAX_DB_PARAMETER_PAGES");
        let formula = loop {
            let attempts = Attempts::default();
            let page = self
                .client
                .describe_db_parameters()
                .db_parameter_group_name(group)
                .max_records(100)
                .set_marker(marker.take())
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
            let found = page
                .parameters()
                .iter()
                .find(|p| p.parameter_name() == Some("max_connections"));
            if let Some(parameter) = found {
                break parameter
                    .parameter_value()
                    .map(str::to_owned)
                    .ok_or_else(|| ServiceError::NotFound {
                        backend: BACKEND,
                        what: format!("max_connections value in parameter group {group:?}"),
                    })?;
            }
            marker = markers.follow(BACKEND, page.marker())?;
            if marker.is_none() {
                return Err(ServiceError::NotFound {
                    backend: BACKEND,
                    what: format!("max_connections in parameter group {group:?}"),
                }
                .into());
            }
        };
        ConnectionLimit::evaluate(instance, class, engine, group, &formula).map_err(|source| {
            ConnectionLimitError::Formula {
                instance: instance.to_owned(),
                source,
            }
        })
    }
}
