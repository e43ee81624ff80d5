//! The demo cooperative behind `guyub serve --demo`: staff in every role, a handful of
//! members. Loading it twice changes nothing.

use crate::staff::{AddUser, add_user};
use crate::{Actor, Result, setup};
use guyub_domain::Role;
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

/// (name, gender, birth date, NIK, phones, e-mail, regency, status)
type DemoMember = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
);

const MEMBERS: &[DemoMember] = &[
    (
        "Siti Rahayu",
        "P",
        "1985-04-12",
        "3374015204850001",
        &["081234500001", "(024) 760-1234"],
        "siti.rahayu@example.id",
        "Kota Semarang",
        "anggota",
    ),
    (
        "Budi Santoso",
        "L",
        "1979-11-03",
        "3374020311790002",
        &["081234500002", "(024) 760-1234"],
        "",
        "Kota Semarang",
        "anggota",
    ),
    (
        "Dewi Lestari",
        "P",
        "1990-07-25",
        "3374036507900003",
        &["081234500003"],
        "dewi.lestari@example.id",
        "Kota Semarang",
        "anggota",
    ),
    (
        "Agus Setiawan",
        "L",
        "1982-01-30",
        "3374013001820004",
        &["081234500004"],
        "agus.setiawan@example.id",
        "Kota Semarang",
        "anggota",
    ),
    (
        "Rina Wulandari",
        "P",
        "1995-02-08",
        "3374044802950005",
        &["081234500005"],
        "",
        "Kota Semarang",
        "anggota",
    ),
    (
        "Made Wirawan",
        "L",
        "1988-09-17",
        "5171011709880006",
        &["081234500006"],
        "",
        "Kota Denpasar",
        "anggota",
    ),
    (
        "Yohana Simanjuntak",
        "P",
        "1999-12-01",
        "1271014112990007",
        &["081234500007"],
        "",
        "Kota Medan",
        "calon_anggota",
    ),
    (
        "Ahmad Fauzi",
        "L",
        "1970-06-21",
        "3374052106700008",
        &["081234500008"],
        "",
        "Kota Semarang",
        "anggota",
    ),
];

/// Channel identities as the channels would bring them: (kind, external id, name).
const IDENTITIES: &[(&str, &str, &str)] = &[
    ("whatsapp", "6281234500001", "Siti R"),
    ("whatsapp", "6281234500002", "Budi S"),
    ("whatsapp", "6281234500005", "Rina"),
    ("telegram", "500123456", "Dewi L"),
    ("instagram", "17841400000000001", "agus.setiawan"),
    ("email", "agus.setiawan@example.id", "Agus Setiawan"),
    // The home line Siti and Budi share: which of them called is for a person to decide.
    ("phone", "0247601234", "+62 24 7601234"),
    // A customer who is not a member (pelanggan).
    ("whatsapp", "6281299990000", "Pak Tono"),
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
    let mut staff_actors = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@demo.guyub.id", role.as_str());
        let password = crate::secret::random_password();
        let user = add_user(
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
        staff_actors.push(Actor {
            cooperative_id: coop.id,
            role,
            kind: crate::ActorKind::User {
                id: user.id,
                email: email.clone(),
            },
            source: "demo".into(),
        });
        logins.push(DemoLogin {
            role,
            email,
            password,
        });
    }
    crate::members::set_numbering(db, &actor, "KGR-000000").await?;
    let mut ids = Vec::new();
    for (i, (name, gender, birth, nik, phones, email, regency, status)) in
        MEMBERS.iter().enumerate()
    {
        let m = crate::members::create(
            db,
            &actor,
            &crate::members::MemberInput {
                nik: Some(nik.to_string()),
                name: name.to_string(),
                gender: Some(gender.to_string()),
                birth_date: Some(birth.to_string()),
                phones: phones.iter().map(|p| p.to_string()).collect(),
                email: Some(email.to_string()).filter(|e| !e.is_empty()),
                regency: Some(regency.to_string()),
                status: Some(status.to_string()),
                joined_on: Some(format!("2024-{:02}-15", i + 1)),
                occupation: Some(["Pedagang", "Petani", "Guru", "Wiraswasta"][i % 4].to_string()),
                ..Default::default()
            },
        )
        .await?;
        ids.push(m.id);
    }
    // Savings: balances, wajib bills (some members behind) and jasa, before one leaves.
    crate::savings::demo::load(db, &actor, &ids).await?;
    // One member who left, to show the lifecycle.
    crate::members::change_status(
        db,
        &actor,
        ids[7],
        "keluar",
        Some("2025-06-30"),
        "pindah domisili",
    )
    .await?;
    for (kind, ext, name) in IDENTITIES {
        let r = crate::identity::resolve_identity(
            db,
            &actor,
            kind,
            ext,
            &guyub_store::contacts::IdentityInfo {
                display_name: Some(name),
                ..Default::default()
            },
        )
        .await?;
        // Dewi told the counter her Telegram account: linked by hand, not yet verified.
        if *kind == "telegram" {
            crate::identity::link(db, &actor, r.contact_id, ids[2]).await?;
        }
    }
    demo_loans(db, &staff_actors, &ids).await?;
    demo_inbox(db, &actor, &staff_actors).await?;
    Ok(Some(logins))
}

/// Replies the demo's agents use (one shows a verified member's balances and loan).
const CANNED: &[(&str, &str, &str)] = &[
    (
        "salam",
        "Salam pembuka",
        "Halo {{ nama }}, terima kasih telah menghubungi {{ koperasi }}. Saya {{ agen }}, ada yang bisa kami bantu?",
    ),
    (
        "saldo",
        "Saldo simpanan dan pinjaman",
        "Halo {{ nama }} ({{ no_anggota }}), saldo simpanan Anda:\n\
         - pokok {{ simpanan_pokok }}\n- wajib {{ simpanan_wajib }}\n- sukarela {{ simpanan_sukarela }}\n\
         {% if angsuran_berikut %}Sisa pinjaman {{ sisa_pinjaman }}; angsuran berikutnya {{ angsuran_berikut }}.{% endif %}",
    ),
    (
        "jam-buka",
        "Jam buka kantor",
        "Kantor {{ koperasi }} buka Senin–Jumat 08.00–16.00 dan Sabtu 08.00–12.00 WIB.",
    ),
    (
        "daftar",
        "Cara menjadi anggota",
        "{% if no_anggota %}Anda sudah anggota ({{ no_anggota }}).{% else %}Untuk menjadi anggota, \
         datang ke kantor membawa KTP dan membayar simpanan pokok.{% endif %}",
    ),
];

/// Teams, skill rules and canned replies, so the inbox routes and answers from the start.
async fn demo_inbox(db: &Db, actor: &Actor, staff: &[Actor]) -> Result<()> {
    let user = |role: Role| {
        staff
            .iter()
            .find(|a| a.role == role)
            .and_then(Actor::user_id)
    };
    let members: Vec<_> = [Role::Agent, Role::Supervisor]
        .into_iter()
        .filter_map(user)
        .collect();
    crate::inbox::create_team(db, actor, "Simpan Pinjam", Some("pinjaman"), &members).await?;
    let shop: Vec<_> = [Role::Agent].into_iter().filter_map(user).collect();
    crate::inbox::create_team(db, actor, "Toko", Some("toko"), &shop).await?;
    for (skill, keyword) in [
        ("pinjaman", "pinjam"),
        ("pinjaman", "angsuran"),
        ("simpanan", "saldo"),
        ("simpanan", "simpan"),
        ("toko", "pupuk"),
        ("toko", "beras"),
        ("pengaduan", "komplain"),
    ] {
        crate::inbox::add_skill_rule(db, actor, skill, Some(keyword), None).await?;
    }
    for (shortcut, title, body) in CANNED {
        crate::canned::create(
            db,
            actor,
            &crate::canned::CannedInput {
                shortcut,
                title,
                body,
            },
        )
        .await?;
    }
    Ok(())
}

/// Two loan products; a loan paid out three months ago with its first instalment paid
/// (the second is late), a small one paid out last month, and an application waiting
/// for a second person's approval. All through the loan services, so the ledger
/// matches.
async fn demo_loans(db: &Db, staff: &[Actor], members: &[guyub_domain::MemberId]) -> Result<()> {
    use crate::loans::{
        self, Application, DendaInput, DisburseInput, FeeInput, ProductInput, RepaymentInput,
    };
    use guyub_domain::money::Rupiah;
    let by_role = |r: Role| {
        staff
            .iter()
            .find(|a| a.role == r)
            .ok_or_else(|| crate::ServiceError::Internal(format!("demo {r} missing")))
    };
    let (manager, teller) = (by_role(Role::Manager)?, by_role(Role::Teller)?);
    let fee = |kind: &str, value: &str| FeeInput {
        kind: kind.into(),
        value: value.into(),
    };
    let umum = loans::create_product(
        db,
        manager,
        &ProductInput {
            name: "Pinjaman Umum".into(),
            method: "anuitas".into(),
            yearly_rate: "18".into(),
            min_tenor: 3,
            max_tenor: 36,
            min_principal: Some(500_000),
            max_principal: Some(50_000_000),
            provisi: fee("percent", "1"),
            admin: fee("fixed", "25000"),
            denda: DendaInput {
                kind: "daily_percent".into(),
                value: "0.1".into(),
                grace_days: 3,
            },
            grace_months: 0,
            active: Some(true),
        },
    )
    .await?;
    let darurat = loans::create_product(
        db,
        manager,
        &ProductInput {
            name: "Pinjaman Darurat".into(),
            method: "flat".into(),
            yearly_rate: "12".into(),
            min_tenor: 1,
            max_tenor: 12,
            min_principal: None,
            max_principal: Some(5_000_000),
            provisi: fee("fixed", "0"),
            admin: fee("fixed", "10000"),
            denda: DendaInput {
                kind: "per_installment".into(),
                value: "10000".into(),
                grace_days: 5,
            },
            grace_months: 0,
            active: Some(true),
        },
    )
    .await?;
    let today =
        crate::ledger::cooperative_today(&mut *db.conn().await?, staff[0].cooperative_id).await?;
    let days_ago = |n: i64| loans::shift_days(today, -n).unwrap_or(today);
    let run = |member, product, principal: i64, tenor, on| {
        let (teller, manager) = (teller.clone(), manager.clone());
        async move {
            let l = loans::apply(
                db,
                &teller,
                &Application {
                    member_id: member,
                    product_id: product,
                    principal: Rupiah::new(principal),
                    tenor_months: tenor,
                    purpose: "modal usaha".into(),
                },
            )
            .await?;
            loans::approve(db, &manager, l.id, "disetujui rapat pengurus").await?;
            loans::disburse(
                db,
                &teller,
                l.id,
                &DisburseInput {
                    channel: "cash".into(),
                    date: Some(on),
                    first_due: None,
                },
            )
            .await
        }
    };
    // Siti: Rp 10.000.000 over 12 months, paid out about three months ago; the first
    // instalment paid on time, the second late (denda running).
    let siti = run(members[0], umum.id, 10_000_000, 12, days_ago(92)).await?;
    if let Some(first_due) = siti.first_due.filter(|d| *d <= today) {
        let d = loans::detail(db, teller, siti.id, Some(first_due)).await?;
        if let Some(first) = d.schedule.first() {
            loans::repay(
                db,
                teller,
                siti.id,
                &RepaymentInput {
                    amount: first.total,
                    paid_on: Some(first_due),
                },
            )
            .await?;
        }
    }
    // Budi: an emergency loan paid out last week.
    run(members[1], darurat.id, 2_000_000, 6, days_ago(7)).await?;
    // Dewi: an application the teller entered, waiting for the manager.
    loans::apply(
        db,
        teller,
        &Application {
            member_id: members[2],
            product_id: umum.id,
            principal: Rupiah::new(5_000_000),
            tenor_months: 18,
            purpose: "renovasi kios".into(),
        },
    )
    .await?;
    Ok(())
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

/// Demo credentials per kind, and the simulator path that plays the provider.
pub fn simulated_channel(
    kind: guyub_connectors::ChannelKind,
) -> (&'static str, &'static [(&'static str, &'static str)]) {
    use guyub_connectors::ChannelKind::*;
    match kind {
        // Not simulated: a mailbox needs a real IMAP and SMTP server.
        Email => ("email", &[]),
        Webchat => (
            "webchat",
            &[
                ("allowed_origins", "*"),
                ("widget_secret", "demo-webchat-secret"),
            ],
        ),
        Whatsapp => (
            "whatsapp",
            &[
                ("phone_number_id", "106540352242922"),
                ("access_token", "demo-wa-token"),
                ("app_secret", "demo-wa-secret"),
                ("verify_token", "demo-wa-verify"),
            ],
        ),
        Messenger => (
            "meta",
            &[
                ("page_id", "1000001"),
                ("access_token", "demo-fb-token"),
                ("app_secret", "demo-fb-secret"),
                ("verify_token", "demo-fb-verify"),
            ],
        ),
        Instagram => (
            "meta",
            &[
                ("page_id", "1784140000"),
                ("access_token", "demo-ig-token"),
                ("app_secret", "demo-ig-secret"),
                ("verify_token", "demo-ig-verify"),
            ],
        ),
        Telegram => (
            "telegram",
            &[
                ("bot_token", "1000:demo-bot"),
                ("secret_token", "demo-tg-secret"),
            ],
        ),
        Line => (
            "line",
            &[
                ("channel_access_token", "demo-line-token"),
                ("channel_secret", "demo-line-secret"),
            ],
        ),
        X => (
            "x",
            &[
                ("user_id", "100"),
                ("access_token", "demo-x-token"),
                ("consumer_secret", "demo-x-secret"),
            ],
        ),
    }
}

/// Gives the demo cooperative one channel of every kind whose provider is this
/// server's simulator at `public_url` (kept current when the address changes).
pub async fn connect_simulated_channels(
    db: &Db,
    boxed: &crate::secretbox::SecretBox,
    public_url: &str,
) -> Result<()> {
    let Some(coop) = cooperatives::by_slug(&mut *db.conn().await?, SLUG).await? else {
        return Ok(());
    };
    let actor = Actor::cli(coop.id);
    let existing = crate::channels::list(db, boxed, &actor).await?;
    for kind in guyub_connectors::ChannelKind::ALL {
        if kind == guyub_connectors::ChannelKind::Email {
            continue;
        }
        let (sim, creds) = simulated_channel(kind);
        let base_url = if kind == guyub_connectors::ChannelKind::Webchat {
            String::new()
        } else {
            format!("{}/sim/{sim}", public_url.trim_end_matches('/'))
        };
        let values = creds
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match existing.iter().find(|c| c.kind == kind) {
            Some(c) if c.base_url == base_url => {}
            Some(c) => {
                let change = crate::channels::ChannelChange {
                    name: None,
                    base_url: Some(&base_url),
                    values: &values,
                    active: Some(true),
                };
                crate::channels::change(db, boxed, &actor, c.id, &change).await?;
            }
            None => {
                let name = format!("{} (simulasi)", kind_label(kind));
                let input = crate::channels::ChannelInput {
                    kind: kind.as_str(),
                    name: &name,
                    base_url: &base_url,
                    values: &values,
                };
                crate::channels::add(db, boxed, &actor, &input).await?;
            }
        }
    }
    Ok(())
}

fn kind_label(kind: guyub_connectors::ChannelKind) -> &'static str {
    use guyub_connectors::ChannelKind::*;
    match kind {
        Whatsapp => "WhatsApp",
        Messenger => "Messenger",
        Instagram => "Instagram",
        Telegram => "Telegram",
        Line => "LINE",
        X => "X",
        Webchat => "Web chat",
        Email => "E-mail",
    }
}
