//! Full-text search: Indonesian stemming on both sides, ranking and pages, contacts
//! (names, identities, member numbers) kept current through renames and merges, input
//! that must never break the query, and one cooperative never seeing another's.

use crate::search_support::Coop;
use guyub_domain::{IdentityKey, IdentityKind, Role};
use guyub_services::conversations::{self, Reply};
use guyub_services::members::{self, MemberInput};
use guyub_services::search::{self, Scope, SearchFilter, SearchResults};
use guyub_services::{ServiceError, identity};
use guyub_store::contacts::{self, IdentityInfo};
use guyub_store::messages::{self, NewMessage};

async fn find(c: &Coop, q: &str) -> SearchResults {
    search::search(&c.db, &c.agent(), q, &SearchFilter::default(), 20)
        .await
        .unwrap_or_else(|e| panic!("search {q:?}: {e}"))
}

fn bodies(r: &SearchResults) -> Vec<String> {
    r.messages.iter().map(|m| m.snippet_text()).collect()
}

fn names(r: &SearchResults) -> Vec<String> {
    r.contacts.iter().map(|c| c.name.clone()).collect()
}

#[tokio::test]
async fn affixed_forms_find_each_other_in_messages() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    c.receive(
        ch,
        &[
            (
                "v1",
                "Siti Aminah",
                "Selamat pagi, pinjaman saya sudah dicairkan belum?",
            ),
            (
                "v2",
                "Budi Santoso",
                "Saya mau menyetor simpanan wajib bulan ini",
            ),
            (
                "v3",
                "Wayan",
                "Apakah bisa meminjam uang untuk modal usaha?",
            ),
        ],
    )
    .await;
    for q in [
        "pinjaman",
        "meminjam",
        "dipinjamkan",
        "PINJAM",
        "peminjaman",
    ] {
        let r = find(&c, q).await;
        let mut who: Vec<&str> = r.messages.iter().map(|m| m.contact_name.as_str()).collect();
        who.sort();
        assert_eq!(who, ["Siti Aminah", "Wayan"], "{q}");
    }
    // Every word must match: "pencairan pinjaman" is only Siti's message.
    let r = find(&c, "pencairan pinjaman").await;
    assert_eq!(r.messages.len(), 1);
    let hit = &r.messages[0];
    assert_eq!(hit.contact_name, "Siti Aminah");
    assert_eq!(hit.channel_kind, "webchat");
    assert_eq!(hit.direction, "in");
    assert_eq!(hit.matched(), ["pinjaman", "dicairkan"]);
    assert!(hit.created_at > 0);
    // The message and its conversation are the real ones.
    let (view, list) = conversations::get(&c.db, &c.agent(), hit.conversation_id)
        .await
        .unwrap();
    assert_eq!(view.contact.display_name, "Siti Aminah");
    assert!(list.iter().any(|m| m.id == hit.message_id));

    assert_eq!(bodies(&find(&c, "setoran simpanan").await).len(), 1);
    assert!(find(&c, "angsuran").await.messages.is_empty());
}

#[tokio::test]
async fn replies_are_indexed_and_a_rolled_back_message_is_not() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    c.receive(ch, &[("v1", "Siti", "Halo, saya mau tanya")])
        .await;
    let conv = find(&c, "tanya").await.messages[0].conversation_id;
    let text = "Baik Bu, angsuran bulan depan bisa dibayarkan lewat teller.";
    let pipeline = guyub_services::pipeline::Pipeline::new(
        c.db.clone(),
        guyub_services::secretbox::SecretBox::from_text(
            &guyub_services::secretbox::SecretBox::generate_key(),
        )
        .unwrap(),
    );
    conversations::reply(
        &pipeline,
        &c.agent(),
        conv,
        &Reply {
            text: Some(text),
            media: None,
            template: None,
            channel_id: None,
            seen: None,
        },
    )
    .await
    .unwrap();
    let r = find(&c, "pembayaran angsuran").await;
    assert_eq!(r.messages.len(), 1);
    assert_eq!(r.messages[0].direction, "out");
    assert_eq!(r.messages[0].conversation_id, conv);

    // A message whose transaction rolls back leaves nothing in the index.
    let m = &find(&c, "tanya").await.messages[0];
    let msg = messages::get_message(&mut c.db.conn().await.unwrap(), c.id, m.message_id)
        .await
        .unwrap();
    let mut tx = c.db.begin_write().await.unwrap();
    messages::insert_message(
        &mut tx,
        &NewMessage {
            cooperative_id: c.id,
            conversation_id: msg.conversation_id,
            contact_id: msg.contact_id,
            channel_id: msg.channel_id,
            identity_id: msg.identity_id,
            direction: "in",
            provider_id: Some("rolled-back"),
            kind: "text",
            body: "kupon undian rahasia",
            content: "{}",
            status: "received",
            status_rank: 0,
            author: None,
            reply_token: None,
            at: 1,
        },
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert!(find(&c, "undian").await.messages.is_empty());
}

#[tokio::test]
async fn numbers_amounts_and_member_numbers_are_found() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    c.receive(
        ch,
        &[
            (
                "v1",
                "Siti",
                "Sudah transfer Rp1.500.000 ke rekening koperasi",
            ),
            (
                "v2",
                "Budi",
                "No anggota saya KGR-000123, WA 0812-3456-7890",
            ),
        ],
    )
    .await;
    for q in ["1.500.000", "1500000", "Rp 1.500.000"] {
        assert_eq!(find(&c, q).await.messages.len(), 1, "{q}");
    }
    for q in [
        "KGR-000123",
        "000123",
        "123",
        "081234567890",
        "6281234567890",
    ] {
        let r = find(&c, q).await;
        assert_eq!(r.messages.len(), 1, "{q}");
        assert_eq!(r.messages[0].contact_name, "Budi", "{q}");
    }
    assert!(find(&c, "124").await.messages.is_empty());
}

#[tokio::test]
async fn results_are_ranked_then_newest_first_and_paged() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    // Seven messages about "macet"; the short one, neither the oldest nor the newest,
    // is most about it; the long one least. And a few without it (a word in most
    // documents says little, and bm25 would not weigh it).
    let long = "Mohon maaf mengganggu, saya ingin menanyakan beberapa hal tentang keanggotaan, \
                jadwal rapat anggota tahunan, pembagian sisa hasil usaha, dan juga kredit macet";
    c.receive(ch, &[("v0", "Panjang", long)]).await;
    let same = "Kredit macet lagi bulan ini, mohon dibantu";
    for i in 1..=2 {
        c.receive(ch, &[(&format!("v{i}"), &format!("Anggota {i}"), same)])
            .await;
    }
    c.receive(ch, &[("v6", "Pendek", "macet")]).await;
    for i in 3..=5 {
        c.receive(ch, &[(&format!("v{i}"), &format!("Anggota {i}"), same)])
            .await;
    }
    for i in 0..8 {
        let v = format!("w{i}");
        c.receive(
            ch,
            &[(&v, "Lain", "Simpanan wajib bulan ini sudah dibayar")],
        )
        .await;
    }

    let all = find(&c, "macet").await;
    assert_eq!(all.messages.len(), 7);
    assert_eq!(all.messages[0].contact_name, "Pendek");
    assert_eq!(all.messages[6].contact_name, "Panjang");
    // The five equal messages: newest first.
    let equal: Vec<&str> = all.messages[1..6]
        .iter()
        .map(|m| m.contact_name.as_str())
        .collect();
    assert_eq!(
        equal,
        [
            "Anggota 5",
            "Anggota 4",
            "Anggota 3",
            "Anggota 2",
            "Anggota 1"
        ]
    );

    // Pages of 3: the same order, nothing twice, nothing missing.
    let mut seen = Vec::new();
    for (offset, size, more) in [(0, 3, true), (3, 3, true), (6, 1, false)] {
        let page = search::search(
            &c.db,
            &c.agent(),
            "macet",
            &SearchFilter {
                scope: Scope::Messages,
                offset,
                ..Default::default()
            },
            3,
        )
        .await
        .unwrap();
        assert_eq!(page.messages.len(), size, "offset {offset}");
        assert_eq!(page.more_messages, more, "offset {offset}");
        assert!(page.contacts.is_empty());
        seen.extend(page.messages.iter().map(|m| m.message_id));
    }
    let expected: Vec<_> = all.messages.iter().map(|m| m.message_id).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn contacts_are_found_by_name_identity_and_member_number() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    c.receive(ch, &[("visitor-77a", "Dewi Lestari", "Halo")])
        .await;
    let r = find(&c, "lestari").await;
    assert_eq!(names(&r), ["Dewi Lestari"]);
    assert!(r.messages.is_empty(), "the name is not in the message");
    let dewi = r.contacts[0].contact_id;
    // The identity's external id.
    assert_eq!(names(&find(&c, "visitor-77a").await), ["Dewi Lestari"]);

    // A WhatsApp identity added: its number in either spelling.
    let key = IdentityKey::parse(IdentityKind::Whatsapp, "6281298765432").unwrap();
    let mut tx = c.db.begin_write().await.unwrap();
    contacts::insert_identity(&mut tx, c.id, dewi, &key, &IdentityInfo::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for q in ["081298765432", "6281298765432", "+62 812-9876-5432"] {
        assert_eq!(names(&find(&c, q).await), ["Dewi Lestari"], "{q}");
    }

    // Linked to a member: the member number finds the contact, and the result says so.
    let owner = c.actor(Role::Owner, 9);
    let m = members::create(
        &c.db,
        &owner,
        &MemberInput {
            member_no: Some("A-000042".into()),
            name: "Dewi Lestari".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    identity::link(&c.db, &owner, dewi, m.id).await.unwrap();
    let r = find(&c, "A-000042").await;
    assert_eq!(names(&r), ["Dewi Lestari"]);
    assert_eq!(r.contacts[0].member_id, Some(m.id));
    assert_eq!(r.contacts[0].member_no.as_deref(), Some("A-000042"));
    assert_eq!(names(&find(&c, "42").await), ["Dewi Lestari"]);

    // Renamed: the new name is found, the old one no longer.
    let mut tx = c.db.begin_write().await.unwrap();
    contacts::rename_contact(&mut tx, c.id, dewi, "Ibu Dewi Kartika")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(names(&find(&c, "kartika").await), ["Ibu Dewi Kartika"]);
    // (the identity still carries the name the channel gave)
    assert_eq!(names(&find(&c, "lestari").await), ["Ibu Dewi Kartika"]);
    // The channel reports a new name for the visitor: the old one is gone.
    c.receive(ch, &[("visitor-77a", "Dewi K.", "Masih ada?")])
        .await;
    assert!(find(&c, "lestari").await.contacts.is_empty());
    assert_eq!(names(&find(&c, "dewi").await), ["Ibu Dewi Kartika"]);
}

#[tokio::test]
async fn a_merged_contact_is_found_through_the_survivor_until_undone() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    c.receive(
        ch,
        &[("va", "Rahmat", "Halo"), ("vb", "Pak Hidayat", "Permisi")],
    )
    .await;
    let a = find(&c, "rahmat").await.contacts[0].contact_id;
    let b = find(&c, "hidayat").await.contacts[0].contact_id;
    let owner = c.actor(Role::Owner, 9);
    let merge = identity::merge(&c.db, &owner, a, b).await.unwrap();
    // b's identity (and its name) now belongs to a; b is not a result any more.
    let r = find(&c, "hidayat").await;
    assert_eq!(
        r.contacts.iter().map(|h| h.contact_id).collect::<Vec<_>>(),
        [a]
    );
    // b's message is found, under a's name.
    let r = find(&c, "permisi").await;
    assert_eq!(r.messages[0].contact_id, a);
    assert_eq!(r.messages[0].contact_name, "Rahmat");

    identity::undo_merge(&c.db, &owner, merge).await.unwrap();
    let r = find(&c, "hidayat").await;
    assert_eq!(
        r.contacts.iter().map(|h| h.contact_id).collect::<Vec<_>>(),
        [b]
    );
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_syntax_never_reaches_sql() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    c.receive(
        ch,
        &[(
            "v1",
            "Siti",
            "Pinjaman macet (lagi) - \"tolong\" cek * NEAR OR",
        )],
    )
    .await;
    let agent = c.agent();
    let f = SearchFilter::default();
    for (q, field) in [("", "q"), ("   ", "q")] {
        match search::search(&c.db, &agent, q, &f, 20).await {
            Err(ServiceError::Invalid {
                field: got,
                message,
            }) => {
                assert_eq!(got, field);
                assert!(message.contains("word"), "{message}");
            }
            other => panic!("{q:?}: {other:?}"),
        }
    }
    match search::search(&c.db, &agent, &"pinjam ".repeat(30), &f, 20).await {
        Err(ServiceError::Invalid {
            field: "q",
            message,
        }) => {
            assert!(message.contains("200"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    for limit in [0, 51, -1] {
        assert!(matches!(
            search::search(&c.db, &agent, "pinjam", &f, limit).await,
            Err(ServiceError::Invalid { field: "limit", .. })
        ));
    }
    let deep = SearchFilter {
        offset: -1,
        ..Default::default()
    };
    assert!(matches!(
        search::search(&c.db, &agent, "pinjam", &deep, 20).await,
        Err(ServiceError::Invalid {
            field: "offset",
            ..
        })
    ));
    let odd = SearchFilter {
        channel_kind: Some("pigeon".into()),
        ..Default::default()
    };
    assert!(matches!(
        search::search(&c.db, &agent, "pinjam", &odd, 20).await,
        Err(ServiceError::Invalid {
            field: "channel",
            ..
        })
    ));

    // FTS5 / tsquery / SQL syntax is just text: never an error.
    for q in [
        "\"",
        "\"pinjaman",
        "pinjam*",
        "*",
        "(macet",
        "macet)",
        "-macet",
        "NEAR",
        "NEAR(pinjaman macet)",
        "pinjaman OR",
        "OR",
        "AND NOT",
        "macet:*",
        "'",
        "'; DROP TABLE messages; --",
        "\\",
        "pinjam & macet | !x",
        "coop : k1",
        "😀",
        "🙏 pinjaman 🙏",
        "^macet",
        "{terms}: macet",
    ] {
        let r = search::search(&c.db, &agent, q, &f, 20).await;
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    assert_eq!(find(&c, "(macet").await.messages.len(), 1);
    assert_eq!(find(&c, "\"pinjaman").await.messages.len(), 1);
    assert_eq!(find(&c, "🙏 pinjaman 🙏").await.messages.len(), 1);
    assert_eq!(find(&c, "NEAR").await.messages.len(), 1);
    // Nothing searchable: no results, no error.
    let r = find(&c, "😀").await;
    assert!(r.messages.is_empty() && r.contacts.is_empty() && r.terms.is_empty());
    // Someone typing the cooperative token does not get every message.
    assert!(find(&c, "k1").await.messages.is_empty());
    assert!(find(&c, "_k1").await.messages.is_empty());
}

#[tokio::test]
async fn another_cooperatives_messages_and_contacts_are_never_found() {
    let a = Coop::new("kop-a").await;
    let b = Coop::on(a.db.clone(), "kop-b").await;
    let ca = a.webchat("A").await;
    let cb = b.webchat("B").await;
    a.receive(ca, &[("va", "Anggota Satu", "Pinjaman saya kapan cair?")])
        .await;
    b.receive(
        cb,
        &[
            (
                "vb",
                "Rahasia Tetangga",
                "Pinjaman rahasia tetangga 5.000.000",
            ),
            ("vb2", "Pinjaman Tetangga", "halo"),
        ],
    )
    .await;
    let r = find(&a, "pinjaman").await;
    assert_eq!(r.messages.len(), 1);
    assert_eq!(r.messages[0].contact_name, "Anggota Satu");
    assert!(r.contacts.is_empty());
    for q in ["rahasia", "tetangga", "5000000", "vb"] {
        let r = find(&a, q).await;
        assert!(r.messages.is_empty() && r.contacts.is_empty(), "{q}");
    }
    // B sees its own.
    assert_eq!(find(&b, "pinjaman").await.messages.len(), 1);
    assert_eq!(names(&find(&b, "tetangga").await).len(), 2);

    // Only inbox roles may search.
    for role in [Role::Teller, Role::Auditor] {
        assert!(matches!(
            search::search(
                &a.db,
                &a.actor(role, 5),
                "pinjaman",
                &SearchFilter::default(),
                20
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn the_channel_filter_and_a_rebuilt_index_give_the_same_answers() {
    let c = Coop::new("kop").await;
    let web = c.webchat("Situs").await;
    let other = c.webchat("Situs kedua").await;
    c.receive(web, &[("v1", "Siti", "tabungan pendidikan anak")])
        .await;
    c.receive(other, &[("v2", "Budi", "tabungan hari raya")])
        .await;
    let f = SearchFilter {
        channel_kind: Some("webchat".into()),
        ..Default::default()
    };
    let r = search::search(&c.db, &c.agent(), "menabung", &f, 20)
        .await
        .unwrap();
    assert_eq!(r.messages.len(), 2);
    assert!(r.contacts.is_empty(), "a channel filter is about messages");
    let f = SearchFilter {
        channel_kind: Some("whatsapp".into()),
        ..Default::default()
    };
    let r = search::search(&c.db, &c.agent(), "menabung", &f, 20)
        .await
        .unwrap();
    assert!(r.messages.is_empty());

    // What migration 0013 runs on existing rows gives the index the hooks gave.
    let before = (
        bodies(&find(&c, "tabungan").await),
        names(&find(&c, "siti").await),
    );
    let mut tx = c.db.begin_write().await.unwrap();
    let (m, k) = guyub_store::search::rebuild(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((m, k), (2, 2));
    let after = (
        bodies(&find(&c, "tabungan").await),
        names(&find(&c, "siti").await),
    );
    assert_eq!(before, after);
    assert_eq!(after.0.len(), 2);
}

/// Inserts `n` messages in the conversation of `like` through `insert_messages`: every
/// other one with "pinjaman" (so the word is not in most messages: bm25 gives a word in
/// more than half of the documents no weight at all), the tenth from last short.
async fn many(c: &Coop, like: &guyub_store::messages::Message, tag: &str, n: usize, short: &str) {
    let bodies: Vec<String> = (0..n)
        .map(|i| {
            if i == n - 10 {
                short.to_string()
            } else if i % 2 == 0 {
                format!("Mohon info pinjaman nomor {i} yang kemarin sudah diajukan, terima kasih")
            } else {
                format!("Mohon info simpanan nomor {i} yang kemarin sudah disetor, terima kasih")
            }
        })
        .collect();
    let providers: Vec<String> = (0..n).map(|i| format!("{tag}{i}")).collect();
    let rows: Vec<NewMessage<'_>> = bodies
        .iter()
        .zip(&providers)
        .map(|(body, p)| NewMessage {
            cooperative_id: c.id,
            conversation_id: like.conversation_id,
            contact_id: like.contact_id,
            channel_id: like.channel_id,
            identity_id: like.identity_id,
            direction: "in",
            provider_id: Some(p),
            kind: "text",
            body,
            content: "{}",
            status: "received",
            status_rank: 0,
            author: None,
            reply_token: None,
            at: 2,
        })
        .collect();
    let mut tx = c.db.begin_write().await.unwrap();
    let inserted = messages::insert_messages(&mut tx, &rows).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(inserted.len(), n);
}

#[tokio::test]
async fn a_very_common_word_is_ranked_among_its_newest_matches() {
    let c = Coop::new("kop").await;
    let ch = c.webchat("Situs").await;
    // The oldest message is the shortest, so the best match by length…
    c.receive(ch, &[("v1", "Siti", "pinjaman sawah")]).await;
    let first = find(&c, "sawah").await.messages[0].message_id;
    let m = messages::get_message(&mut c.db.conn().await.unwrap(), c.id, first)
        .await
        .unwrap();
    // … then more newer matches than are ranked, one of them short too.
    let ranked = guyub_store::search::NEWEST_RANKED as usize;
    many(&c, &m, "a", 2 * ranked + 100, "pinjaman kebun").await;
    let r = find(&c, "pinjaman").await;
    assert_eq!(r.messages[0].snippet_text(), "pinjaman kebun");
    assert!(r.messages.iter().all(|h| h.message_id != first));
    // The old one is found by adding a word.
    let r = find(&c, "pinjaman sawah").await;
    assert_eq!(
        r.messages.iter().map(|h| h.message_id).collect::<Vec<_>>(),
        [first]
    );
    // The last page ends at the ranked ones.
    let last = SearchFilter {
        scope: Scope::Messages,
        offset: search::MAX_OFFSET - 10,
        ..Default::default()
    };
    let r = search::search(&c.db, &c.agent(), "pinjaman", &last, 20)
        .await
        .unwrap();
    assert_eq!((r.messages.len(), r.more_messages), (10, false));

    // So many matches that PostgreSQL walks the newest rows instead of the GIN index:
    // the same answers.
    many(
        &c,
        &m,
        "b",
        2 * guyub_store::search::GIN_PROBE as usize + 100,
        "pinjaman ladang",
    )
    .await;
    let r = find(&c, "pinjaman").await;
    assert_eq!(r.messages[0].snippet_text(), "pinjaman ladang");
    assert_eq!(r.messages.len(), 20);
    let r = find(&c, "pinjaman sawah").await;
    assert_eq!(r.messages.len(), 1);
    let r = find(&c, "pinjaman kebun").await;
    assert_eq!(r.messages.len(), 1);
}
