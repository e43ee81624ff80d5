//! `/api/v1/search`: full-text search over the cooperative's messages and contacts, in
//! Indonesian (stemmed: "meminjam" finds "pinjaman").

use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use guyub_services::ServiceError;
use guyub_services::search::{self, Scope, SearchFilter, SearchResults};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_all))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQueryIn {
    /// The words to look for (1 to 200 characters). Every word must match; each is
    /// matched in any of its forms (`pinjaman`, `meminjam` and `pinjam` are one word),
    /// numbers in any spelling (`0812…`/`62812…`, `1.500.000`/`1500000`). Operators and
    /// quotes have no special meaning.
    q: String,
    /// Results per group, 1 to 50 (default 20).
    limit: Option<i64>,
    /// Results of each group to skip, 0 to 500 (default 0): a search ranks the newest
    /// 500 matches of each group.
    offset: Option<i64>,
    /// `all` (default), `messages` or `contacts`.
    scope: Option<String>,
    /// Only messages of this kind of channel (`whatsapp`, `email`, …); no contacts then.
    channel: Option<String>,
}

/// One piece of a snippet; `hit` marks a word the query matched.
#[derive(Serialize, ToSchema)]
pub struct SnippetPartOut {
    text: String,
    hit: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MessageHitOut {
    message_id: i64,
    conversation_id: i64,
    contact_id: i64,
    contact_name: String,
    /// whatsapp, messenger, instagram, telegram, line, x, webchat or email.
    channel_kind: String,
    /// `in` from the member, `out` from the cooperative.
    direction: String,
    /// The text around the matched words, on one line (`…` where text was left out).
    snippet: String,
    /// The snippet in pieces, matched words marked.
    snippet_parts: Vec<SnippetPartOut>,
    /// The words of the snippet that matched, as written.
    matched: Vec<String>,
    created_at_ms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ContactHitOut {
    contact_id: i64,
    name: String,
    member_id: Option<i64>,
    member_no: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchOut {
    query: String,
    /// What was looked for: per query word, the index terms any of which matched.
    terms: Vec<Vec<String>>,
    /// Best first (bm25 / ts_rank), newest first among equals.
    messages: Vec<MessageHitOut>,
    contacts: Vec<ContactHitOut>,
    /// Whether `offset + limit` has more messages (contacts).
    more_messages: bool,
    more_contacts: bool,
    limit: i64,
    offset: i64,
}

impl From<SearchResults> for SearchOut {
    fn from(r: SearchResults) -> Self {
        SearchOut {
            query: r.query,
            terms: r.terms,
            messages: r
                .messages
                .into_iter()
                .map(|m| MessageHitOut {
                    message_id: m.message_id.0,
                    conversation_id: m.conversation_id.0,
                    contact_id: m.contact_id.0,
                    snippet: m.snippet_text(),
                    matched: m.matched(),
                    snippet_parts: m
                        .snippet
                        .into_iter()
                        .map(|p| SnippetPartOut {
                            text: p.text,
                            hit: p.hit,
                        })
                        .collect(),
                    contact_name: m.contact_name,
                    channel_kind: m.channel_kind,
                    direction: m.direction,
                    created_at_ms: m.created_at,
                })
                .collect(),
            contacts: r
                .contacts
                .into_iter()
                .map(|c| ContactHitOut {
                    contact_id: c.contact_id.0,
                    name: c.name,
                    member_id: c.member_id.map(|m| m.0),
                    member_no: c.member_no,
                })
                .collect(),
            more_messages: r.more_messages,
            more_contacts: r.more_contacts,
            limit: r.limit,
            offset: r.offset,
        }
    }
}

/// Searches messages and contacts. Needs an inbox role.
#[utoipa::path(get, path = "/search", tag = "inbox", params(SearchQueryIn), responses(
    (status = 200, body = SearchOut),
    (status = 403, body = crate::error::Problem),
    (status = 422, description = "empty or too long query, bad limit, offset, scope or channel", body = crate::error::Problem)))]
async fn search_all(
    State(st): State<AppState>,
    ApiActor(a): ApiActor,
    Query(q): Query<SearchQueryIn>,
) -> Result<Json<SearchOut>, ApiError> {
    let scope = Scope::parse(q.scope.as_deref().unwrap_or("")).ok_or_else(|| {
        ApiError::from(ServiceError::Invalid {
            field: "scope",
            message: "scope must be all, messages or contacts".into(),
        })
    })?;
    let filter = SearchFilter {
        scope,
        channel_kind: q.channel,
        offset: q.offset.unwrap_or(0),
    };
    let r = search::search(&st.db, &a, &q.q, &filter, q.limit.unwrap_or(20)).await?;
    Ok(Json(r.into()))
}
