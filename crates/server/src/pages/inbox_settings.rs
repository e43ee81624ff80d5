//! `/settings/inbox`: how the inbox groups and routes conversations. Agents see the
//! settings, the agents with their load, the teams and the skill rules; supervisors,
//! administrators and owners (`ManageRouting`) change them through the forms here.

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
use guyub_connectors::ChannelKind;
use guyub_domain::{Action, UserId};
use guyub_services::ServiceError;
use guyub_services::inbox::{self, SKILLS};
use guyub_store::inbox::Settings;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;
type Pairs = Vec<(String, String)>;

/// The inbox settings form as typed.
#[derive(Deserialize, Clone, Default)]
#[serde(default)]
pub struct SettingsForm {
    group_window_minutes: String,
    leave_policy: String,
    auto_assign: String,
    csat_enabled: String,
}

impl SettingsForm {
    fn of(s: &Settings) -> SettingsForm {
        SettingsForm {
            group_window_minutes: s.group_window_minutes.to_string(),
            leave_policy: s.leave_policy.clone(),
            auto_assign: if s.auto_assign { "1" } else { "" }.into(),
            csat_enabled: if s.csat_enabled { "1" } else { "" }.into(),
        }
    }

    /// What the service is asked to keep; a window that is no number becomes -1, which
    /// it refuses naming the field.
    fn settings(&self) -> Settings {
        Settings {
            group_window_minutes: self.group_window_minutes.trim().parse().unwrap_or(-1),
            leave_policy: self.leave_policy.trim().to_string(),
            auto_assign: !self.auto_assign.is_empty(),
            csat_enabled: !self.csat_enabled.is_empty(),
        }
    }
}

/// The skill rule form as typed.
#[derive(Deserialize, Clone, Default)]
#[serde(default)]
pub struct RuleForm {
    skill: String,
    keyword: String,
    channel_kind: String,
}

/// The new team form as typed.
#[derive(Clone, Default)]
struct TeamForm {
    name: String,
    skill: String,
    members: Vec<i64>,
}

/// Every value posted under `name` (checkboxes send one pair each).
fn all<'a>(pairs: &'a Pairs, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn one(pairs: &Pairs, name: &str) -> String {
    all(pairs, name).next().unwrap_or_default().to_string()
}

/// The checked agents as user ids; anything else is refused.
fn member_ids(pairs: &Pairs) -> Result<Vec<i64>, ServiceError> {
    all(pairs, "member")
        .map(|v| {
            v.trim().parse::<i64>().map_err(|_| ServiceError::Invalid {
                field: "members",
                message: format!("“{v}” is not an agent"),
            })
        })
        .collect()
}

/// The skills of an agent form: the checked common ones and the typed others
/// (comma-separated). The service cleans them and refuses bad ones.
fn posted_skills(pairs: &Pairs) -> Vec<String> {
    let mut skills: Vec<String> = all(pairs, "skill").map(str::to_string).collect();
    for typed in all(pairs, "other_skills") {
        skills.extend(
            typed
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
    }
    skills
}

struct Check {
    value: String,
    label: String,
    checked: bool,
}

struct AgentRow {
    user_id: i64,
    name: String,
    presence: String,
    load: i64,
    capacity: String,
    skills: String,
    checks: Vec<Check>,
    other_skills: String,
    error: Option<String>,
}

struct TeamRow {
    id: i64,
    name: String,
    skill: String,
    typed_name: String,
    typed_skill: String,
    member_names: String,
    checks: Vec<Check>,
    error: Option<String>,
}

struct RuleRow {
    id: i64,
    skill: String,
    keyword: String,
    channel: String,
}

#[derive(Template)]
#[template(path = "inbox_settings.html")]
struct InboxSettingsPage {
    t: Tr,
    shell: Shell,
    can_manage: bool,
    window: String,
    leave_policy: String,
    auto_assign: bool,
    csat_enabled: bool,
    settings_error: Option<String>,
    agents: Vec<AgentRow>,
    teams: Vec<TeamRow>,
    team_error: Option<String>,
    new_team_name: String,
    new_team_skill: String,
    new_team_checks: Vec<Check>,
    rules: Vec<RuleRow>,
    rule_error: Option<String>,
    rule: RuleForm,
    skills: &'static [&'static str],
    kinds: Vec<Check>,
}

/// Which form a refusal belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Place {
    #[default]
    Settings,
    Agent(i64),
    NewTeam,
    Team(i64),
    Rule,
}

/// What a refused form sent, shown again next to its refusal.
#[derive(Default)]
struct PageState {
    error: Option<(StatusCode, String)>,
    place: Place,
    settings: Option<SettingsForm>,
    agent: Option<(String, Vec<String>)>,
    team: Option<TeamForm>,
    members: Option<Vec<i64>>,
    rule: Option<RuleForm>,
}

impl PageState {
    fn error_at(&self, place: Place) -> Option<String> {
        match &self.error {
            Some((_, e)) if self.place == place => Some(e.clone()),
            _ => None,
        }
    }
}

fn checks_of_skills(chosen: &[String]) -> Vec<Check> {
    SKILLS
        .iter()
        .map(|s| Check {
            value: s.to_string(),
            label: s.to_string(),
            checked: chosen.iter().any(|c| c == s),
        })
        .collect()
}

async fn settings_page(
    state: &AppState,
    s: &PageSession,
    flash: Option<&str>,
    st: PageState,
) -> PageResult {
    s.actor.require(Action::WorkInbox).map_err(|e| s.fail(e))?;
    let shell = Shell::load(state, s, "inbox_settings", flash).await?;
    let t = s.tr();
    let current = inbox::settings(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let agents = inbox::agents(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let teams = inbox::teams(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;
    let rules = inbox::skill_rules(&state.db, &s.actor)
        .await
        .map_err(|e| s.fail(e))?;

    let f = st
        .settings
        .clone()
        .unwrap_or_else(|| SettingsForm::of(&current));
    let member_checks = |chosen: &[i64]| -> Vec<Check> {
        agents
            .iter()
            .map(|a| Check {
                value: a.user_id.0.to_string(),
                label: a.name.clone(),
                checked: chosen.contains(&a.user_id.0),
            })
            .collect()
    };
    let agent_rows = agents
        .iter()
        .map(|a| {
            let place = Place::Agent(a.user_id.0);
            let (capacity, chosen) = match (&st.agent, st.place == place) {
                (Some((c, skills)), true) => (c.clone(), skills.clone()),
                _ => (a.capacity.to_string(), a.skills.clone()),
            };
            AgentRow {
                user_id: a.user_id.0,
                name: a.name.clone(),
                presence: t.presence(&a.presence).to_string(),
                load: a.load,
                capacity,
                skills: a.skills.join(", "),
                checks: checks_of_skills(&chosen),
                other_skills: chosen
                    .iter()
                    .filter(|c| !SKILLS.contains(&c.as_str()))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                error: st.error_at(place),
            }
        })
        .collect();
    let team_rows = teams
        .iter()
        .map(|team| {
            let place = Place::Team(team.id);
            let current: Vec<i64> = team.members.iter().map(|u| u.0).collect();
            let chosen = match (&st.members, st.place == place) {
                (Some(m), true) => m.clone(),
                _ => current.clone(),
            };
            // A refused rename shows what was typed.
            let (typed_name, typed_skill) = match (&st.team, st.place == place) {
                (Some(f), true) => (f.name.clone(), f.skill.clone()),
                _ => (team.name.clone(), team.skill.clone().unwrap_or_default()),
            };
            TeamRow {
                id: team.id,
                name: team.name.clone(),
                skill: team.skill.clone().unwrap_or_default(),
                typed_name,
                typed_skill,
                member_names: agents
                    .iter()
                    .filter(|a| current.contains(&a.user_id.0))
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                checks: member_checks(&chosen),
                error: st.error_at(place),
            }
        })
        .collect();
    let new_team = st.team.clone().unwrap_or_default();
    let rule = st.rule.clone().unwrap_or_default();
    let kinds = ChannelKind::ALL
        .iter()
        .map(|k| Check {
            value: k.as_str().to_string(),
            label: t.kind(k.as_str()).to_string(),
            checked: rule.channel_kind.trim() == k.as_str(),
        })
        .collect();
    let status = st.error.as_ref().map_or(StatusCode::OK, |(code, _)| *code);
    let view = InboxSettingsPage {
        t,
        can_manage: s.actor.role.can(Action::ManageRouting),
        window: f.group_window_minutes.clone(),
        leave_policy: f.leave_policy.clone(),
        auto_assign: !f.auto_assign.is_empty(),
        csat_enabled: !f.csat_enabled.is_empty(),
        settings_error: st.error_at(Place::Settings),
        agents: agent_rows,
        teams: team_rows,
        team_error: st.error_at(Place::NewTeam),
        new_team_name: new_team.name,
        new_team_skill: new_team.skill,
        new_team_checks: member_checks(&new_team.members),
        rules: rules
            .into_iter()
            .map(|r| RuleRow {
                id: r.id,
                skill: r.skill,
                keyword: r.keyword.unwrap_or_default(),
                channel: r
                    .channel_kind
                    .map(|k| t.kind(&k).to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        rule_error: st.error_at(Place::Rule),
        rule,
        skills: &SKILLS,
        kinds,
        shell,
    };
    Ok((status, html(&view, s.lang())?).into_response())
}

/// The page again with the refusal next to the form that caused it.
async fn refused(
    state: &AppState,
    s: &PageSession,
    e: ServiceError,
    place: Place,
    st: PageState,
) -> PageResult {
    let error = Some(refusal(s, e)?);
    settings_page(state, s, None, PageState { error, place, ..st }).await
}

fn back(flash: &str) -> PageResult {
    Ok(Redirect::to(&format!("/settings/inbox?ok={flash}")).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Flash>,
) -> PageResult {
    settings_page(&state, &s, q.ok.as_deref(), PageState::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    s: PageSession,
    Form(f): Form<SettingsForm>,
) -> PageResult {
    match inbox::put_settings(&state.db, &s.actor, &f.settings()).await {
        Ok(()) => back("routing.saved"),
        Err(e) => {
            let st = PageState {
                settings: Some(f),
                ..Default::default()
            };
            refused(&state, &s, e, Place::Settings, st).await
        }
    }
}

pub async fn update_agent(
    State(state): State<AppState>,
    s: PageSession,
    Path(user): Path<i64>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let typed = one(&pairs, "capacity");
    // Not a number: 0, which the service refuses naming the capacity.
    let capacity = typed.trim().parse().unwrap_or(0);
    let skills = posted_skills(&pairs);
    match inbox::update_agent(&state.pipeline, &s.actor, UserId(user), capacity, &skills).await {
        Ok(()) => back("routing.agent_saved"),
        Err(e) => {
            let st = PageState {
                agent: Some((typed, skills)),
                ..Default::default()
            };
            refused(&state, &s, e, Place::Agent(user), st).await
        }
    }
}

pub async fn create_team(
    State(state): State<AppState>,
    s: PageSession,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let mut typed = TeamForm {
        name: one(&pairs, "name"),
        skill: one(&pairs, "skill"),
        members: Vec::new(),
    };
    let done = match member_ids(&pairs) {
        Ok(ids) => {
            typed.members = ids;
            let members: Vec<UserId> = typed.members.iter().copied().map(UserId).collect();
            inbox::create_team(
                &state.db,
                &s.actor,
                &typed.name,
                Some(typed.skill.as_str()),
                &members,
            )
            .await
            .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => back("routing.team_created"),
        Err(e) => {
            let st = PageState {
                team: Some(typed),
                ..Default::default()
            };
            refused(&state, &s, e, Place::NewTeam, st).await
        }
    }
}

pub async fn update_team(
    State(state): State<AppState>,
    s: PageSession,
    Path(team): Path<i64>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let typed = TeamForm {
        name: one(&pairs, "name"),
        skill: one(&pairs, "skill"),
        members: Vec::new(),
    };
    match inbox::update_team(
        &state.db,
        &s.actor,
        team,
        &typed.name,
        Some(typed.skill.as_str()),
    )
    .await
    {
        Ok(()) => back("routing.team_updated"),
        Err(e) => {
            let st = PageState {
                team: Some(typed),
                ..Default::default()
            };
            refused(&state, &s, e, Place::Team(team), st).await
        }
    }
}

pub async fn delete_team(
    State(state): State<AppState>,
    s: PageSession,
    Path(team): Path<i64>,
) -> PageResult {
    inbox::delete_team(&state.pipeline, &s.actor, team)
        .await
        .map_err(|e| s.fail(e))?;
    back("routing.team_deleted")
}

pub async fn set_team_members(
    State(state): State<AppState>,
    s: PageSession,
    Path(team): Path<i64>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let done = match member_ids(&pairs) {
        Ok(ids) => {
            let members: Vec<UserId> = ids.iter().copied().map(UserId).collect();
            inbox::set_team_members(&state.db, &s.actor, team, &members)
                .await
                .map_err(|e| (e, Some(ids)))
        }
        Err(e) => Err((e, None)),
    };
    match done {
        Ok(()) => back("routing.team_saved"),
        Err((e, ids)) => {
            let st = PageState {
                members: ids,
                ..Default::default()
            };
            refused(&state, &s, e, Place::Team(team), st).await
        }
    }
}

pub async fn add_rule(
    State(state): State<AppState>,
    s: PageSession,
    Form(r): Form<RuleForm>,
) -> PageResult {
    let added = inbox::add_skill_rule(
        &state.db,
        &s.actor,
        &r.skill,
        Some(r.keyword.as_str()),
        Some(r.channel_kind.as_str()),
    )
    .await;
    match added {
        Ok(_) => back("routing.rule_added"),
        Err(e) => {
            let st = PageState {
                rule: Some(r),
                ..Default::default()
            };
            refused(&state, &s, e, Place::Rule, st).await
        }
    }
}

pub async fn delete_rule(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<i64>,
) -> PageResult {
    inbox::delete_skill_rule(&state.db, &s.actor, id)
        .await
        .map_err(|e| s.fail(e))?;
    back("routing.rule_deleted")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn skills_come_from_the_checkboxes_and_the_typed_list() {
        let p = pairs(&[
            ("capacity", "5"),
            ("skill", "simpanan"),
            ("skill", "lang:en"),
            ("other_skills", " pupuk , , sawit"),
        ]);
        assert_eq!(posted_skills(&p), ["simpanan", "lang:en", "pupuk", "sawit"]);
        assert_eq!(one(&p, "capacity"), "5");
        assert_eq!(one(&p, "missing"), "");
    }

    #[test]
    fn members_must_be_numbers() {
        assert_eq!(
            member_ids(&pairs(&[("member", "3"), ("member", " 7")])).ok(),
            Some(vec![3, 7])
        );
        assert!(member_ids(&pairs(&[("member", "x")])).is_err());
        assert_eq!(member_ids(&pairs(&[])).ok(), Some(vec![]));
    }

    #[test]
    fn a_window_that_is_no_number_is_refused_by_the_service() {
        let f = SettingsForm {
            group_window_minutes: "lama".into(),
            leave_policy: "keep".into(),
            auto_assign: String::new(),
            csat_enabled: "1".into(),
        };
        let s = f.settings();
        assert_eq!(s.group_window_minutes, -1);
        assert!(!s.auto_assign);
        assert!(s.csat_enabled);
    }
}
