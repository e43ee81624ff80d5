//! A fresh database with a cooperative, actors of each role, channels, and messages
//! that arrive through the real pipeline (stored event → processor → message).

use guyub_domain::{ChannelId, CooperativeId, Role, Slug, UserId};
use guyub_services::pipeline::Pipeline;
use guyub_services::secretbox::SecretBox;
use guyub_services::{Actor, ActorKind};
use guyub_store::channels::{self, NewChannel};
use guyub_store::messages::{self, NewEvent};
use guyub_store::{Db, cooperatives};

pub struct Coop {
    pub db: Db,
    pub id: CooperativeId,
}

impl Coop {
    pub async fn new(slug: &str) -> Coop {
        let db = Db::open(&guyub_store::testing::fresh_database_url().await)
            .await
            .unwrap();
        Coop::on(db, slug).await
    }

    /// Another cooperative in the same database.
    pub async fn on(db: Db, slug: &str) -> Coop {
        let c = cooperatives::create(
            &mut db.conn().await.unwrap(),
            &Slug::parse(slug).unwrap(),
            slug,
            None,
        )
        .await
        .unwrap();
        Coop { db, id: c.id }
    }

    /// A staff member of this cooperative with `role` (a distinct user per id).
    pub fn actor(&self, role: Role, user: i64) -> Actor {
        Actor {
            cooperative_id: self.id,
            role,
            kind: ActorKind::User {
                id: UserId(user),
                email: format!("staff{user}@koperasi.test"),
            },
            source: "test".into(),
        }
    }

    pub fn agent(&self) -> Actor {
        self.actor(Role::Agent, 1)
    }

    /// A web chat channel (no credentials to set up).
    pub async fn webchat(&self, name: &str) -> ChannelId {
        channels::create(
            &mut self.db.conn().await.unwrap(),
            self.id,
            NewChannel {
                kind: "webchat",
                name,
                base_url: "",
                settings: "{}",
                secrets: "{}",
            },
        )
        .await
        .unwrap()
        .id
    }

    /// Messages from visitors as the widget delivers them: (visitor, name, text). They
    /// are stored as inbound events and processed by the pipeline's processor, which
    /// writes them with `messages::insert_messages`, as in production.
    pub async fn receive(&self, channel: ChannelId, msgs: &[(&str, &str, &str)]) {
        let bodies: Vec<(String, String)> = msgs
            .iter()
            .map(|(visitor, name, text)| {
                let client = format!("c{}", rand_suffix());
                (
                    format!("{visitor}:{client}"),
                    serde_json::json!({
                        "visitor": visitor, "client_id": client, "name": name, "text": text,
                    })
                    .to_string(),
                )
            })
            .collect();
        let events: Vec<NewEvent<'_>> = bodies
            .iter()
            .map(|(key, body)| NewEvent {
                cooperative_id: self.id,
                channel_id: channel,
                key,
                body,
            })
            .collect();
        let mut tx = self.db.begin_write().await.unwrap();
        messages::insert_events(&mut tx, &events).await.unwrap();
        tx.commit().await.unwrap();
        let p = Pipeline::new(
            self.db.clone(),
            SecretBox::from_text(&SecretBox::generate_key()).unwrap(),
        );
        while p.process_batch().await.unwrap() > 0 {}
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
