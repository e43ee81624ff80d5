//! Opening a long conversation shows its newest messages, so the agent sees (and the
//! reply form carries) the member's latest message.

use crate::search_support::Coop;
use guyub_domain::Role;
use guyub_services::inbox;
use guyub_services::{Actor, ActorKind};
use guyub_store::inbox::Filter;

#[tokio::test]
async fn a_conversation_longer_than_the_page_opens_at_its_newest_messages() {
    let c = Coop::new("kop-panjang").await;
    let chat = c.webchat("Obrolan").await;
    let texts: Vec<String> = (0..1005).map(|i| format!("pesan {i}")).collect();
    let msgs: Vec<(&str, &str, &str)> = texts
        .iter()
        .map(|t| ("visitor-1", "Wati", t.as_str()))
        .collect();
    c.receive(chat, &msgs).await;
    let agent = Actor {
        cooperative_id: c.id,
        role: Role::Agent,
        kind: ActorKind::Cli,
        source: "test".into(),
    };
    let list = inbox::list(&c.db, &agent, &Filter::default(), 10)
        .await
        .unwrap();
    assert_eq!(list.len(), 1, "one visitor, one conversation");
    let d = inbox::open(&c.db, &agent, list[0].conversation.id)
        .await
        .unwrap();
    assert_eq!(d.messages.len(), 1000);
    assert_eq!(
        d.messages[0].body, "pesan 5",
        "the oldest five are left out"
    );
    let newest = d.messages.last().unwrap();
    assert_eq!(newest.body, "pesan 1004");
    assert_eq!(
        d.seen, newest.id.0,
        "the form carries the newest member message"
    );
    assert!(
        d.messages.windows(2).all(|w| w[0].id.0 < w[1].id.0),
        "oldest first"
    );
}
