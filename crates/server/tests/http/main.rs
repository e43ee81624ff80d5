//! End-to-end tests of the HTTP server: the real router on a real port with its own
//! database (SQLite by default, PostgreSQL with GUYUB_TEST_DATABASE_URL).

mod api;
mod canned;
mod email;
mod files;
mod inbox;
mod inbox_settings;
mod isolation;
mod ledger;
mod loans;
mod media;
mod members;
mod pipeline;
mod savings;
mod search;
mod sla;
mod support;
mod ui;
mod webchat;
