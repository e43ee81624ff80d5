//! Guyub's use cases. Each ties domain rules to the store inside one transaction and
//! writes the audit entry in that same transaction. Handlers and the CLI call these;
//! they never reach the store for a change themselves.

pub mod auth;
pub mod canned;
pub mod channels;
pub mod conversations;
pub mod demo;
pub mod identity;
pub mod import;
pub mod inbox;
pub mod ledger;
pub mod ledger_export;
pub mod loans;
pub mod media;
pub mod members;
pub mod pipeline;
pub mod reports;
pub mod savings;
pub mod search;
pub mod secret;
pub mod secretbox;
pub mod setup;
pub mod shu;
pub mod sla;
pub mod staff;

use guyub_domain::{Action, ApiTokenId, CooperativeId, Role, UserId};
use guyub_store::StoreError;

/// What a use case can refuse, in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(what) => ServiceError::Conflict(format!("{what} already exists")),
            other => ServiceError::Store(other),
        }
    }
}

impl From<guyub_store::SqlxError> for ServiceError {
    fn from(e: guyub_store::SqlxError) -> Self {
        ServiceError::Store(StoreError::Db(e))
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field,
        message: message.into(),
    }
}

/// Who is acting, on behalf of which cooperative, from where. Every change records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub cooperative_id: CooperativeId,
    pub role: Role,
    pub kind: ActorKind,
    /// The client's address, or `cli` for the command line.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    User { id: UserId, email: String },
    Token { id: ApiTokenId, name: String },
    Cli,
}

impl Actor {
    /// The command line acts as an owner of the cooperative it names.
    pub fn cli(cooperative_id: CooperativeId) -> Actor {
        Actor {
            cooperative_id,
            role: Role::Owner,
            kind: ActorKind::Cli,
            source: "cli".into(),
        }
    }

    /// The audit log's name for this actor.
    pub fn label(&self) -> String {
        match &self.kind {
            ActorKind::User { id, email } => format!("user:{id} {email}"),
            ActorKind::Token { id, name } => format!("token:{id} {name}"),
            ActorKind::Cli => "cli".to_string(),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self.kind {
            ActorKind::User { id, .. } => Some(id),
            _ => None,
        }
    }

    pub fn require(&self, action: Action) -> Result<()> {
        if self.role.can(action) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }
}

/// Writes the audit entry for a change, inside the change's transaction.
pub(crate) async fn record(
    conn: &mut guyub_store::Conn,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    guyub_store::audit::append(
        conn,
        guyub_store::audit::NewEntry {
            cooperative_id: Some(actor.cooperative_id),
            actor: &actor.label(),
            action,
            target,
            source: &actor.source,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Makes rustls use the ring crypto provider (once per process; later calls do
/// nothing). Every outgoing HTTPS connection (providers' APIs) needs it.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tls_tests {
    #[tokio::test]
    async fn https_urls_are_reachable_in_principle() {
        super::install_tls();
        let client = reqwest::Client::new();
        // Nothing listens there: a connection error, not "no TLS support".
        let e = client.get("https://127.0.0.1:9/").send().await.unwrap_err();
        assert!(e.is_connect(), "{e:?}");
    }
}
