//! Money on the engine under test (SQLite, or PostgreSQL with GUYUB_TEST_DATABASE_URL):
//! the ledger, savings, loans and SHU through the services, as staff use them.

mod ledger;
mod loans;
mod reports;
mod savings;
mod shu;
mod support;
