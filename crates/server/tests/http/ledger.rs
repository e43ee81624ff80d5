//! The ledger, reports and SHU API: accounts, manual entries, reversal, closing,
//! reports on a small ledger, exports, SHU preview/posting/slip, and the refusals.

use crate::support::{Tenant, TestApp};
use guyub_domain::money::{AccountCode, JournalDraft, Rupiah};
use guyub_domain::{Date, MemberId, Role};
use guyub_services::ledger::{self, Ledger, Posting, Source};
use reqwest::Method;
use serde_json::{Value, json};

/// Posts an entry for a member as the savings and loan services do.
pub async fn post_for(
    app: &TestApp,
    t: &Tenant,
    date: &str,
    lines: &[(&str, i64, i64)],
    member: Option<i64>,
) {
    let mut draft = JournalDraft::new("Transaksi anggota");
    for (code, dr, cr) in lines {
        let code = AccountCode::parse(code).unwrap();
        draft = draft
            .debit(&code, Rupiah::new(*dr))
            .credit(&code, Rupiah::new(*cr));
    }
    let entry = draft.build().unwrap();
    let mut tx = app.db.begin_write().await.unwrap();
    let l = Ledger::load(&mut tx, t.coop.id).await.unwrap();
    ledger::post(
        &mut tx,
        &l,
        "test",
        &[Posting {
            date: Date::parse(date).unwrap(),
            entry: &entry,
            source: Source {
                kind: "test",
                id: None,
            },
            member: member.map(MemberId),
            reverses: None,
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn manual(
    app: &TestApp,
    token: &str,
    date: &str,
    memo: &str,
    lines: Value,
) -> (reqwest::StatusCode, Value) {
    app.send(
        Method::POST,
        token,
        "/api/v1/journal",
        Some(json!({"date": date, "memo": memo, "lines": lines})),
    )
    .await
}

#[tokio::test]
async fn accounts_journal_reversal_closing_and_reports() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-jurnal").await;
    let tok = &t.token;

    // The default chart is there on first use.
    let (s, accounts) = app.get(tok, "/api/v1/accounts").await;
    assert_eq!(s, 200);
    let cash = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "1-1100")
        .unwrap();
    assert_eq!(cash["name_id"], "Kas");
    assert_eq!(cash["kind"], "asset");

    // Add, rename and switch off an account; refusals name the field.
    let (s, added) = app
        .send(Method::POST, tok, "/api/v1/accounts", Some(json!({"code": "5-3600", "name_id": "Beban Internet", "kind": "expense", "parent_code": "5-3000"})))
        .await;
    assert_eq!(s, 201, "{added}");
    let (s, p) = app
        .send(
            Method::POST,
            tok,
            "/api/v1/accounts",
            Some(json!({"code": "5-3600", "name_id": "Lagi", "kind": "expense"})),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    let (s, p) = app
        .send(
            Method::POST,
            tok,
            "/api/v1/accounts",
            Some(json!({"code": "5-3700", "name_id": "X", "kind": "ongkos"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), p["field"].as_str()),
        (422, Some("kind")),
        "{p}"
    );
    let id = added["id"].as_i64().unwrap();
    let (s, renamed) = app
        .send(
            Method::PATCH,
            tok,
            &format!("/api/v1/accounts/{id}"),
            Some(json!({"name_id": "Beban Internet & Telepon"})),
        )
        .await;
    assert_eq!(
        (
            s.as_u16(),
            renamed["name_id"].as_str(),
            renamed["active"].as_bool()
        ),
        (200, Some("Beban Internet & Telepon"), Some(true))
    );
    let (s, _) = app
        .send(
            Method::PATCH,
            tok,
            &format!("/api/v1/accounts/{id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, p) = app
        .send(
            Method::PATCH,
            tok,
            &format!("/api/v1/accounts/{}", cash["id"]),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), p["field"].as_str()),
        (422, Some("active")),
        "the cash account is a system account: {p}"
    );

    // Manual entries.
    let (s, e1) = manual(&app, tok, "2025-01-02", "Saldo awal", json!([{"account": "1-1100", "debit": 5_000_000}, {"account": "3-1400", "credit": 5_000_000}])).await;
    assert_eq!(s, 201, "{e1}");
    assert_eq!(e1["entry_no"], 1);
    assert_eq!(e1["lines"].as_array().unwrap().len(), 2);
    assert_eq!(e1["lines"][0]["account_code"], "1-1100");
    let (s, e2) = manual(
        &app,
        tok,
        "2025-02-10",
        "Listrik",
        json!([{"account": "5-3200", "debit": 250_000}, {"account": "1-1100", "credit": 250_000}]),
    )
    .await;
    assert_eq!(s, 201, "{e2}");
    for (body, field) in [
        (
            json!([{"account": "1-1100", "debit": 100}, {"account": "3-1400", "credit": 99}]),
            "lines",
        ),
        (
            json!([{"account": "5-3600", "debit": 100}, {"account": "1-1100", "credit": 100}]),
            "account",
        ),
        (
            json!([{"account": "1-1100", "debit": -100}, {"account": "3-1400", "credit": -100}]),
            "lines",
        ),
    ] {
        let (s, p) = manual(&app, tok, "2025-02-11", "Salah", body).await;
        assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some(field)), "{p}");
    }
    let (s, p) = manual(
        &app,
        tok,
        "2025-02-31",
        "Tanggal",
        json!([{"account": "1-1100", "debit": 1}, {"account": "3-1400", "credit": 1}]),
    )
    .await;
    assert_eq!(
        (s.as_u16(), p["field"].as_str()),
        (422, Some("date")),
        "{p}"
    );

    // List with a range and paging, one entry, reversal.
    let (_, list) = app
        .get(tok, "/api/v1/journal?from=2025-01-01&to=2025-12-31")
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["memo"], "Listrik", "newest first");
    let (_, page) = app
        .get(
            tok,
            &format!(
                "/api/v1/journal?from=2025-01-01&to=2025-12-31&limit=1&before={}",
                list[0]["id"]
            ),
        )
        .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["memo"], "Saldo awal");
    let (_, feb) = app
        .get(tok, "/api/v1/journal?from=2025-02-01&to=2025-02-28")
        .await;
    assert_eq!(feb.as_array().unwrap().len(), 1);
    let (s, p) = app.get(tok, "/api/v1/journal?from=kemarin").await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("from")));
    let (s, one) = app.get(tok, &format!("/api/v1/journal/{}", e2["id"])).await;
    assert_eq!((s.as_u16(), one["total"].as_i64()), (200, Some(250_000)));
    let (s, p) = app
        .send(
            Method::POST,
            tok,
            &format!("/api/v1/journal/{}/reverse", e2["id"]),
            Some(json!({"reason": " "})),
        )
        .await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("reason")));
    let (s, rev) = app
        .send(
            Method::POST,
            tok,
            &format!("/api/v1/journal/{}/reverse", e2["id"]),
            Some(json!({"reason": "salah akun", "date": "2025-02-12"})),
        )
        .await;
    assert_eq!(s, 201, "{rev}");
    assert_eq!(rev["reverses_entry_id"], e2["id"]);
    assert_eq!(rev["lines"][0]["credit"], 250_000);
    let (_, again) = app.get(tok, &format!("/api/v1/journal/{}", e2["id"])).await;
    assert_eq!(again["reversed_by"], rev["id"]);
    let (s, _) = app
        .send(
            Method::POST,
            tok,
            &format!("/api/v1/journal/{}/reverse", e2["id"]),
            Some(json!({"reason": "lagi"})),
        )
        .await;
    assert_eq!(s, 409);

    // Reports.
    let (s, tb) = app
        .get(tok, "/api/v1/reports/trial-balance?as_of=2025-12-31")
        .await;
    assert_eq!(s, 200);
    assert_eq!(tb["total_debit"], tb["total_credit"]);
    assert_eq!(tb["total_debit"], 5_500_000);
    let (_, bs) = app
        .get(tok, "/api/v1/reports/balance-sheet?as_of=2025-12-31")
        .await;
    assert_eq!(
        (bs["total_assets"].as_i64(), bs["balanced"].as_bool()),
        (Some(5_000_000), Some(true))
    );
    let (_, is) = app
        .get(
            tok,
            "/api/v1/reports/income-statement?from=2025-01-01&to=2025-12-31",
        )
        .await;
    assert_eq!(is["surplus"], 0, "the expense was reversed");
    let (_, cb) = app
        .get(
            tok,
            "/api/v1/reports/cash-book?from=2025-02-01&to=2025-02-28",
        )
        .await;
    assert_eq!(cb["opening"], 5_000_000);
    let running: Vec<i64> = cb["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["balance"].as_i64().unwrap())
        .collect();
    assert_eq!(running, [4_750_000, 5_000_000]);
    let (_, card) = app
        .get(
            tok,
            "/api/v1/reports/account-card?account=3-1400&from=2025-01-01&to=2025-12-31",
        )
        .await;
    assert_eq!(card["closing"], 5_000_000);
    let (s, p) = app
        .get(tok, "/api/v1/reports/balance-sheet?as_of=31-13-2025")
        .await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("as_of")));

    // Closing refuses postings dated in the closed period.
    let (s, c) = app
        .send(
            Method::POST,
            tok,
            "/api/v1/ledger/close",
            Some(json!({"through": "2025-01-31"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), c["closed_through"].as_str()),
        (200, Some("2025-01-31"))
    );
    let (s, p) = manual(
        &app,
        tok,
        "2025-01-20",
        "Telat",
        json!([{"account": "1-1100", "debit": 1}, {"account": "3-1400", "credit": 1}]),
    )
    .await;
    assert_eq!(
        (s.as_u16(), p["field"].as_str()),
        (422, Some("date")),
        "{p}"
    );
    let (s, _) = app
        .send(
            Method::POST,
            tok,
            "/api/v1/ledger/close",
            Some(json!({"through": "2025-01-15"})),
        )
        .await;
    assert_eq!(s, 409);

    // Roles: an agent sees no ledger; an auditor reads but does not post.
    let agent = app.token_for(&t, Role::Agent).await;
    assert_eq!(app.get(&agent, "/api/v1/accounts").await.0, 403);
    assert_eq!(
        app.get(&agent, "/api/v1/reports/balance-sheet").await.0,
        403
    );
    let auditor = app.token_for(&t, Role::Auditor).await;
    assert_eq!(app.get(&auditor, "/api/v1/journal").await.0, 200);
    let (s, _) = manual(
        &app,
        &auditor,
        "2025-03-01",
        "x",
        json!([{"account": "1-1100", "debit": 1}, {"account": "3-1400", "credit": 1}]),
    )
    .await;
    assert_eq!(s, 403);
    let actions = app.audit_actions(&t).await;
    for a in [
        "ledger.account_added",
        "ledger.account_updated",
        "ledger.entry_posted",
        "ledger.entry_reversed",
        "ledger.period_closed",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited");
    }
}

#[tokio::test]
async fn exports_and_the_openapi_document() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-ekspor").await;
    manual(
        &app,
        &t.token,
        "2025-01-02",
        "Saldo, \"awal\"",
        json!([{"account": "1-1100", "debit": 1_000}, {"account": "3-1400", "credit": 1_000}]),
    )
    .await;
    let res = app
        .client
        .get(app.url("/api/v1/journal/export.csv"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "entry_no,date,memo,account_code,account_name,debit,credit,member_id"
    );
    assert_eq!(
        lines[1],
        "1,2025-01-02,\"Saldo, \"\"awal\"\"\",1-1100,Kas,1000,0,"
    );
    assert_eq!(lines.len(), 3);
    let res = app
        .client
        .get(app.url("/api/v1/journal/export.beancount?from=2025-01-01&to=2025-12-31"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    let bean = res.text().await.unwrap();
    assert!(bean.contains("option \"operating_currency\" \"IDR\""));
    assert!(
        bean.contains("2025-01-02 * \"Saldo, \\\"awal\\\"\""),
        "{bean}"
    );
    assert!(bean.contains("  Equity:K3-1400-Hibah  -1000 IDR"));
    let (s, p) = app
        .get(&t.token, "/api/v1/journal/export.csv?from=nanti")
        .await;
    assert_eq!((s.as_u16(), p["field"].as_str()), (422, Some("from")));

    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, method, tag) in [
        ("/api/v1/accounts", "get", "ledger"),
        ("/api/v1/accounts/{id}", "patch", "ledger"),
        ("/api/v1/journal", "post", "ledger"),
        ("/api/v1/journal/{id}/reverse", "post", "ledger"),
        ("/api/v1/journal/export.csv", "get", "ledger"),
        ("/api/v1/journal/export.beancount", "get", "ledger"),
        ("/api/v1/ledger/close", "post", "ledger"),
        ("/api/v1/reports/trial-balance", "get", "reports"),
        ("/api/v1/reports/balance-sheet", "get", "reports"),
        ("/api/v1/reports/income-statement", "get", "reports"),
        ("/api/v1/reports/cash-book", "get", "reports"),
        ("/api/v1/shu/{year}/preview", "get", "shu"),
        ("/api/v1/shu/{year}", "post", "shu"),
        ("/api/v1/shu/{year}/members/{member_id}", "get", "shu"),
    ] {
        assert_eq!(
            doc["paths"][path][method]["tags"][0], tag,
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn shu_preview_post_and_slip() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-shu").await;
    let tok = &t.token;
    let mut ids = Vec::new();
    for (name, phone) in [("Siti", "081211110001"), ("Budi", "081211110002")] {
        let (s, m) = app
            .send(
                Method::POST,
                tok,
                "/api/v1/members",
                Some(json!({"name": name, "phones": [phone], "status": "anggota"})),
            )
            .await;
        assert_eq!(s, 201, "{m}");
        ids.push(m["id"].as_i64().unwrap());
    }
    // Siti: pokok 300.000, interest 40.000; Budi: pokok 100.000, interest 10.000.
    post_for(
        &app,
        &t,
        "2025-01-05",
        &[("1-1100", 300_000, 0), ("3-1100", 0, 300_000)],
        Some(ids[0]),
    )
    .await;
    post_for(
        &app,
        &t,
        "2025-01-05",
        &[("1-1100", 100_000, 0), ("3-1100", 0, 100_000)],
        Some(ids[1]),
    )
    .await;
    post_for(
        &app,
        &t,
        "2025-06-05",
        &[("1-1100", 40_000, 0), ("4-1100", 0, 40_000)],
        Some(ids[0]),
    )
    .await;
    post_for(
        &app,
        &t,
        "2025-06-05",
        &[("1-1100", 10_000, 0), ("4-1100", 0, 10_000)],
        Some(ids[1]),
    )
    .await;

    let (s, p) = app
        .send(
            Method::PUT,
            tok,
            "/api/v1/shu/2025/allocation",
            Some(json!({"pools": [
            {"name": "Cadangan", "kind": "cadangan", "percent": "50"},
            {"name": "Jasa Modal", "kind": "jasa_modal", "percent": "20"},
            {"name": "Jasa Anggota", "kind": "jasa_anggota", "percent": "20"}]})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), p["field"].as_str()),
        (422, Some("pools")),
        "90 % is refused: {p}"
    );
    let (s, a) = app
        .send(
            Method::PUT,
            tok,
            "/api/v1/shu/2025/allocation",
            Some(json!({"pools": [
            {"name": "Cadangan", "kind": "cadangan", "percent": "50"},
            {"name": "Jasa Modal", "kind": "jasa_modal", "percent": "20"},
            {"name": "Jasa Anggota", "kind": "jasa_anggota", "percent": "20"},
            {"name": "Dana Pendidikan", "kind": "other", "percent": "10"}]})),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["pools"][3]["account"], "2-1430");

    // Surplus 50.000, all from members: jasa modal 10.000 shared 3:1, jasa anggota
    // 10.000 shared 4:1, pendidikan 5.000, cadangan 25.000.
    let (s, v) = app.get(tok, "/api/v1/shu/2025/preview").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["surplus"].as_i64(), v["posted"].as_bool()),
        (Some(50_000), Some(false))
    );
    let siti = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member_id"] == ids[0])
        .unwrap();
    assert_eq!(
        (
            siti["jasa_modal"].as_i64(),
            siti["jasa_anggota"].as_i64(),
            siti["total"].as_i64()
        ),
        (Some(7_500), Some(8_000), Some(15_500))
    );
    assert_eq!(siti["name"], "Siti");
    assert_eq!(v["shares_total"], 20_000);
    assert_eq!(v["reserve_total"], 25_000);

    let (s, p) = app.send(Method::POST, tok, "/api/v1/shu/2026", None).await;
    assert_eq!(
        (s.as_u16(), p["field"].as_str()),
        (422, Some("year")),
        "2026 is not over: {p}"
    );
    let agent = app.token_for(&t, Role::Auditor).await;
    assert_eq!(
        app.send(Method::POST, &agent, "/api/v1/shu/2025", None)
            .await
            .0,
        403
    );
    let (s, posted) = app.send(Method::POST, tok, "/api/v1/shu/2025", None).await;
    assert_eq!(s, 201, "{posted}");
    assert_eq!(posted["posted"], true);
    let (s, _) = app.send(Method::POST, tok, "/api/v1/shu/2025", None).await;
    assert_eq!(s, 409);
    let (_, dist) = app
        .get(
            tok,
            &format!("/api/v1/journal/{}", posted["distribution_entry_id"]),
        )
        .await;
    let budi_line = dist["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["member_id"] == ids[1])
        .unwrap();
    assert_eq!(
        (
            budi_line["account_code"].as_str(),
            budi_line["credit"].as_i64()
        ),
        (Some("2-1400"), Some(4_500))
    );
    let (s, slip) = app
        .get(tok, &format!("/api/v1/shu/2025/members/{}", ids[1]))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (slip["total"].as_i64(), slip["posted"].as_bool()),
        (Some(4_500), Some(true))
    );
    assert_eq!(app.get(tok, "/api/v1/shu/2025/members/999999").await.0, 404);
    let actions = app.audit_actions(&t).await;
    assert!(
        actions.iter().any(|a| a == "shu.posted")
            && actions.iter().any(|a| a == "shu.allocation_set")
    );
}
