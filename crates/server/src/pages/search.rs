//! The search page: messages and contacts matching a query, in Indonesian (stemmed).
//! A message links to its place in the conversation, a contact to its page.

use super::{Shell, local_time, page_query, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use guyub_domain::search::{QueryError, SearchQuery, SnippetPart};
use guyub_services::search::{self, SearchFilter};
use serde::Deserialize;

const PAGE: i64 = 20;

struct MessageRow {
    conversation_id: i64,
    message_id: i64,
    contact_name: String,
    kind: String,
    outgoing: bool,
    when: String,
    snippet: Vec<SnippetPart>,
}

struct ContactRow {
    id: i64,
    name: String,
    member_id: Option<i64>,
    member_no: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    t: Tr,
    shell: Shell,
    q: String,
    /// A search was made (and not refused).
    searched: bool,
    /// The query had no searchable word (only punctuation, emoji, "yang" …).
    no_words: bool,
    error: Option<String>,
    messages: Vec<MessageRow>,
    contacts: Vec<ContactRow>,
    newer: Option<String>,
    older: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: i64,
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    let t = s.tr();
    let shell = Shell::load(&state, &s, "search", None).await?;
    let mut view = SearchPage {
        t,
        shell,
        q: p.q.clone(),
        searched: false,
        no_words: false,
        error: None,
        messages: Vec::new(),
        contacts: Vec::new(),
        newer: None,
        older: None,
    };
    let mut status = StatusCode::OK;
    // No query yet: the form alone. A refused one: the form and why, in the user's
    // language.
    match SearchQuery::parse(&p.q) {
        Err(QueryError::Empty) if p.q.is_empty() => {}
        Err(QueryError::Empty) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            view.error = Some(t.s("search.empty").to_string());
        }
        Err(QueryError::TooLong) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            view.error = Some(t.s("search.too_long").to_string());
        }
        Ok(_) => {
            let page = p.page.clamp(0, search::MAX_OFFSET / PAGE);
            let filter = SearchFilter {
                offset: page * PAGE,
                ..Default::default()
            };
            match search::search(&state.db, &s.actor, &p.q, &filter, PAGE).await {
                Ok(r) => {
                    view.searched = true;
                    view.no_words = r.terms.is_empty();
                    let tz = view.shell.tz.clone();
                    view.messages = r
                        .messages
                        .into_iter()
                        .map(|m| MessageRow {
                            conversation_id: m.conversation_id.0,
                            message_id: m.message_id.0,
                            contact_name: m.contact_name,
                            kind: m.channel_kind,
                            outgoing: m.direction == "out",
                            when: local_time(m.created_at, &tz),
                            snippet: m.snippet,
                        })
                        .collect();
                    view.contacts = r
                        .contacts
                        .into_iter()
                        .map(|c| ContactRow {
                            id: c.contact_id.0,
                            name: c.name,
                            member_id: c.member_id.map(|m| m.0),
                            member_no: c.member_no.unwrap_or_default(),
                        })
                        .collect();
                    let q = [("q", p.q.as_str())];
                    view.newer = (page > 0).then(|| page_query(&q, page - 1));
                    view.older =
                        (r.more_messages || r.more_contacts).then(|| page_query(&q, page + 1));
                }
                Err(e) => {
                    let (st, message) = refusal(&s, e)?;
                    status = st;
                    view.error = Some(message);
                }
            }
        }
    }
    Ok((status, html(&view, s.lang())?).into_response())
}
