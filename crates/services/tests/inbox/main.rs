//! The inbox's services on the engine under test (SQLite, or PostgreSQL with
//! GUYUB_TEST_DATABASE_URL): SLA settings, dues and the breach sweep; canned replies
//! and their sandbox.

mod canned;
mod sla;
mod support;
