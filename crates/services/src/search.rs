//! Full-text search over the cooperative's messages and contacts, in Indonesian: the
//! query goes through the same stemming as the index (`guyub_domain::search`), so
//! "meminjam" finds "pinjaman". Results come in two groups, each ranked (bm25 on
//! SQLite, ts_rank on PostgreSQL, newest first among equals) and paged the same way.

use crate::{Actor, Result, invalid};
use guyub_connectors::ChannelKind;
use guyub_domain::search::{MAX_QUERY_CHARS, QueryError, SearchQuery, SnippetPart, snippet};
use guyub_domain::{Action, ContactId, ConversationId, MemberId, MessageId};
use guyub_store::Db;
use guyub_store::search as index;

/// The most results of each group one page may ask for.
pub const MAX_LIMIT: i64 = 50;
/// Pages end here: only the newest 500 matches of a query are ranked
/// (`store::search::NEWEST_RANKED`); a person narrows the query to reach older ones.
pub const MAX_OFFSET: i64 = guyub_store::search::NEWEST_RANKED;
/// A snippet's length in characters, about.
const SNIPPET_CHARS: usize = 160;

/// Which groups to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    All,
    Messages,
    Contacts,
}

impl Scope {
    pub fn parse(raw: &str) -> Option<Scope> {
        match raw {
            "" | "all" => Some(Scope::All),
            "messages" => Some(Scope::Messages),
            "contacts" => Some(Scope::Contacts),
            _ => None,
        }
    }
}

/// What narrows a search besides its words.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub scope: Scope,
    /// Only messages of this kind of channel (`whatsapp`, `email` …).
    pub channel_kind: Option<String>,
    /// Results of each group to skip (the page).
    pub offset: i64,
}

#[derive(Debug, Clone)]
pub struct MessageResult {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub channel_kind: String,
    /// `in` from the member, `out` from the cooperative.
    pub direction: String,
    /// The text around the matched words, those words marked.
    pub snippet: Vec<SnippetPart>,
    pub created_at: i64,
}

impl MessageResult {
    /// The snippet as plain text.
    pub fn snippet_text(&self) -> String {
        self.snippet.iter().map(|p| p.text.as_str()).collect()
    }

    /// The words of the snippet that matched, as written.
    pub fn matched(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self.snippet.iter().filter(|p| p.hit) {
            if !out.contains(&p.text) {
                out.push(p.text.clone());
            }
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct ContactResult {
    pub contact_id: ContactId,
    pub name: String,
    pub member_id: Option<MemberId>,
    pub member_no: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as typed (trimmed).
    pub query: String,
    /// What was looked for: per query word, the terms any of which matched.
    pub terms: Vec<Vec<String>>,
    pub messages: Vec<MessageResult>,
    pub contacts: Vec<ContactResult>,
    /// Whether the next page has more messages (contacts).
    pub more_messages: bool,
    pub more_contacts: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Searches the actor's cooperative. Refuses an empty query, one longer than 200
/// characters, a limit outside 1..=50, an offset outside 0..=500 and an unknown
/// channel kind. A query with no searchable word left (only punctuation, emoji or
/// words like "yang") finds nothing; it is not an error.
pub async fn search(
    db: &Db,
    actor: &Actor,
    query: &str,
    filter: &SearchFilter,
    limit: i64,
) -> Result<SearchResults> {
    actor.require(Action::WorkInbox)?;
    let parsed = SearchQuery::parse(query).map_err(|e| match e {
        QueryError::Empty => invalid("q", "type a word to search for"),
        QueryError::TooLong => invalid(
            "q",
            format!("a search may be at most {MAX_QUERY_CHARS} characters"),
        ),
    })?;
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid(
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    if !(0..=MAX_OFFSET).contains(&filter.offset) {
        return Err(invalid(
            "offset",
            format!("offset must be between 0 and {MAX_OFFSET}"),
        ));
    }
    let kind = match filter.channel_kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(
            ChannelKind::parse(k)
                .ok_or_else(|| invalid("channel", "unknown channel kind"))?
                .as_str(),
        ),
        None => None,
    };
    let coop = actor.cooperative_id;
    let mut conn = db.conn().await?;
    let (mut messages, mut contacts) = (Vec::new(), Vec::new());
    if filter.scope != Scope::Contacts {
        messages = index::search_messages(&mut conn, coop, &parsed, kind, limit + 1, filter.offset)
            .await?;
    }
    // A channel filter is about messages; contacts have no channel.
    if filter.scope != Scope::Messages && kind.is_none() {
        contacts =
            index::search_contacts(&mut conn, coop, &parsed, limit + 1, filter.offset).await?;
    }
    let more_messages = messages.len() as i64 > limit;
    let more_contacts = contacts.len() as i64 > limit;
    messages.truncate(limit as usize);
    contacts.truncate(limit as usize);
    Ok(SearchResults {
        query: parsed.text().to_string(),
        terms: parsed.groups().to_vec(),
        messages: messages
            .into_iter()
            .map(|h| MessageResult {
                snippet: snippet(&h.body, &parsed, SNIPPET_CHARS),
                message_id: h.message_id,
                conversation_id: h.conversation_id,
                contact_id: h.contact_id,
                contact_name: h.contact_name,
                channel_kind: h.channel_kind,
                direction: h.direction,
                created_at: h.created_at,
            })
            .collect(),
        contacts: contacts
            .into_iter()
            .map(|c| ContactResult {
                contact_id: c.contact_id,
                name: c.display_name,
                member_id: c.member_id,
                member_no: c.member_no,
            })
            .collect(),
        more_messages,
        more_contacts,
        limit,
        offset: filter.offset,
    })
}
