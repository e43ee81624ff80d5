//! The inbox on the engine under test (SQLite, or PostgreSQL with
//! GUYUB_TEST_DATABASE_URL): full-text search over messages and contacts.

mod search;
mod support;
