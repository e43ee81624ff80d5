//! The contact and identity pages: merging with a preview and undoing it, the review
//! queue, and proving an identity with a one-time code.

use super::member_pages::{between, location, member, owner, resolve};
use crate::support::TestApp;
use guyub_services::{identity, members};
use reqwest::StatusCode;

#[tokio::test]
async fn contacts_are_previewed_merged_and_unmerged_through_the_pages() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-gabung").await;
    let dewi = member(
        &app,
        &t,
        "Dewi Lestari",
        "3374036507900003",
        &["081234500003"],
    )
    .await;
    let wa = resolve(&app, &t, "whatsapp", "6281234500003", "Dewi L").await;
    let tg = resolve(&app, &t, "telegram", "500123456", "dewi_l").await;
    assert_eq!(wa.member_id.map(|m| m.0), Some(dewi));
    assert!(tg.member_id.is_none());
    let (survivor, merged) = (wa.contact_id.0, tg.contact_id.0);
    let (session, csrf) = owner(&app, &t).await;

    let (_, _, html) = app.page(&session, "/contacts").await;
    assert!(
        html.contains("pelanggan / belum dikenal"),
        "the Telegram contact is not known"
    );
    assert!(html.contains("Dewi Lestari"), "{html}");

    let (s, _, html) = app
        .page(
            &session,
            &format!("/contacts/{survivor}/merge?other={merged}"),
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let moving = between(&html, "Pindah dari", "</section>");
    assert!(
        moving.contains("500123456") && !moving.contains("6281234500003"),
        "{moving}"
    );
    assert!(
        html.contains("Identitas kanal</dt><dd class=\"moves\"><strong>1</strong>"),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"/members/{dewi}\"")),
        "member after the merge"
    );
    assert_eq!(
        identity::get_contact(&app.db, &t.actor, tg.contact_id)
            .await
            .unwrap()
            .contact
            .merged_into,
        None,
        "a preview changes nothing"
    );

    let (s, _, html) = app
        .page(
            &session,
            &format!("/contacts/{survivor}/merge?other={survivor}"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("cannot be merged with itself"), "{html}");

    let other = merged.to_string();
    let (s, h, _) = app
        .post_form(
            &session,
            &format!("/contacts/{survivor}/merge"),
            &[("_csrf", &csrf), ("other", &other)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, &location(&h)).await;
    assert!(
        html.contains("Kontak digabung.") && html.contains("500123456"),
        "{html}"
    );
    assert!(html.contains("Riwayat penggabungan"));
    let undo = format!(
        "/merges/{}/undo",
        between(&html, "action=\"/merges/", "/undo\"")
    );
    let (_, _, html) = app.page(&session, &format!("/members/{dewi}")).await;
    assert!(
        html.contains("500123456"),
        "the member page shows the moved identity"
    );

    let back = format!("/contacts/{survivor}");
    let (s, h, _) = app
        .post_form(&session, &undo, &[("_csrf", &csrf), ("back", &back)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("{back}?ok=contacts.unmerged"));
    let restored = identity::get_contact(&app.db, &t.actor, tg.contact_id)
        .await
        .unwrap();
    assert!(restored.contact.merged_into.is_none() && restored.identities.len() == 1);
    let (s, _, html) = app
        .post_form(&session, &undo, &[("_csrf", &csrf), ("back", &back)])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "undone once");
    assert!(html.contains("already undone"), "{html}");
    let (s, _, _) = app
        .post_form(
            &session,
            &undo,
            &[("_csrf", &csrf), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "forms go back only to our pages"
    );
}

#[tokio::test]
async fn the_review_queue_links_a_shared_phone_to_one_member() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-tinjau").await;
    let siti = member(
        &app,
        &t,
        "Siti Rahayu",
        "3374015204850001",
        &["081234500001", "(024) 760-1234"],
    )
    .await;
    let budi = member(
        &app,
        &t,
        "Budi Santoso",
        "3374020311790002",
        &["081234500002", "(024) 760-1234"],
    )
    .await;
    let call = resolve(&app, &t, "phone", "0247601234", "Telepon rumah").await;
    assert!(call.review.is_some() && call.member_id.is_none());
    let (session, csrf) = owner(&app, &t).await;

    let (_, _, html) = app.page(&session, "/").await;
    assert!(
        html.contains("title=\"tinjauan terbuka\">1</span>"),
        "open count in the menu"
    );
    let (s, _, html) = app.page(&session, "/members/reviews").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("6224760123") && html.contains("cocok dengan beberapa anggota"),
        "{html}"
    );
    assert!(html.contains("Siti Rahayu") && html.contains("Budi Santoso"));
    let review = call.review.unwrap().0;
    let path = format!("/members/reviews/{review}");
    let (s, _, html) = app
        .post_form(
            &session,
            &path,
            &[("_csrf", &csrf), ("member_id", "999999")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("not one of this review"), "{html}");
    let budi_id = budi.to_string();
    let (s, h, _) = app
        .post_form(
            &session,
            &path,
            &[("_csrf", &csrf), ("member_id", &budi_id)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app.page(&session, &location(&h)).await;
    assert!(
        html.contains("Identitas dihubungkan ke anggota.")
            && html.contains("Tidak ada yang perlu ditinjau.")
    );
    assert!(!html.contains("class=\"count\""), "no open reviews left");
    let (_, _, html) = app.page(&session, &format!("/members/{budi}")).await;
    assert!(
        html.contains("<code>62247601234</code>"),
        "Budi has the home phone now"
    );
    let (_, _, html) = app.page(&session, &format!("/members/{siti}")).await;
    assert!(!html.contains("<code>62247601234</code>"), "Siti does not");
}

#[tokio::test]
async fn an_identity_is_proven_with_a_code_from_the_member_page() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-kode-ui").await;
    let dewi = member(
        &app,
        &t,
        "Dewi Lestari",
        "3374036507900003",
        &["081234500003"],
    )
    .await;
    let (session, csrf) = owner(&app, &t).await;
    let (_, _, html) = app.page(&session, "/contacts").await;
    assert!(html.contains("Belum ada kontak."));
    // Codes go out through the cooperative's channels (simulated providers here).
    app.channel(&t, "telegram").await;
    app.channel(&t, "line").await;

    // Staff tell the system her Telegram: a contact of hers, unverified.
    let tg = resolve(&app, &t, "telegram", "500123456", "Dewi L").await;
    let contact = format!("/contacts/{}", tg.contact_id);
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("{contact}/link"),
            &[("_csrf", &csrf), ("member", "nobody")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let m = members::get(&app.db, &t.actor, guyub_domain::MemberId(dewi))
        .await
        .unwrap();
    let (s, _, _) = app
        .post_form(
            &session,
            &format!("{contact}/link"),
            &[("_csrf", &csrf), ("member", &m.member_no)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = app
        .post_form(
            &session,
            &format!("{contact}/identities"),
            &[
                ("_csrf", &csrf),
                ("kind", "line"),
                ("external_id", "U4af4980629"),
                ("display_name", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");

    let page = format!("/members/{dewi}");
    let (_, _, html) = app.page(&session, &page).await;
    let row = between(&html, "<code>500123456</code>", "</tr>");
    assert!(
        row.contains("belum terverifikasi") && row.contains("Kirim kode"),
        "{row}"
    );
    assert!(html.contains("U4af4980629"));
    let id = tg.identity.id.0;
    let (s, h, _) = app
        .post_form(
            &session,
            &format!("/identities/{id}/code"),
            &[("_csrf", &csrf), ("back", &page)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("{page}?ok=identity.code_sent"));
    let code = app.code_sent_to("500123456", 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = format!("/identities/{id}/confirm");
    let (s, _, html) = app
        .post_form(
            &session,
            &confirm,
            &[("_csrf", &csrf), ("back", &page), ("code", wrong)],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("code: the code is wrong") && html.contains("Dewi Lestari"),
        "{html}"
    );
    let (s, _, _) = app
        .post_form(
            &session,
            &confirm,
            &[("_csrf", &csrf), ("back", &page), ("code", &code)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, html) = app
        .page(&session, &format!("{page}?ok=identity.verified"))
        .await;
    let row = between(&html, "<code>500123456</code>", "</tr>");
    assert!(
        row.contains("✓ terverifikasi") && !row.contains("Kirim kode"),
        "{row}"
    );
    assert!(html.contains("Identitas terverifikasi"), "on the timeline");

    // Three codes an hour: the fourth is refused on the page, not with a server error.
    let line = between(&html, "action=\"/identities/", "/code\"").to_string();
    let send = format!("/identities/{line}/code");
    for _ in 0..3 {
        let (s, _, _) = app
            .post_form(&session, &send, &[("_csrf", &csrf), ("back", &page)])
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let (s, _, html) = app
        .post_form(&session, &send, &[("_csrf", &csrf), ("back", &page)])
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Sudah 3 kode dikirim"), "{html}");

    // Unlinking from the member page returns there.
    let (s, h, _) = app
        .post_form(
            &session,
            &format!("{contact}/unlink"),
            &[("_csrf", &csrf), ("back", &page)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("{page}?ok=contacts.unlinked"));
    let (_, _, html) = app.page(&session, &page).await;
    assert!(!html.contains("<code>500123456</code>"), "{html}");
}
