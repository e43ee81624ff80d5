//! The `guyub` command line: serve, migrate, manage cooperatives, users and tokens,
//! verify the audit log, check the configuration.

mod channel_cmd;
pub mod cli;
mod member_cmd;
mod savings_cmd;
