//! The statistical parts every detector is built from, each tested on its own.

mod baseline;
mod changepoint;
mod ewma;
mod forecast;
mod seasonal;
mod tails;

pub use baseline::{MAD_TO_SIGMA, RobustBaseline};
pub use changepoint::{Cusum, Direction};
pub use ewma::Ewma;
pub use forecast::TrendForecast;
pub use seasonal::SeasonalBaseline;
pub use tails::{binomial_upper_tail, poisson_upper_tail};
