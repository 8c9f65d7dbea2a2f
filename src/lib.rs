//! campus-visits: Communities of Practice campus visits, their observations
//! and debriefs, and the action items that follow them.

pub mod app;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod import;
pub mod telemetry;
pub mod views;
pub mod web;
