//! The whole app's tests on SQLite: each module is a feature, tested the
//! way a person or a script uses it, on a fresh database per test.
//! `tests/postgres.rs` builds the same modules for PostgreSQL.

/// The engine every test of this binary runs on.
const ENGINE: campus_visits::db::Engine = campus_visits::db::Engine::Sqlite;

mod access;
mod accounts;
mod api;
mod browser;
mod cli;
mod directory_pages;
mod exports;
mod frameworks;
mod fuzz;
mod health;
mod helpers;
mod home;
mod hostile;
mod import;
mod insights;
mod invitations;
mod items;
mod learning;
mod mail;
mod migrations;
mod observations;
mod proxy;
mod record;
mod responses;
mod smtp;
mod sso;
mod visits;
