//! A fresh database with a cooperative, actors of each role, and conversations to
//! put dues on.

use guyub_domain::{ChannelId, ConversationId, CooperativeId, Role, Slug, UserId};
use guyub_services::{Actor, ActorKind};
use guyub_store::{Db, channels, contacts, cooperatives, messages};

pub struct Coop {
    pub db: Db,
    pub id: CooperativeId,
    channel: ChannelId,
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
        let mut conn = db.conn().await.unwrap();
        let c = cooperatives::create(&mut conn, &Slug::parse(slug).unwrap(), slug, None)
            .await
            .unwrap();
        let channel = channels::create(
            &mut conn,
            c.id,
            channels::NewChannel {
                kind: "whatsapp",
                name: "WhatsApp",
                base_url: "http://127.0.0.1:9",
                settings: "{}",
                secrets: "",
            },
        )
        .await
        .unwrap();
        drop(conn);
        Coop {
            db,
            id: c.id,
            channel: channel.id,
        }
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

    /// An open conversation of a new contact, opened at `at`.
    pub async fn conversation(&self, at: i64) -> ConversationId {
        let mut conn = self.db.conn().await.unwrap();
        let contact = contacts::create_contact(&mut conn, self.id, "Siti", None)
            .await
            .unwrap();
        messages::create_conversation(&mut conn, self.id, contact.id, self.channel, at)
            .await
            .unwrap()
            .id
    }

    /// Sets a conversation's status as the inbox does (`open`, `snoozed`, `resolved`).
    pub async fn set_status(&self, id: ConversationId, status: &str) {
        sqlx::query("UPDATE conversations SET status = $2 WHERE id = $1")
            .bind(id.0)
            .bind(status)
            .execute(self.db.pool())
            .await
            .unwrap();
    }

    /// The audit actions of this cooperative, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        let filter = guyub_store::audit::Filter {
            limit: 500,
            ..Default::default()
        };
        let mut all =
            guyub_store::audit::list(&mut self.db.conn().await.unwrap(), self.id, &filter)
                .await
                .unwrap();
        all.reverse();
        all.into_iter().map(|e| e.action).collect()
    }
}
