//! First run: there is no default password. A fresh install prints a one-time setup
//! link; whoever opens it creates the first cooperative and its owner. The command
//! line can do the same (`guyub cooperative add`, `guyub user add`).

use crate::auth::hash_password;
use crate::secret::{random_token, token_hash};
use crate::{Result, ServiceError, invalid};
use guyub_domain::{Email, Role, Slug};
use guyub_store::audit::{self, NewEntry};
use guyub_store::cooperatives::{self, Cooperative};
use guyub_store::users::{self, NewUser, User};
use guyub_store::{Db, now_ms, setup};
use std::time::Duration;

/// True when the installation has no staff account at all.
pub async fn needed(db: &Db) -> Result<bool> {
    Ok(users::count_all(&mut *db.conn().await?).await? == 0)
}

/// Makes a setup link token valid for `ttl`; the caller prints it once.
pub async fn create_link(db: &Db, ttl: Duration) -> Result<String> {
    let token = random_token();
    setup::create(
        &mut *db.conn().await?,
        &token_hash(&token),
        now_ms() + ttl.as_millis() as i64,
    )
    .await?;
    Ok(token)
}

pub async fn link_is_valid(db: &Db, token: &str) -> Result<bool> {
    Ok(setup::is_valid(&mut *db.conn().await?, &token_hash(token)).await?)
}

/// Creates a cooperative (platform-level action, recorded on the platform chain).
pub async fn create_cooperative(
    db: &Db,
    slug: &str,
    name: &str,
    source: &str,
) -> Result<Cooperative> {
    let slug = Slug::parse(slug).map_err(|e| invalid("slug", e.to_string()))?;
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(invalid("name", "must be 1 to 200 characters"));
    }
    let mut tx = db.begin_write().await?;
    let coop = cooperatives::create(&mut tx, &slug, name, None).await?;
    audit::append(
        &mut tx,
        NewEntry {
            cooperative_id: None,
            actor: source,
            action: "cooperative.created",
            target: &format!("cooperative:{} {}", coop.id, coop.slug),
            source,
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(coop)
}

pub struct Setup<'a> {
    pub token: &'a str,
    pub cooperative_name: &'a str,
    pub slug: &'a str,
    pub owner_email: &'a str,
    pub owner_name: &'a str,
    pub password: &'a str,
}

/// Uses the setup link: creates the cooperative and its owner in one transaction.
pub async fn complete(db: &Db, s: Setup<'_>, source: &str) -> Result<(Cooperative, User)> {
    let slug = Slug::parse(s.slug).map_err(|e| invalid("slug", e.to_string()))?;
    let email = Email::parse(s.owner_email).map_err(|e| invalid("email", e.to_string()))?;
    let (coop_name, owner_name) = (s.cooperative_name.trim(), s.owner_name.trim());
    if coop_name.is_empty() {
        return Err(invalid("cooperative_name", "is required"));
    }
    if owner_name.is_empty() {
        return Err(invalid("name", "is required"));
    }
    let hash = hash_password(s.password).await?;
    let mut tx = db.begin_write().await?;
    if !setup::consume(&mut tx, &token_hash(s.token)).await? {
        return Err(ServiceError::Invalid {
            field: "token",
            message: "this setup link has been used or has expired".into(),
        });
    }
    let coop = cooperatives::create(&mut tx, &slug, coop_name, None).await?;
    let user = users::create(
        &mut tx,
        coop.id,
        NewUser {
            email: &email,
            name: owner_name,
            role: Role::Owner,
            password_hash: &hash,
            locale: "id",
        },
    )
    .await?;
    for (chain, action, target) in [
        (
            None,
            "cooperative.created",
            format!("cooperative:{} {}", coop.id, coop.slug),
        ),
        (Some(coop.id), "user.created", format!("user:{}", user.id)),
    ] {
        audit::append(
            &mut tx,
            NewEntry {
                cooperative_id: chain,
                actor: "setup-link",
                action,
                target: &target,
                source,
                detail: "role=owner",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok((coop, user))
}

/// The actor's cooperative (name, logo, time zone for the page frame and the API).
pub async fn cooperative(
    db: &Db,
    actor: &crate::Actor,
) -> Result<guyub_store::cooperatives::Cooperative> {
    actor.require(guyub_domain::Action::ViewDashboard)?;
    Ok(guyub_store::cooperatives::get(&mut *db.conn().await?, actor.cooperative_id).await?)
}

/// The slug of the deployment's only cooperative, if there is exactly one (the login
/// form fills it in).
pub async fn only_cooperative(db: &Db) -> Result<Option<String>> {
    let all = guyub_store::cooperatives::list(&mut *db.conn().await?).await?;
    Ok((all.len() == 1).then(|| all[0].slug.clone()))
}
