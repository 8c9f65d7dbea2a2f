//! The whole app's tests on PostgreSQL: the modules of `tests/app/`, each
//! test on a new database of its own on the server `TEST_DATABASE_URL`
//! names (by default `postgres://postgres@127.0.0.1:5432/`).

/// The engine every test of this binary runs on.
const ENGINE: campus_visits::db::Engine = campus_visits::db::Engine::Postgres;

#[path = "app/access.rs"]
mod access;
#[path = "app/accounts.rs"]
mod accounts;
#[path = "app/api.rs"]
mod api;
#[path = "app/browser.rs"]
mod browser;
#[path = "app/cli.rs"]
mod cli;
#[path = "app/directory_pages.rs"]
mod directory_pages;
#[path = "app/exports.rs"]
mod exports;
#[path = "app/frameworks.rs"]
mod frameworks;
#[path = "app/fuzz.rs"]
mod fuzz;
#[path = "app/health.rs"]
mod health;
#[path = "app/helpers.rs"]
mod helpers;
#[path = "app/home.rs"]
mod home;
#[path = "app/hostile.rs"]
mod hostile;
#[path = "app/import.rs"]
mod import;
#[path = "app/insights.rs"]
mod insights;
#[path = "app/invitations.rs"]
mod invitations;
#[path = "app/items.rs"]
mod items;
#[path = "app/learning.rs"]
mod learning;
#[path = "app/mail.rs"]
mod mail;
#[path = "app/migrations.rs"]
mod migrations;
#[path = "app/observations.rs"]
mod observations;
#[path = "app/proxy.rs"]
mod proxy;
#[path = "app/record.rs"]
mod record;
#[path = "app/responses.rs"]
mod responses;
#[path = "app/smtp.rs"]
mod smtp;
#[path = "app/sso.rs"]
mod sso;
#[path = "app/visits.rs"]
mod visits;
