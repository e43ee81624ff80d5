//! The demo cooperative behind `guyub serve --demo`: staff in every role, a handful of
//! members. Loading it twice changes nothing.

use crate::staff::{AddUser, add_user};
use crate::{Actor, Result, setup};
use guyub_domain::Role;
use guyub_store::members::{self, NewMember};
use guyub_store::{Db, cooperatives};

pub const SLUG: &str = "demo";
pub const NAME: &str = "Koperasi Guyub Rukun Sejahtera";

/// A leaf in a circle: the demo cooperative's logo.
pub const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#0f766e"/><path d="M20 40c0-12 10-22 24-22-1 14-10 24-22 24" fill="#ccfbf1"/><path d="M22 42l14-14" stroke="#0f766e" stroke-width="2"/></svg>"##;

/// A staff account created by the demo, with the password shown once.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub password: String,
}

const MEMBERS: &[(&str, &str, &str)] = &[
    ("Siti Rahayu", "+6281234500001", "anggota"),
    ("Budi Santoso", "+6281234500002", "anggota"),
    ("Dewi Lestari", "+6281234500003", "anggota"),
    ("Agus Setiawan", "+6281234500004", "anggota"),
    ("Rina Wulandari", "+6281234500005", "anggota"),
    ("Made Wirawan", "+6281234500006", "anggota"),
    ("Yohana Simanjuntak", "+6281234500007", "calon_anggota"),
    ("Ahmad Fauzi", "+6281234500008", "keluar"),
];

/// Loads the demo cooperative. Returns the staff logins when it was created now, or
/// `None` when it was already there (its passwords were printed the first time).
pub async fn load(db: &Db) -> Result<Option<Vec<DemoLogin>>> {
    if cooperatives::by_slug(&mut *db.conn().await?, SLUG)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let coop = setup::create_cooperative(db, SLUG, NAME, "demo").await?;
    set_logo(db, coop.id).await?;
    let actor = Actor::cli(coop.id);
    let mut logins = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@demo.guyub.id", role.as_str());
        let password = crate::secret::random_password();
        add_user(
            db,
            &actor,
            AddUser {
                email: &email,
                name: &demo_name(role),
                role,
                password: &password,
                locale: "id",
            },
        )
        .await?;
        logins.push(DemoLogin {
            role,
            email,
            password,
        });
    }
    let mut tx = db.begin_write().await?;
    for (i, (name, phone, status)) in MEMBERS.iter().enumerate() {
        members::create(
            &mut tx,
            coop.id,
            NewMember {
                member_no: &format!("KGR-{:06}", i + 1),
                name,
                phone: Some(phone),
                status,
                joined_at: Some(1_704_067_200_000 + i as i64 * 86_400_000 * 30),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(logins))
}

async fn set_logo(db: &Db, coop: guyub_domain::CooperativeId) -> Result<()> {
    cooperatives::set_logo(&mut *db.conn().await?, coop, LOGO_SVG).await?;
    Ok(())
}

fn demo_name(role: Role) -> String {
    match role {
        Role::Owner => "Pak Harjo (Ketua)",
        Role::Admin => "Mbak Nur (Admin)",
        Role::Manager => "Bu Ratna (Pengurus)",
        Role::Supervisor => "Mas Dimas (Supervisor)",
        Role::Agent => "Putri (CS)",
        Role::Teller => "Joko (Kasir)",
        Role::Auditor => "Pak Halim (Pengawas)",
    }
    .to_string()
}
