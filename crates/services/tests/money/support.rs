//! A fresh database with a cooperative and actors of each role.

use guyub_domain::{CooperativeId, Role, Slug, UserId};
use guyub_services::{Actor, ActorKind};
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
}
