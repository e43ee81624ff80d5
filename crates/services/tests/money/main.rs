//! Money on the engine under test (SQLite, or PostgreSQL with GUYUB_TEST_DATABASE_URL):
//! the ledger, savings, loans and SHU through the services, as staff use them.

mod ledger;
mod savings;
mod reports;
mod shu;
mod loans;
mod support;
