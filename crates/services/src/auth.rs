//! Logging in and out, sessions, API tokens as credentials, password changes.

use crate::secret::{random_token, token_hash};
use crate::{Actor, ActorKind, Result, ServiceError, invalid};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use guyub_domain::{CooperativeId, Email, UserId};
use guyub_store::audit::{self, NewEntry};
use guyub_store::sessions::Session;
use guyub_store::users::User;
use guyub_store::{Db, cooperatives, now_ms, sessions, throttle, tokens, users};
use std::time::Duration;

/// Limits on guessing. Failures older than the window are forgotten.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub window: Duration,
    pub per_account: i64,
    pub per_address: i64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            window: Duration::from_secs(15 * 60),
            per_account: 5,
            per_address: 30,
        }
    }
}

pub const MIN_PASSWORD_LEN: usize = 10;

/// Hashes a password with argon2id (the crate's default parameters: 19 MiB, t=2),
/// off the async threads.
pub async fn hash_password(password: &str) -> Result<String> {
    check_password_rules(password)?;
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

pub fn check_password_rules(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if password.len() > 1024 {
        return Err(invalid("password", "must be at most 1024 bytes"));
    }
    Ok(())
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (pw, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(pw.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody knows, verified when the account does not exist so
/// that a wrong e-mail takes as long as a wrong password.
async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async { hash_password(&random_token()).await.unwrap_or_default() })
        .await
}

/// A successful login: the cookie value to set (shown once, stored hashed).
#[derive(Debug)]
pub struct LoggedIn {
    pub session_token: String,
    pub user: User,
    pub expires_at: i64,
}

pub async fn login(
    db: &Db,
    throttle_cfg: Throttle,
    session_ttl: Duration,
    slug: &str,
    email: &str,
    password: &str,
    source: &str,
) -> Result<LoggedIn> {
    let now = now_ms();
    let account_key = format!(
        "{}/{}",
        slug.trim().to_ascii_lowercase(),
        email.trim().to_lowercase()
    );
    let since = now - throttle_cfg.window.as_millis() as i64;
    let mut conn = db.conn().await?;
    let (by_account, by_address) =
        throttle::counts_since(&mut conn, &account_key, source, since).await?;
    if by_account >= throttle_cfg.per_account || by_address >= throttle_cfg.per_address {
        return Err(ServiceError::TooManyAttempts {
            retry_after_secs: throttle_cfg.window.as_secs(),
        });
    }
    let coop = cooperatives::by_slug(&mut conn, slug.trim()).await?;
    let found = match (&coop, Email::parse(email)) {
        (Some(c), Ok(e)) => users::for_login(&mut conn, c.id, &e).await?,
        _ => None,
    };
    drop(conn);
    let ok = match &found {
        Some((user, hash)) => verify_password(password, hash).await && user.active,
        None => {
            verify_password(password, dummy_hash().await).await;
            false
        }
    };
    let mut tx = db.begin_write().await?;
    let Some((user, _)) = found.filter(|_| ok) else {
        throttle::record_failure(&mut tx, &account_key, source, now).await?;
        if let Some(c) = &coop {
            audit::append(
                &mut tx,
                NewEntry {
                    cooperative_id: Some(c.id),
                    actor: "anonymous",
                    action: "login.failed",
                    target: &Email::parse(email).map(|e| e.masked()).unwrap_or_default(),
                    source,
                    detail: "",
                },
            )
            .await?;
        }
        tx.commit().await?;
        return Err(ServiceError::BadCredentials);
    };
    let token = random_token();
    let csrf = random_token();
    let expires_at = now + session_ttl.as_millis() as i64;
    sessions::create(
        &mut tx,
        user.cooperative_id,
        user.id,
        &token_hash(&token),
        &csrf,
        expires_at,
    )
    .await?;
    throttle::clear_account(&mut tx, &account_key).await?;
    audit::append(
        &mut tx,
        NewEntry {
            cooperative_id: Some(user.cooperative_id),
            actor: &format!("user:{} {}", user.id, user.email),
            action: "login",
            target: &format!("user:{}", user.id),
            source,
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user.id = %user.id, cooperative.id = %user.cooperative_id, "login");
    Ok(LoggedIn {
        session_token: token,
        user,
        expires_at,
    })
}

/// The session behind a cookie value, sliding its expiry when it is past half-life.
pub async fn session(db: &Db, cookie: &str, session_ttl: Duration) -> Result<Option<Session>> {
    let hash = token_hash(cookie);
    let now = now_ms();
    let mut conn = db.conn().await?;
    let Some(s) = sessions::find(&mut conn, &hash, now).await? else {
        return Ok(None);
    };
    let ttl = session_ttl.as_millis() as i64;
    if s.expires_at - now < ttl / 2 {
        sessions::touch(&mut conn, &hash, now + ttl).await?;
    }
    Ok(Some(s))
}

pub async fn logout(db: &Db, cookie: &str, actor: &Actor) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sessions::delete(&mut tx, &token_hash(cookie)).await?;
    audit::append(
        &mut tx,
        NewEntry {
            cooperative_id: Some(actor.cooperative_id),
            actor: &actor.label(),
            action: "logout",
            target: &actor
                .user_id()
                .map(|u| format!("user:{u}"))
                .unwrap_or_default(),
            source: &actor.source,
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The actor behind `Authorization: Bearer <token>`, if the token is live.
pub async fn token_actor(db: &Db, bearer: &str, source: &str) -> Result<Option<Actor>> {
    let mut conn = db.conn().await?;
    let Some(t) = tokens::authenticate(&mut conn, &token_hash(bearer.trim())).await? else {
        return Ok(None);
    };
    tokens::mark_used(&mut conn, t.cooperative_id, t.id).await?;
    Ok(Some(Actor {
        cooperative_id: t.cooperative_id,
        role: t.role,
        kind: ActorKind::Token {
            id: t.id,
            name: t.name,
        },
        source: source.to_string(),
    }))
}

/// Changes one's own password after checking the current one; ends the user's
/// other sessions.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    current_session_cookie: Option<&str>,
    current: &str,
    new: &str,
) -> Result<()> {
    let user_id = actor.user_id().ok_or(ServiceError::Forbidden)?;
    let coop = actor.cooperative_id;
    let old_hash = users::password_hash(&mut *db.conn().await?, coop, user_id).await?;
    if !verify_password(current, &old_hash).await {
        return Err(invalid("current_password", "is not correct"));
    }
    if current == new {
        return Err(invalid(
            "new_password",
            "must differ from the current password",
        ));
    }
    let new_hash = hash_password(new).await?;
    let mut tx = db.begin_write().await?;
    users::set_password(&mut tx, coop, user_id, &new_hash).await?;
    let keep = current_session_cookie.map(token_hash);
    sessions::delete_for_user(&mut tx, coop, user_id, keep.as_deref()).await?;
    audit::append(
        &mut tx,
        NewEntry {
            cooperative_id: Some(coop),
            actor: &actor.label(),
            action: "user.password_changed",
            target: &format!("user:{user_id}"),
            source: &actor.source,
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Loads the cooperative's user as an actor (used by the session extractor).
pub fn session_actor(user: &User, source: &str) -> Actor {
    Actor {
        cooperative_id: user.cooperative_id,
        role: user.role,
        kind: ActorKind::User {
            id: user.id,
            email: user.email.clone(),
        },
        source: source.to_string(),
    }
}

/// Sets the interface language of a user (`id` or `en`).
pub async fn set_locale(db: &Db, coop: CooperativeId, user: UserId, locale: &str) -> Result<()> {
    if !matches!(locale, "id" | "en") {
        return Err(invalid("locale", "must be 'id' or 'en'"));
    }
    users::set_locale(&mut *db.conn().await?, coop, user, locale).await?;
    Ok(())
}
