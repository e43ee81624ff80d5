//! `/api/v1/loans/…` end to end: product, application, the maker-checker rule,
//! disbursement, repayments and payoff, the portfolio report; every refusal is problem
//! JSON naming the field or the reason.

use crate::support::TestApp;
use guyub_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn member(app: &TestApp, token: &str, name: &str, status: &str) -> i64 {
    let (s, v) = app
        .send(
            Method::POST,
            token,
            "/api/v1/members",
            Some(json!({"name": name, "status": status})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

fn product() -> Value {
    json!({
        "name": "Pinjaman Umum",
        "method": "flat",
        "yearly_rate": "12",
        "min_tenor": 1,
        "max_tenor": 24,
        "provisi": {"kind": "percent", "value": "1"},
        "admin": {"kind": "fixed", "value": "50000"},
        "denda": {"kind": "daily_percent", "value": "0.1", "grace_days": 3}
    })
}

#[tokio::test]
async fn loan_from_application_to_payoff() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-pinjam").await;
    let owner = &t.token;
    let manager = app.token_for(&t, Role::Manager).await;
    let teller = app.token_for(&t, Role::Teller).await;
    let post = |token: &str, path: &str, body: Value| {
        let (token, path) = (token.to_string(), path.to_string());
        let app = &app;
        async move { app.send(Method::POST, &token, &path, Some(body)).await }
    };

    // Products: a teller may not make one; a bad field is named.
    let (s, v) = post(&teller, "/api/v1/loans/products", product()).await;
    assert_eq!(s, 403, "{v}");
    let mut bad = product();
    bad["method"] = json!("bunga-berbunga");
    let (s, v) = post(owner, "/api/v1/loans/products", bad).await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("method")),
        "{v}"
    );
    let (s, p) = post(owner, "/api/v1/loans/products", product()).await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["provisi"]["kind"], "percent");
    let pid = p["id"].as_i64().unwrap();
    let (s, _) = post(owner, "/api/v1/loans/products", product()).await;
    assert_eq!(s, 409);

    // Only members (anggota) borrow.
    let siti = member(&app, owner, "Siti Rahayu", "anggota").await;
    let calon = member(&app, owner, "Yohana", "calon_anggota").await;
    let application = |m: i64| json!({"member_id": m, "product_id": pid, "principal": 12_000_000, "tenor_months": 12, "purpose": "modal warung"});
    let (s, v) = post(&teller, "/api/v1/loans", application(calon)).await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("member_id")),
        "{v}"
    );
    assert!(v["detail"].as_str().unwrap().contains("anggota"), "{v}");
    let (s, v) = post(
        &teller,
        "/api/v1/loans",
        json!({"member_id": siti, "product_id": pid, "principal": 0, "tenor_months": 12}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("principal")),
        "{v}"
    );

    // The schedule can be seen before anything is saved.
    let (s, v) = post(&teller, "/api/v1/loans/preview", json!({"product_id": pid, "principal": 12_000_000, "tenor_months": 12, "first_due": "2025-02-10"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["schedule"].as_array().unwrap().len(), 12);
    assert_eq!(v["schedule"][0]["total"], 1_120_000);
    assert_eq!(
        (v["net_payout"].as_i64(), v["total_interest"].as_i64()),
        (Some(11_830_000), Some(1_440_000))
    );

    // Maker-checker: the owner's own application is not the owner's to approve.
    let (s, own) = post(owner, "/api/v1/loans", application(siti)).await;
    assert_eq!(s, 201, "{own}");
    let own_id = own["id"].as_i64().unwrap();
    let (s, v) = post(owner, &format!("/api/v1/loans/{own_id}/approve"), json!({})).await;
    assert_eq!(s, 409, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("maker-checker"),
        "{v}"
    );
    let (s, v) = post(
        &manager,
        &format!("/api/v1/loans/{own_id}/reject"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("note")),
        "{v}"
    );
    let (s, v) = post(
        &manager,
        &format!("/api/v1/loans/{own_id}/reject"),
        json!({"note": "dobel"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["status"].as_str()),
        (200, Some("rejected")),
        "{v}"
    );

    // The teller's application, approved by the manager, paid out by the teller.
    let (s, l) = post(&teller, "/api/v1/loans", application(siti)).await;
    assert_eq!(s, 201, "{l}");
    assert_eq!(l["status"], "applied");
    let id = l["id"].as_i64().unwrap();
    let (s, v) = post(&teller, &format!("/api/v1/loans/{id}/approve"), json!({})).await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = post(
        &manager,
        &format!("/api/v1/loans/{id}/approve"),
        json!({"note": "layak"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["status"].as_str()),
        (200, Some("approved")),
        "{v}"
    );
    let (s, v) = post(
        &teller,
        &format!("/api/v1/loans/{id}/disburse"),
        json!({"channel": "cash", "date": "10-01-2025x"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("date")),
        "{v}"
    );
    let (s, v) = post(
        &teller,
        &format!("/api/v1/loans/{id}/disburse"),
        json!({"channel": "cash", "date": "2025-01-10"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["status"].as_str()),
        (200, Some("disbursed")),
        "{v}"
    );
    assert_eq!(
        (v["net_payout"].as_i64(), v["first_due"].as_str()),
        (Some(11_830_000), Some("2025-02-10"))
    );
    let (s, v) = post(
        &teller,
        &format!("/api/v1/loans/{id}/disburse"),
        json!({"channel": "cash"}),
    )
    .await;
    assert_eq!(s, 409, "{v}");

    // Repayments: refusals first, each a problem naming the field.
    let pay = |amount: i64, on: &str| json!({"amount": amount, "paid_on": on});
    let path = format!("/api/v1/loans/{id}/repayments");
    for (body, field) in [
        (pay(0, "2025-02-10"), "amount"),
        (pay(-5, "2025-02-10"), "amount"),
        (pay(13_440_001, "2025-02-10"), "amount"),
        (pay(1_000, "2099-01-01"), "paid_on"),
        (json!({"amount": 1000, "paid_on": "kemarin"}), "paid_on"),
    ] {
        let (s, v) = post(&teller, &path, body).await;
        assert_eq!((s.as_u16(), v["field"].as_str()), (422, Some(field)), "{v}");
    }
    let (_, v) = post(&teller, &path, pay(13_440_001, "2025-02-10")).await;
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("due now: Rp 1.120.000"),
        "{v}"
    );
    let (s, r) = post(&teller, &path, pay(1_120_000, "2025-02-10")).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(
        (
            r["interest"].as_i64(),
            r["principal"].as_i64(),
            r["receipt_no"].as_str()
        ),
        (Some(120_000), Some(1_000_000), Some("ANG-000001"))
    );
    // Instalment 2 paid 10 days late: 7 days × 0,1 % × 1.120.000 = 7.840 denda first.
    let (s, v) = app
        .get(&teller, &format!("/api/v1/loans/{id}?as_of=2025-03-20"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["standing"]["denda"], 7_840);
    assert_eq!(v["standing"]["collectibility"], "lancar");
    assert_eq!(v["schedule"][1]["state"], "overdue");
    let (s, r) = post(&teller, &path, pay(1_127_840, "2025-03-20")).await;
    assert_eq!((s.as_u16(), r["denda"].as_i64()), (201, Some(7_840)), "{r}");
    let (s, v) = app
        .get(
            &teller,
            &format!("/api/v1/loans/{id}/schedule?as_of=2025-03-20"),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v[1]["state"].as_str()),
        (200, Some("paid")),
        "{v}"
    );

    // Payoff quote on 5 April: principal 10.000.000 + the current period's interest
    // (instalment 3, due 10 April) 120.000; 9 × 120.000 waived.
    let (s, q) = app
        .get(
            &teller,
            &format!("/api/v1/loans/{id}/payoff-quote?as_of=2025-04-05"),
        )
        .await;
    assert_eq!(s, 200, "{q}");
    assert_eq!(
        (q["total"].as_i64(), q["interest_waived"].as_i64()),
        (Some(10_120_000), Some(1_080_000))
    );
    let (s, v) = post(
        &teller,
        &format!("/api/v1/loans/{id}/payoff"),
        json!({"amount": 10_000_000, "paid_on": "2025-04-05"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("amount")),
        "{v}"
    );
    let (s, r) = post(
        &teller,
        &format!("/api/v1/loans/{id}/payoff"),
        json!({"amount": 10_120_000, "paid_on": "2025-04-05"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), r["kind"].as_str()),
        (201, Some("payoff")),
        "{r}"
    );
    let rid = r["id"].as_i64().unwrap();
    let (s, v) = app
        .get(&teller, &format!("/api/v1/loans/repayments/{rid}"))
        .await;
    assert_eq!(
        (s.as_u16(), v["amount"].as_i64()),
        (200, Some(10_120_000)),
        "{v}"
    );
    // Settled: no more payments.
    let (s, v) = post(&teller, &path, pay(1_000, "2025-04-06")).await;
    assert_eq!(s, 409, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("settled"), "{v}");
    let (_, list) = app.get(&teller, &path).await;
    assert_eq!(list.as_array().unwrap().len(), 3);

    // Lists and the portfolio.
    let (s, v) = app.get(&teller, "/api/v1/loans?status=settled").await;
    assert_eq!(
        (s.as_u16(), v.as_array().map(Vec::len)),
        (200, Some(1)),
        "{v}"
    );
    let (s, v) = app.get(&teller, "/api/v1/loans?status=lunas").await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("status")),
        "{v}"
    );
    let (s, v) = app.get(&teller, "/api/v1/reports/loan-portfolio").await;
    assert_eq!(s, 403, "tellers do not read reports: {v}");
    let (s, v) = app
        .get(owner, "/api/v1/reports/loan-portfolio?as_of=2025-03-01")
        .await;
    assert_eq!(s, 200, "{v}");
    // On 1 March the loan was running with 11.000.000 owed, instalment 2 not yet due.
    assert_eq!(
        (v["total_loans"].as_i64(), v["total_outstanding"].as_i64()),
        (Some(1), Some(11_000_000))
    );
    assert_eq!(v["classes"].as_array().unwrap().len(), 4);
    assert_eq!(v["classes"][0]["collectibility"], "lancar");
    assert_eq!(v["classes"][0]["loans"], 1);
    let (_, v) = app
        .get(owner, "/api/v1/reports/loan-portfolio?as_of=2025-12-31")
        .await;
    assert_eq!(
        v["total_loans"], 0,
        "settled loans leave the portfolio: {v}"
    );

    // Settings: thresholds must increase.
    let (s, v) = app
        .send(
            Method::PUT,
            owner,
            "/api/v1/loans/settings",
            Some(json!({"kurang_lancar_after": 90, "diragukan_after": 30, "macet_after": 180})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["field"].as_str()),
        (422, Some("thresholds")),
        "{v}"
    );
    let (s, v) = app
        .send(
            Method::PUT,
            owner,
            "/api/v1/loans/settings",
            Some(json!({"kurang_lancar_after": 30, "diragukan_after": 60, "macet_after": 90})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["macet_after"].as_i64()),
        (200, Some(90)),
        "{v}"
    );

    // Another cooperative sees none of it.
    let other = app.tenant("kop-lain").await;
    for p in [
        format!("/api/v1/loans/{id}"),
        format!("/api/v1/loans/products/{pid}"),
        format!("/api/v1/loans/repayments/{rid}"),
    ] {
        let (s, _) = app.get(&other.token, &p).await;
        assert_eq!(s, 404, "{p}");
    }
    let (s, v) = post(
        &other.token,
        &format!("/api/v1/loans/{id}/repayments"),
        pay(1, "2025-04-06"),
    )
    .await;
    assert_eq!(s, 404, "{v}");

    // Every route is in the OpenAPI document under the loans tag.
    let (_, doc) = app.get("", "/api/openapi.json").await;
    for (p, m) in [
        ("/api/v1/loans", "post"),
        ("/api/v1/loans/products", "get"),
        ("/api/v1/loans/{id}/approve", "post"),
        ("/api/v1/loans/{id}/disburse", "post"),
        ("/api/v1/loans/{id}/repayments", "post"),
        ("/api/v1/loans/{id}/payoff-quote", "get"),
        ("/api/v1/reports/loan-portfolio", "get"),
    ] {
        assert_eq!(doc["paths"][p][m]["tags"][0], "loans", "{p} {m}");
    }
}

#[tokio::test]
async fn demo_loans_are_in_the_ledger() {
    let app = TestApp::spawn().await;
    guyub_services::demo::load(&app.db).await.unwrap().unwrap();
    let coop = guyub_store::cooperatives::by_slug(&mut app.db.conn().await.unwrap(), "demo")
        .await
        .unwrap()
        .unwrap();
    let cli = guyub_services::Actor::cli(coop.id);
    let all = guyub_services::loans::list(
        &app.db,
        &cli,
        &guyub_services::loans::ListFilter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let status: Vec<&str> = all.iter().map(|l| l.loan.status.as_str()).collect();
    assert_eq!(
        status,
        ["applied", "disbursed", "disbursed"],
        "newest first"
    );
    let siti = &all[2].loan;
    let det = guyub_services::loans::detail(&app.db, &cli, siti.id, None)
        .await
        .unwrap();
    assert_eq!(det.repayments.len(), 1);
    // The ledger's loans receivable is the principal still owed on the running loans.
    let outstanding: i64 = all.iter().map(|l| l.loan.outstanding_principal.get()).sum();
    let today =
        guyub_services::ledger::cooperative_today(&mut app.db.conn().await.unwrap(), coop.id)
            .await
            .unwrap();
    let tb = guyub_services::ledger::trial_balance(&app.db, &cli, today)
        .await
        .unwrap();
    let receivable = tb.rows.iter().find(|r| r.code == "1-1300").unwrap().balance;
    assert_eq!(receivable, outstanding);
    assert!(
        outstanding > 2_000_000 && outstanding < 12_000_000,
        "{outstanding}"
    );
}
