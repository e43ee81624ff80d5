//! Failed logins, counted per account and per source address, so that every process
//! of a deployment sees the same counts.

use crate::{Conn, Result};

pub async fn record_failure(
    conn: &mut Conn,
    account_key: &str,
    source: &str,
    at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (account_key, source, at) VALUES ($1, $2, $3)")
        .bind(account_key)
        .bind(source)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Failures for the account and for the address since `since`.
pub async fn counts_since(
    conn: &mut Conn,
    account_key: &str,
    source: &str,
    since: i64,
) -> Result<(i64, i64)> {
    let account: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_failures WHERE account_key = $1 AND at > $2",
    )
    .bind(account_key)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    let address: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE source = $1 AND at > $2")
            .bind(source)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    Ok((account, address))
}

/// A successful login forgives the account's earlier failures (not the address's).
pub async fn clear_account(conn: &mut Conn, account_key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE account_key = $1")
        .bind(account_key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn prune(conn: &mut Conn, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
