//! CSAT: when a conversation is resolved, one short survey goes on the channel the
//! member last wrote on (when its reply window is open); an answer that starts with a
//! digit 1–5 within three days is recorded with its comment, in the surveyed
//! conversation, without reopening it. Results per agent, team and channel.

use crate::conversations::{check_window, queue};
use crate::{Actor, Result, invalid};
use guyub_connectors::{ChannelKind, OutContent};
use guyub_domain::{Action, CooperativeId, IdentityId};
use guyub_store::inbox::{self, CsatRow};
use guyub_store::messages::{self, Conversation};
use guyub_store::{Conn, Db, channels, cooperatives, now_ms};

/// Who sends the survey.
pub const CSAT_AUTHOR: &str = "system:csat";
/// How long an answer is taken after the survey went.
pub const ANSWER_WINDOW_MS: i64 = 3 * 86_400_000;

fn question(cooperative: &str) -> String {
    format!(
        "Terima kasih telah menghubungi {cooperative}. Seberapa puas Anda dengan layanan kami? \
         Balas dengan angka 1 sampai 5 (5 = sangat puas), boleh ditambah komentar."
    )
}

/// Sends the survey for a conversation being resolved, inside the caller's
/// transaction. Nothing goes when the cooperative turned surveys off, the member never
/// wrote, or the channel's window is closed (a survey is not worth a paid template). Returns whether it went.
pub(crate) async fn send(conn: &mut Conn, coop: CooperativeId, c: &Conversation) -> Result<bool> {
    if !inbox::settings(conn, coop).await?.csat_enabled {
        return Ok(false);
    }
    let Some(last) = messages::newest_inbound(conn, coop, c.id).await? else {
        return Ok(false);
    };
    let channel = channels::get(conn, coop, last.channel_id).await?;
    let Some(kind) = ChannelKind::parse(&channel.kind) else {
        return Ok(false);
    };
    if !channel.active || kind == ChannelKind::Email {
        return Ok(false);
    }
    let text = OutContent::Text {
        text: question(&cooperatives::get(conn, coop).await?.name),
    };
    let at = messages::last_inbound_at(conn, last.identity_id, channel.id).await?;
    if check_window(kind, &text, at, now_ms()).is_err() {
        return Ok(false);
    }
    queue(
        conn,
        coop,
        c.id,
        last.contact_id,
        channel.id,
        last.identity_id,
        &text,
        CSAT_AUTHOR,
    )
    .await?;
    inbox::insert_survey(
        conn,
        coop,
        c.id,
        channel.id,
        last.identity_id,
        c.assignee_id,
        c.team_id,
        now_ms(),
    )
    .await?;
    Ok(true)
}

/// A survey answer: the score and the comment after it. "5", "4 cepat sekali",
/// "3. lumayan" are answers; "15", "halo" are not.
pub fn parse_answer(text: &str) -> Option<(i64, Option<String>)> {
    let t = text.trim();
    let mut chars = t.chars();
    let first = chars.next()?;
    let score = first.to_digit(10).filter(|d| (1..=5).contains(d))? as i64;
    let rest = chars.as_str();
    if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let comment = rest
        .trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '.' | ',' | '-' | ':' | ')' | '/')
        })
        .trim();
    let comment = (!comment.is_empty()).then(|| comment.chars().take(1000).collect());
    Some((score, comment))
}

/// Of a batch of member messages (cooperative, identity, text), those that answer a
/// pending survey: their index and the surveyed conversation. Records the answers
/// and their activity entries.
pub(crate) async fn take_answers(
    conn: &mut Conn,
    messages: &[(CooperativeId, IdentityId, String)],
) -> Result<Vec<(usize, guyub_domain::ConversationId)>> {
    let now = now_ms();
    let mut by_coop: std::collections::HashMap<CooperativeId, Vec<IdentityId>> = Default::default();
    for (coop, identity, _) in messages {
        by_coop.entry(*coop).or_default().push(*identity);
    }
    let mut out = Vec::new();
    for (coop, ids) in by_coop {
        let mut pending = inbox::pending_surveys(conn, coop, &ids, now - ANSWER_WINDOW_MS).await?;
        for (i, (c, identity, text)) in messages.iter().enumerate() {
            if *c != coop {
                continue;
            }
            let Some(pos) = pending.iter().rposition(|(_, who, _)| who == identity) else {
                continue;
            };
            let Some((score, comment)) = parse_answer(text) else {
                continue;
            };
            let (survey, _, conversation) = pending.remove(pos);
            inbox::answer_survey(conn, coop, survey, score, comment.as_deref(), now).await?;
            inbox::add_event(
                conn,
                coop,
                conversation,
                "csat",
                &score.to_string(),
                "member",
            )
            .await?;
            out.push((i, conversation));
        }
    }
    Ok(out)
}

/// Results over `[from, to)` (ms).
pub async fn results(db: &Db, actor: &Actor, from: i64, to: i64) -> Result<Vec<CsatRow>> {
    actor.require(Action::WorkInbox)?;
    if to <= from {
        return Err(invalid("to", "the period must end after it starts"));
    }
    let mut conn = db.conn().await?;
    Ok(inbox::csat_results(&mut conn, actor.cooperative_id, from, to).await?)
}

#[cfg(test)]
mod tests {
    use super::parse_answer;

    #[test]
    fn answers_start_with_one_to_five() {
        assert_eq!(parse_answer("5"), Some((5, None)));
        assert_eq!(
            parse_answer(" 4 cepat sekali "),
            Some((4, Some("cepat sekali".into())))
        );
        assert_eq!(
            parse_answer("3. lumayan"),
            Some((3, Some("lumayan".into())))
        );
        assert_eq!(parse_answer("1) lama"), Some((1, Some("lama".into()))));
        for no in ["", "0", "6", "15", "halo", "5000 rupiah", "٣"] {
            assert_eq!(parse_answer(no), None, "{no}");
        }
    }
}
