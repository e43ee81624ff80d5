//! Staff accounts, roles and API tokens of a cooperative, and reading the audit log.

use crate::auth::hash_password;
use crate::secret::{random_token, token_hash};
use crate::{Actor, Result, ServiceError, invalid, record};
use guyub_domain::{Action, ApiTokenId, AuditEntryId, Email, Role, UserId};
use guyub_store::audit::{self, AuditEntry, Filter};
use guyub_store::tokens::{self, ApiToken};
use guyub_store::users::{self, NewUser, User};
use guyub_store::{Db, sessions};

/// Only an owner may hand out or take away the owner role.
fn check_role_grant(actor: &Actor, role: Role) -> Result<()> {
    if role == Role::Owner && actor.role != Role::Owner {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

pub struct AddUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
    pub locale: &'a str,
}

pub async fn add_user(db: &Db, actor: &Actor, u: AddUser<'_>) -> Result<User> {
    actor.require(Action::ManageUsers)?;
    check_role_grant(actor, u.role)?;
    let email = Email::parse(u.email).map_err(|e| invalid("email", e.to_string()))?;
    let name = u.name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(invalid("name", "must be 1 to 200 characters"));
    }
    let locale = if u.locale == "en" { "en" } else { "id" };
    let hash = hash_password(u.password).await?;
    let mut tx = db.begin_write().await?;
    let user = users::create(
        &mut tx,
        actor.cooperative_id,
        NewUser {
            email: &email,
            name,
            role: u.role,
            password_hash: &hash,
            locale,
        },
    )
    .await?;
    record(
        &mut tx,
        actor,
        "user.created",
        &format!("user:{}", user.id),
        &format!("role={}", user.role),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn list_users(db: &Db, actor: &Actor) -> Result<Vec<User>> {
    actor.require(Action::ViewUsers)?;
    Ok(users::list(&mut *db.conn().await?, actor.cooperative_id).await?)
}

pub async fn get_user(db: &Db, actor: &Actor, id: UserId) -> Result<User> {
    // Everyone may see their own account; others need ViewUsers.
    if actor.user_id() != Some(id) {
        actor.require(Action::ViewUsers)?;
    }
    Ok(users::get(&mut *db.conn().await?, actor.cooperative_id, id).await?)
}

/// Changes a user's role and ends their sessions so the new role applies at once.
pub async fn set_role(db: &Db, actor: &Actor, id: UserId, role: Role) -> Result<User> {
    actor.require(Action::ManageUsers)?;
    if actor.user_id() == Some(id) {
        return Err(invalid("role", "you cannot change your own role"));
    }
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let before = users::get(&mut tx, coop, id).await?;
    check_role_grant(actor, role)?;
    check_role_grant(actor, before.role)?;
    if before.role == Role::Owner
        && role != Role::Owner
        && users::count_active_owners(&mut tx, coop).await? <= 1
    {
        return Err(invalid("role", "the last owner cannot be demoted"));
    }
    users::set_role(&mut tx, coop, id, role).await?;
    sessions::delete_for_user(&mut tx, coop, id, None).await?;
    record(
        &mut tx,
        actor,
        "user.role_changed",
        &format!("user:{id}"),
        &format!("{} -> {}", before.role, role),
    )
    .await?;
    let after = users::get(&mut tx, coop, id).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates or reactivates an account; deactivation ends its sessions.
pub async fn set_active(db: &Db, actor: &Actor, id: UserId, active: bool) -> Result<User> {
    actor.require(Action::ManageUsers)?;
    if actor.user_id() == Some(id) {
        return Err(invalid("active", "you cannot deactivate yourself"));
    }
    let coop = actor.cooperative_id;
    let mut tx = db.begin_write().await?;
    let before = users::get(&mut tx, coop, id).await?;
    check_role_grant(actor, before.role)?;
    if !active
        && before.role == Role::Owner
        && users::count_active_owners(&mut tx, coop).await? <= 1
    {
        return Err(invalid("active", "the last owner cannot be deactivated"));
    }
    users::set_active(&mut tx, coop, id, active).await?;
    if !active {
        sessions::delete_for_user(&mut tx, coop, id, None).await?;
    }
    let action = if active {
        "user.activated"
    } else {
        "user.deactivated"
    };
    record(&mut tx, actor, action, &format!("user:{id}"), "").await?;
    let after = users::get(&mut tx, coop, id).await?;
    tx.commit().await?;
    Ok(after)
}

/// A new API token: the secret is in the returned string and nowhere else.
pub async fn create_token(
    db: &Db,
    actor: &Actor,
    name: &str,
    role: Role,
) -> Result<(ApiToken, String)> {
    actor.require(Action::ManageTokens)?;
    check_role_grant(actor, role)?;
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(invalid("name", "must be 1 to 100 characters"));
    }
    let secret = format!("gyb_{}", random_token());
    let prefix: String = secret.chars().take(10).collect();
    let mut tx = db.begin_write().await?;
    let token = tokens::create(
        &mut tx,
        actor.cooperative_id,
        name,
        role,
        &token_hash(&secret),
        &prefix,
        actor.user_id(),
    )
    .await?;
    record(
        &mut tx,
        actor,
        "token.created",
        &format!("token:{}", token.id),
        &format!("role={role} name={name}"),
    )
    .await?;
    tx.commit().await?;
    Ok((token, secret))
}

pub async fn list_tokens(db: &Db, actor: &Actor) -> Result<Vec<ApiToken>> {
    actor.require(Action::ManageTokens)?;
    Ok(tokens::list(&mut *db.conn().await?, actor.cooperative_id).await?)
}

pub async fn get_token(db: &Db, actor: &Actor, id: ApiTokenId) -> Result<ApiToken> {
    actor.require(Action::ManageTokens)?;
    Ok(tokens::get(&mut *db.conn().await?, actor.cooperative_id, id).await?)
}

pub async fn revoke_token(db: &Db, actor: &Actor, id: ApiTokenId) -> Result<ApiToken> {
    actor.require(Action::ManageTokens)?;
    let mut tx = db.begin_write().await?;
    let before = tokens::get(&mut tx, actor.cooperative_id, id).await?;
    let after = tokens::revoke(&mut tx, actor.cooperative_id, id).await?;
    if before.revoked_at.is_none() {
        record(&mut tx, actor, "token.revoked", &format!("token:{id}"), "").await?;
    }
    tx.commit().await?;
    Ok(after)
}

pub async fn audit_entries(db: &Db, actor: &Actor, filter: &Filter) -> Result<Vec<AuditEntry>> {
    actor.require(Action::ViewAudit)?;
    Ok(audit::list(&mut *db.conn().await?, actor.cooperative_id, filter).await?)
}

pub async fn audit_entry(db: &Db, actor: &Actor, id: AuditEntryId) -> Result<AuditEntry> {
    actor.require(Action::ViewAudit)?;
    Ok(audit::get(&mut *db.conn().await?, actor.cooperative_id, id).await?)
}
