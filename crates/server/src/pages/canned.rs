//! `/settings/canned`: canned replies. Agents read them with a preview in sample
//! values; supervisors and administrators create, edit (with a preview before saving)
//! and delete them.

use super::{Flash, Shell, refusal};
use crate::auth::PageSession;
use crate::error::{PageError, html};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guyub_domain::{Action, CannedReplyId};
use guyub_services::canned::{self, CannedContext, CannedInput, VARIABLES};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// The reply form as typed; `do` is `preview` or `save` (the button pressed).
#[derive(Deserialize, Clone, Default)]
#[serde(default)]
pub struct CannedForm {
    shortcut: String,
    title: String,
    body: String,
    #[serde(rename = "do")]
    action: String,
}

impl CannedForm {
    fn input(&self) -> CannedInput<'_> {
        CannedInput {
            shortcut: &self.shortcut,
            title: &self.title,
            body: &self.body,
        }
    }

    fn previewing(&self) -> bool {
        self.action == "preview"
    }
}

struct ReplyRow {
    id: i64,
    shortcut: String,
    title: String,
    /// The body rendered with the sample values, or why it does not render.
    sample: String,
    broken: bool,
}

struct VariableRow {
    name: &'static str,
    about: &'static str,
    sample: &'static str,
}

#[derive(Template)]
#[template(path = "canned.html")]
struct CannedPage {
    t: Tr,
    shell: Shell,
    rows: Vec<ReplyRow>,
    can_manage: bool,
    /// The reply being edited (None: the add form).
    editing: Option<i64>,
    f: CannedForm,
    variables: Vec<VariableRow>,
    preview: Option<String>,
    error: Option<String>,
}

#[derive(Default)]
struct PageState {
    editing: Option<i64>,
    form: Option<CannedForm>,
    preview: Option<String>,
    error: Option<(StatusCode, String)>,
}

async fn canned_page(
    state: &AppState,
    s: &PageSession,
    flash: Option<&str>,
    st: PageState,
) -> PageResult {
    let list = canned::list(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let shell = Shell::load(state, s, "canned", flash).await?;
    let t = s.tr();
    let sample = CannedContext::sample();
    let rows = list
        .into_iter()
        .map(|c| {
            let (text, broken) = match canned::render_body(&c.body, &sample) {
                Ok(text) => (text, false),
                Err(e) => (e.to_string(), true),
            };
            ReplyRow {
                id: c.id.0,
                shortcut: c.shortcut,
                title: c.title,
                sample: text,
                broken,
            }
        })
        .collect();
    let variables = VARIABLES
        .iter()
        .map(|v| VariableRow {
            name: v.name,
            about: t.or(&format!("canned.var.{}", v.name), v.about),
            sample: v.sample,
        })
        .collect();
    let status = st.error.as_ref().map_or(StatusCode::OK, |(code, _)| *code);
    let view = CannedPage {
        t,
        shell,
        rows,
        can_manage: s.actor.role.can(Action::ManageRouting),
        editing: st.editing,
        f: st.form.unwrap_or_default(),
        variables,
        preview: st.preview,
        error: st.error.map(|(_, e)| e),
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Flash>,
) -> PageResult {
    canned_page(&state, &s, q.ok.as_deref(), PageState::default()).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    s.actor
        .require(Action::ManageRouting)
        .map_err(|e| s.fail(e))?;
    let c = canned::get(&state.db, &s.actor, CannedReplyId(id))
        .await
        .map_err(|e| s.fail(e))?;
    let form = CannedForm {
        shortcut: c.shortcut,
        title: c.title,
        body: c.body,
        action: String::new(),
    };
    let preview = canned::render_body(&form.body, &CannedContext::sample()).ok();
    let st = PageState {
        editing: Some(id),
        form: Some(form),
        preview,
        error: None,
    };
    canned_page(&state, &s, None, st).await
}

/// Previews the typed body, or saves the reply (`id`: the one edited).
async fn submit(state: &AppState, s: &PageSession, id: Option<i64>, f: CannedForm) -> PageResult {
    s.actor
        .require(Action::ManageRouting)
        .map_err(|e| s.fail(e))?;
    let mut st = PageState {
        editing: id,
        ..Default::default()
    };
    if f.previewing() {
        match canned::preview(&s.actor, &f.body, &CannedContext::sample()) {
            Ok(text) => st.preview = Some(text),
            Err(e) => st.error = Some(refusal(s, e)?),
        }
    } else {
        let saved = match id {
            Some(id) => canned::update(&state.db, &s.actor, CannedReplyId(id), &f.input()).await,
            None => canned::create(&state.db, &s.actor, &f.input()).await,
        };
        match saved {
            Ok(_) => return Ok(Redirect::to("/settings/canned?ok=canned.saved").into_response()),
            Err(e) => st.error = Some(refusal(s, e)?),
        }
    }
    st.form = Some(f);
    canned_page(state, s, None, st).await
}

pub async fn create(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<CannedForm>,
) -> PageResult {
    submit(&state, &s, None, f).await
}

pub async fn update(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
    Form(f): Form<CannedForm>,
) -> PageResult {
    submit(&state, &s, Some(id), f).await
}

pub async fn delete(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    canned::delete(&state.db, &s.actor, CannedReplyId(id))
        .await
        .map_err(|e| s.fail(e))?;
    Ok(Redirect::to("/settings/canned?ok=canned.deleted").into_response())
}
