//! The `guyub` command line: serve, migrate, manage cooperatives, users and tokens,
//! verify the audit log, check the configuration.

pub mod cli;
mod member_cmd;
