//! The inbox's services on the engine under test (SQLite, or PostgreSQL with
//! GUYUB_TEST_DATABASE_URL): SLA settings, dues and the breach sweep; canned replies
//! and their sandbox; full-text search over messages and contacts; live events across
//! processes.

mod canned;
mod open;
mod relay;
mod search;
mod search_support;
mod sla;
mod support;
