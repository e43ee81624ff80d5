//! Reading the member registry (the identity work adds the rest).

use crate::{Actor, Result};
use guyub_domain::{Action, MemberId};
use guyub_store::Db;
use guyub_store::members::{self, Member};

pub async fn list(db: &Db, actor: &Actor, limit: i64, offset: i64) -> Result<Vec<Member>> {
    actor.require(Action::ViewMembers)?;
    Ok(members::list(&mut *db.conn().await?, actor.cooperative_id, limit, offset).await?)
}

pub async fn get(db: &Db, actor: &Actor, id: MemberId) -> Result<Member> {
    actor.require(Action::ViewMembers)?;
    Ok(members::get(&mut *db.conn().await?, actor.cooperative_id, id).await?)
}

pub async fn count(db: &Db, actor: &Actor) -> Result<i64> {
    actor.require(Action::ViewMembers)?;
    Ok(members::count(&mut *db.conn().await?, actor.cooperative_id).await?)
}
