//! The API end to end over real HTTP: one server and one SQLite file per test.
//! One test binary (one file per resource) so the suite links once.

mod access;
mod auth;
mod communities;
mod community;
mod consultations;
mod conventions;
mod defences;
mod deliberation;
mod facilities;
mod follows;
mod helpers;
mod households;
mod limits;
mod open311;
mod permissions;
mod personal;
mod photos;
mod requests;
mod results;
