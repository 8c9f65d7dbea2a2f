//! campus-visits: Communities of Practice campus visits, their observations
//! and debriefs, and the action items that follow them.

pub mod accounts_cli;
pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod scale;
pub mod telemetry;
pub mod views;
pub mod web;
