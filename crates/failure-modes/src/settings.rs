//! The `with_*` setters and getters of the detectors' configs, written once.
//!
//! Configs keep their fields private, so a field added later breaks nobody: callers start from
//! `Default::default()` and change what they need with `with_*`, and read a setting with the
//! getter of the same name. Values are checked when a detector is built from the config.

/// For each `field: Type` (with its doc comment), a getter `field()` and a setter
/// `with_field(value)` on the config type. Every field type is `Copy`.
macro_rules! settings {
    ($config:ty { $( $(#[doc = $doc:expr])* $field:ident, $setter:ident: $ty:ty; )* }) => {
        impl $config {
            $(
                $(#[doc = $doc])*
                #[must_use]
                pub const fn $field(&self) -> $ty {
                    self.$field
                }

                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                #[must_use]
                pub const fn $setter(mut self, value: $ty) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}

pub(crate) use settings;
