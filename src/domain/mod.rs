//! Plain Rust: the values the product works with and the rules they obey.
//! Types here parse their input once; nothing here knows about HTTP or SQL.

pub mod account;
pub mod debrief;
pub mod department;
pub mod fields;
pub mod framework;
pub mod observation;
pub mod paging;
pub mod planner;
pub mod rollup;
pub mod school;
pub mod throttle;
pub mod user;
pub mod visit;

pub use fields::FieldErrors;
