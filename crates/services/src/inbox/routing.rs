//! Routing: which skill a new conversation needs (keywords or its channel), which team
//! answers it, and which agent takes it — round-robin among the agents who are online
//! and under their capacity, verified members first (docs/INBOX.md, "Routing").

use guyub_connectors::ChannelKind;
use guyub_domain::{ConversationId, CooperativeId, UserId};
use guyub_store::inbox::{self, Agent, SkillRule};
use guyub_store::{Conn, now_ms};

/// Who routing says did a thing, in the activity log.
pub const ROUTING: &str = "routing";

/// The skill a conversation needs: the first rule whose keyword is a word of the
/// message (case-insensitive) or whose channel kind is the message's channel.
pub fn detect_skill(rules: &[SkillRule], text: &str, kind: ChannelKind) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    rules
        .iter()
        .find(|r| match (&r.keyword, &r.channel_kind) {
            (Some(k), _) => {
                let k = k.to_lowercase();
                // A keyword of several words matches the text as a phrase.
                if k.contains(' ') {
                    words.join(" ").contains(&k)
                } else {
                    words.iter().any(|w| w.starts_with(&k))
                }
            }
            (None, Some(c)) => c == kind.as_str(),
            (None, None) => false,
        })
        .map(|r| r.skill.clone())
}

/// New conversations of one cooperative: their skill and team, their SLA targets, then
/// an agent. Returns the conversations that were assigned.
pub async fn opened(
    conn: &mut Conn,
    coop: CooperativeId,
    list: &[(ConversationId, String, ChannelKind)],
) -> crate::Result<Vec<ConversationId>> {
    let rules = inbox::skill_rules(conn, coop).await?;
    let teams = if rules.is_empty() {
        Vec::new()
    } else {
        inbox::teams(conn, coop).await?
    };
    // SLA targets from the opening, at the default priority.
    let now = now_ms();
    let policy = crate::sla::policy(conn, coop, now).await?;
    for (id, _, _) in list {
        crate::sla::stamp_with(
            conn,
            coop,
            *id,
            now,
            guyub_domain::sla::Priority::Normal,
            &policy,
        )
        .await?;
    }
    for (id, text, kind) in list {
        if let Some(skill) = detect_skill(&rules, text, *kind) {
            let team = teams
                .iter()
                .find(|t| t.skill.as_deref() == Some(skill.as_str()))
                .map(|t| t.id);
            inbox::set_skill(conn, coop, *id, Some(&skill), team).await?;
        }
    }
    if !inbox::settings(conn, coop).await?.auto_assign {
        return Ok(Vec::new());
    }
    Ok(dispatch(conn, coop)
        .await?
        .into_iter()
        .map(|(c, _)| c)
        .collect())
}

/// Whether an agent may take a conversation: a member of its team (when it has one
/// with members) and holding its skill (when anyone in the cooperative holds it; a
/// skill nobody has would leave the conversation waiting forever).
fn suits(a: &Agent, all: &[Agent], team: Option<i64>, skill: Option<&str>) -> bool {
    let team_ok = match team {
        Some(t) if all.iter().any(|x| x.teams.contains(&t)) => a.teams.contains(&t),
        _ => true,
    };
    let skill_ok = match skill {
        Some(s) if all.iter().any(|x| x.skills.iter().any(|k| k == s)) => {
            a.skills.iter().any(|k| k == s)
        }
        _ => true,
    };
    team_ok && skill_ok
}

/// Assigns waiting conversations to available agents, inside the caller's
/// transaction. Returns (conversation, agent) for each assignment.
pub async fn dispatch(
    conn: &mut Conn,
    coop: CooperativeId,
) -> crate::Result<Vec<(ConversationId, UserId)>> {
    let all = inbox::agents(conn, coop).await?;
    let mut available: Vec<Agent> = all
        .iter()
        .filter(|a| a.presence == "online" && a.load < a.capacity)
        .cloned()
        .collect();
    if available.is_empty() {
        return Ok(Vec::new());
    }
    let free: i64 = available.iter().map(|a| a.capacity - a.load).sum();
    let waiting = inbox::queue(conn, coop, free.clamp(1, 500)).await?;
    let mut out = Vec::new();
    // Assignment times strictly increase, so round-robin order is total.
    let mut stamp = now_ms();
    for c in waiting {
        let pick = available
            .iter_mut()
            .filter(|a| a.load < a.capacity && suits(a, &all, c.team_id, c.skill.as_deref()))
            .min_by_key(|a| (a.last_assigned_at, a.user_id));
        let Some(agent) = pick else { continue };
        stamp = stamp.max(agent.last_assigned_at + 1);
        agent.load += 1;
        agent.last_assigned_at = stamp;
        let user = agent.user_id;
        inbox::set_assignment(conn, coop, c.id, Some(user), c.team_id).await?;
        inbox::mark_assigned(conn, coop, user, stamp).await?;
        inbox::add_event(
            conn,
            coop,
            c.id,
            "assigned",
            &format!("user:{}", user.0),
            ROUTING,
        )
        .await?;
        out.push((c.id, user));
        stamp += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(skill: &str, keyword: Option<&str>, kind: Option<&str>) -> SkillRule {
        SkillRule {
            id: 1,
            skill: skill.into(),
            keyword: keyword.map(str::to_string),
            channel_kind: kind.map(str::to_string),
        }
    }

    #[test]
    fn keywords_and_channels_name_the_skill() {
        let rules = vec![
            rule("pinjaman", Some("pinjam"), None),
            rule("pengaduan", Some("tidak puas"), None),
            rule("toko", None, Some("instagram")),
        ];
        let d = |t: &str, k| detect_skill(&rules, t, k);
        assert_eq!(
            d("Saya mau PINJAMAN 5 juta", ChannelKind::Whatsapp).as_deref(),
            Some("pinjaman")
        );
        assert_eq!(
            d("saya tidak  puas, kasir kasar", ChannelKind::Telegram).as_deref(),
            Some("pengaduan")
        );
        assert_eq!(
            d("ada stok beras?", ChannelKind::Instagram).as_deref(),
            Some("toko")
        );
        assert_eq!(d("halo", ChannelKind::Whatsapp), None);
        // A keyword is a word's beginning, not any substring.
        assert_eq!(d("kompinjam", ChannelKind::Whatsapp), None);
    }

    fn agent(id: i64, teams: Vec<i64>, skills: &[&str]) -> Agent {
        Agent {
            user_id: UserId(id),
            name: format!("a{id}"),
            email: String::new(),
            presence: "online".into(),
            presence_at: 0,
            capacity: 2,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            last_assigned_at: 0,
            load: 0,
            teams,
        }
    }

    #[test]
    fn a_skill_or_team_nobody_has_does_not_block() {
        let all = vec![agent(1, vec![7], &["simpanan"]), agent(2, vec![], &[])];
        assert!(suits(&all[0], &all, Some(7), Some("simpanan")));
        assert!(!suits(&all[1], &all, Some(7), None));
        assert!(!suits(&all[1], &all, None, Some("simpanan")));
        assert!(suits(&all[1], &all, Some(99), Some("bahasa-jawa")));
    }
}
