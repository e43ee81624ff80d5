//! Live events across processes: two pipelines on one database stand for two server
//! processes. On PostgreSQL each hears the other's events once, in order, with the
//! publisher's timestamp; on SQLite (one process by design) the relay does not start.

use guyub_domain::{ConversationId, CooperativeId, MessageId};
use guyub_services::pipeline::{Pipeline, Realtime};
use guyub_services::secretbox::SecretBox;
use guyub_store::{Db, Engine};
use std::time::Duration;
use tokio::sync::broadcast::Receiver;
use tokio::time::timeout;

fn pipeline(db: &Db) -> Pipeline {
    Pipeline::new(
        db.clone(),
        SecretBox::from_text(&SecretBox::generate_key()).unwrap(),
    )
}

async fn next(rx: &mut Receiver<Realtime>) -> Realtime {
    timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an event within 10 s")
        .expect("the hub is open")
}

#[tokio::test]
async fn another_process_hears_each_event_once_and_in_order() {
    let db = Db::open(&guyub_store::testing::fresh_database_url().await)
        .await
        .unwrap();
    let (a, b) = (pipeline(&db), pipeline(&db));
    let started = a.start_relay().await.unwrap();
    if db.engine() == Engine::Sqlite {
        assert!(!started, "no relay on SQLite");
        return;
    }
    assert!(started);
    assert!(b.start_relay().await.unwrap());
    assert!(!a.start_relay().await.unwrap(), "not twice");
    let (mut on_a, mut on_b) = (a.subscribe(), b.subscribe());

    let e = Realtime::message(
        CooperativeId(7),
        ConversationId(11),
        MessageId(13),
        "message.created",
    );
    a.publish(vec![e.clone()]);
    let heard = next(&mut on_b).await;
    assert_eq!(
        (
            heard.cooperative_id,
            heard.conversation_id,
            heard.message_id,
            heard.kind
        ),
        (e.cooperative_id, e.conversation_id, e.message_id, e.kind)
    );
    let local = next(&mut on_a).await;
    assert_eq!(
        heard.at_us, local.at_us,
        "the publisher's time travels along"
    );
    assert!(local.at_us > 0);

    // A burst from B: A hears all of it in order; B hears its own once (from its hub).
    let burst: Vec<Realtime> = (0..500)
        .map(|i| {
            Realtime::conversation(CooperativeId(7), ConversationId(i), "conversation.updated")
        })
        .collect();
    b.publish(burst.clone());
    for want in &burst {
        assert_eq!(next(&mut on_a).await.conversation_id, want.conversation_id);
    }
    for want in &burst {
        assert_eq!(next(&mut on_b).await.conversation_id, want.conversation_id);
    }
    // Nothing more arrives on either side: no echo of one's own events.
    a.publish(vec![Realtime::conversation(
        CooperativeId(7),
        ConversationId(999),
        "sla.breach",
    )]);
    assert_eq!(next(&mut on_b).await.conversation_id, ConversationId(999));
    assert_eq!(next(&mut on_a).await.conversation_id, ConversationId(999));
    assert!(
        timeout(Duration::from_millis(300), on_a.recv())
            .await
            .is_err(),
        "A heard its own event twice"
    );
    assert!(
        timeout(Duration::from_millis(300), on_b.recv())
            .await
            .is_err(),
        "B heard A's event twice"
    );
}

#[tokio::test]
async fn another_schema_is_another_channel() {
    let one = Db::open(&guyub_store::testing::fresh_database_url().await)
        .await
        .unwrap();
    let two = Db::open(&guyub_store::testing::fresh_database_url().await)
        .await
        .unwrap();
    if one.engine() == Engine::Sqlite {
        return;
    }
    let (a, b) = (pipeline(&one), pipeline(&two));
    assert!(a.start_relay().await.unwrap() && b.start_relay().await.unwrap());
    let mut on_b = b.subscribe();
    a.publish(vec![Realtime::conversation(
        CooperativeId(1),
        ConversationId(1),
        "conversation.updated",
    )]);
    assert!(
        timeout(Duration::from_millis(500), on_b.recv())
            .await
            .is_err(),
        "a process on another schema heard it"
    );
}

#[tokio::test]
async fn a_lost_listening_connection_is_replaced_and_screens_are_told_to_refetch() {
    let db = Db::open(&guyub_store::testing::fresh_database_url().await)
        .await
        .unwrap();
    if db.engine() == Engine::Sqlite {
        return;
    }
    let (a, b) = (pipeline(&db), pipeline(&db));
    assert!(a.start_relay().await.unwrap() && b.start_relay().await.unwrap());
    let mut on_b = b.subscribe();
    // The server drops the listening connections of this schema's channel (as a
    // restart or a network cut would).
    let mut conn = db.conn().await.unwrap();
    let schema: String = sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1",
    )
    .bind(format!("LISTEN \"guyub_live_{schema}\""))
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    assert_eq!(killed, [true, true], "both processes' listeners");
    // B listens again on a new connection and tells its screens to refetch …
    let e = next(&mut on_b).await;
    assert_eq!(e.kind, guyub_services::pipeline::RESYNC);
    // … and hears A again.
    let mut heard = false;
    for i in 0..50 {
        a.publish(vec![Realtime::conversation(
            CooperativeId(1),
            ConversationId(500 + i),
            "conversation.updated",
        )]);
        if let Ok(Ok(e)) = timeout(Duration::from_millis(200), on_b.recv()).await {
            assert_eq!(e.kind, "conversation.updated");
            heard = true;
            break;
        }
    }
    assert!(heard, "B never heard A after reconnecting");
}
