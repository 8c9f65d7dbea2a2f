//! The read models: what the pages, the API and the messages show of the
//! record. `db/` fills them from its queries; `views/` renders them; neither
//! needs the other's types.

pub mod accounts;
pub mod audit;
pub mod debriefs;
pub mod frameworks;
pub mod home;
pub mod insights;
pub mod items;
pub mod learning;
pub mod observations;
pub mod outbox;
pub mod settings;
pub mod visits;
