//! One test binary for the whole app: each module is a feature, tested the
//! way a person or a script uses it, on a fresh database per test.

mod access;
mod accounts;
mod api;
mod browser;
mod cli;
mod directory_pages;
mod frameworks;
mod health;
mod helpers;
mod import;
mod items;
mod migrations;
mod observations;
mod proxy;
mod visits;
