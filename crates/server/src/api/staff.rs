//! `/api/v1`: the caller, the cooperative, users, API tokens, audit entries.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use guyub_domain::{ApiTokenId, AuditEntryId, Role, UserId};
use guyub_services::{ActorKind, staff};
use guyub_store::audit::{AuditEntry, Filter};
use guyub_store::tokens::ApiToken;
use guyub_store::users::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(cooperative))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(get_token, revoke_token))
        .routes(routes!(list_audit))
        .routes(routes!(get_audit))
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    cooperative_id: i64,
    role: String,
    /// `token` for API callers.
    kind: String,
    name: String,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = MeOut), (status = 401, body = crate::error::Problem)))]
async fn me(ApiActor(a): ApiActor) -> ApiResult<MeOut> {
    let (kind, name) = match &a.kind {
        ActorKind::Token { name, .. } => ("token", name.clone()),
        ActorKind::User { email, .. } => ("user", email.clone()),
        ActorKind::Cli => ("cli", String::new()),
    };
    Ok(Json(MeOut {
        cooperative_id: a.cooperative_id.0,
        role: a.role.to_string(),
        kind: kind.into(),
        name,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CooperativeOut {
    id: i64,
    slug: String,
    name: String,
    timezone: String,
}

/// The caller's cooperative.
#[utoipa::path(get, path = "/cooperative", tag = "cooperative", responses((status = 200, body = CooperativeOut), (status = 401, body = crate::error::Problem)))]
async fn cooperative(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<CooperativeOut> {
    let c = guyub_services::setup::cooperative(&st.db, &a).await?;
    Ok(Json(CooperativeOut {
        id: c.id.0,
        slug: c.slug,
        name: c.name,
        timezone: c.timezone,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    id: i64,
    email: String,
    name: String,
    role: String,
    locale: String,
    active: bool,
    created_at_ms: i64,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            id: u.id.0,
            email: u.email,
            name: u.name,
            role: u.role.to_string(),
            locale: u.locale,
            active: u.active,
            created_at_ms: u.created_at,
        }
    }
}

/// Staff of the cooperative.
#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, body = Vec<UserOut>), (status = 403, body = crate::error::Problem)))]
async fn list_users(State(st): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Vec<UserOut>> {
    Ok(Json(
        staff::list_users(&st.db, &a)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

fn parse_role(raw: &str) -> Result<Role, ApiError> {
    raw.parse()
        .map_err(|e: guyub_domain::permission::UnknownRole| {
            let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, Some(e.to_string()));
            err.1.field = Some("role".into());
            err
        })
}

#[derive(Deserialize, ToSchema)]
pub struct UserIn {
    email: String,
    name: String,
    /// owner, admin, manager, supervisor, agent, teller or auditor.
    role: String,
    password: String,
    #[serde(default)]
    locale: Option<String>,
}

/// Adds a staff account.
#[utoipa::path(post, path = "/users", tag = "users", request_body = UserIn,
    responses((status = 201, body = UserOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_user(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(u): ApiJson<UserIn>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    let role = parse_role(&u.role)?;
    let input = staff::AddUser {
        email: &u.email,
        name: &u.name,
        role,
        password: &u.password,
        locale: u.locale.as_deref().unwrap_or("id"),
    };
    Ok((
        StatusCode::CREATED,
        Json(staff::add_user(&st.db, &a, input).await?.into()),
    ))
}

/// One staff account.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = UserOut), (status = 404, body = crate::error::Problem)))]
async fn get_user(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<UserOut> {
    Ok(Json(staff::get_user(&st.db, &a, UserId(id)).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct UserPatch {
    role: Option<String>,
    active: Option<bool>,
}

/// Changes a staff account's role or deactivates it.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = UserOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_user(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<UserPatch>,
) -> ApiResult<UserOut> {
    let mut user = staff::get_user(&st.db, &a, UserId(id)).await?;
    if let Some(r) = p.role {
        user = staff::set_role(&st.db, &a, UserId(id), parse_role(&r)?).await?;
    }
    if let Some(active) = p.active {
        user = staff::set_active(&st.db, &a, UserId(id), active).await?;
    }
    Ok(Json(user.into()))
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    id: i64,
    name: String,
    role: String,
    prefix: String,
    created_at_ms: i64,
    last_used_at_ms: Option<i64>,
    revoked_at_ms: Option<i64>,
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> Self {
        TokenOut {
            id: t.id.0,
            name: t.name,
            role: t.role.to_string(),
            prefix: t.prefix,
            created_at_ms: t.created_at,
            last_used_at_ms: t.last_used_at,
            revoked_at_ms: t.revoked_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    #[serde(flatten)]
    token: TokenOut,
    /// The secret. It is shown this once and stored only as a hash.
    secret: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    name: String,
    role: String,
}

/// API tokens of the cooperative (secrets are never listed).
#[utoipa::path(get, path = "/tokens", tag = "tokens", responses((status = 200, body = Vec<TokenOut>), (status = 403, body = crate::error::Problem)))]
async fn list_tokens(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Vec<TokenOut>> {
    Ok(Json(
        staff::list_tokens(&st.db, &a)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Creates a token; its secret is in this response only.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = TokenIn, responses((status = 201, body = TokenCreated), (status = 422, body = crate::error::Problem)))]
async fn create_token(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(t): ApiJson<TokenIn>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let (token, secret) = staff::create_token(&st.db, &a, &t.name, parse_role(&t.role)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            token: token.into(),
            secret,
        }),
    ))
}

/// One token.
#[utoipa::path(get, path = "/tokens/{id}", tag = "tokens", params(("id" = i64, Path)), responses((status = 200, body = TokenOut), (status = 404, body = crate::error::Problem)))]
async fn get_token(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<TokenOut> {
    Ok(Json(
        staff::get_token(&st.db, &a, ApiTokenId(id)).await?.into(),
    ))
}

/// Revokes a token at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens", params(("id" = i64, Path)), responses((status = 200, body = TokenOut), (status = 404, body = crate::error::Problem)))]
async fn revoke_token(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<TokenOut> {
    Ok(Json(
        staff::revoke_token(&st.db, &a, ApiTokenId(id))
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    id: i64,
    seq: i64,
    at_ms: i64,
    actor: String,
    action: String,
    target: String,
    source: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditEntry> for AuditOut {
    fn from(e: AuditEntry) -> Self {
        AuditOut {
            id: e.id.0,
            seq: e.seq,
            at_ms: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            source: e.source,
            detail: e.detail,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct AuditParams {
    /// Actions starting with this, e.g. `login`.
    action: Option<String>,
    /// Actors containing this.
    actor: Option<String>,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Audit entries, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditParams), responses((status = 200, body = Vec<AuditOut>), (status = 403, body = crate::error::Problem)))]
async fn list_audit(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(p): Query<AuditParams>,
) -> ApiResult<Vec<AuditOut>> {
    let f = Filter {
        action_prefix: p.action.unwrap_or_default(),
        actor_contains: p.actor.unwrap_or_default(),
        from_ms: p.from_ms,
        to_ms: p.to_ms,
        limit: p.limit.unwrap_or(100),
        offset: p.offset.unwrap_or(0),
    };
    Ok(Json(
        staff::audit_entries(&st.db, &a, &f)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// One audit entry.
#[utoipa::path(get, path = "/audit/{id}", tag = "audit", params(("id" = i64, Path)), responses((status = 200, body = AuditOut), (status = 404, body = crate::error::Problem)))]
async fn get_audit(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<AuditOut> {
    Ok(Json(
        staff::audit_entry(&st.db, &a, AuditEntryId(id))
            .await?
            .into(),
    ))
}
