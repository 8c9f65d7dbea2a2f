//! Plain Rust: the values the product works with and the rules they obey.
//! Types here parse their input once; nothing here knows about HTTP or SQL.

/// An enumeration stored and exchanged as text (`value`), shown to people
/// as `label`: the enum with `ALL`, `as_str`, `label` and `FromStr`.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($value:literal, $label:literal)),+ $(,)? }
        unknown = $unknown:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: [$name; [$($value),+].len()] = [$($name::$variant),+];

            /// The value stored and exchanged.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            /// The words shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(raw: &str) -> Result<Self, String> {
                match raw.trim() {
                    $($value => Ok($name::$variant),)+
                    _ => Err($unknown.to_owned()),
                }
            }
        }
    };
}

pub mod account;
pub mod action_item;
pub mod catalogue;
pub mod csv;
pub mod debrief;
pub mod department;
pub mod fields;
pub mod forms;
pub mod framework;
pub mod home;
pub mod insights;
pub mod invitation;
pub mod learning;
pub mod message;
pub mod observation;
pub mod paging;
pub mod planner;
pub mod read;
pub mod response;
pub mod rollup;
pub mod school;
pub mod throttle;
pub mod user;
pub mod visit;

pub use fields::FieldErrors;
