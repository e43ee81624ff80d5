//! Simpanan through the JSON API: settings, deposits, withdrawals, transfers and
//! payouts answered with receipts, statements, arrears and the monthly runs; bad input
//! answered with problem JSON naming the field.

use crate::support::{Tenant, TestApp};
use guyub_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let (s, v) = app.send(Method::POST, token, path, Some(body)).await;
    (s.as_u16(), v)
}

async fn member(app: &TestApp, t: &Tenant, name: &str, status: &str) -> i64 {
    let (s, m) = post(
        app,
        &t.token,
        "/api/v1/members",
        json!({"name": name, "status": status, "joined_on": "2025-01-01"}),
    )
    .await;
    assert_eq!(s, 201, "{m}");
    m["id"].as_i64().unwrap()
}

fn problem(s: u16, v: &Value, field: &str) {
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["status"], 422, "{v}");
    assert_eq!(v["field"], field, "{v}");
    assert_eq!(v["type"], "https://guyub.id/problems/invalid-input", "{v}");
    assert!(v["detail"].as_str().unwrap().starts_with(field), "{v}");
}

#[tokio::test]
async fn a_teller_deposits_withdraws_and_transfers_through_the_api() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-api-simpan").await;
    let teller = app.token_for(&t, Role::Teller).await;
    let siti = member(&app, &t, "Siti", "anggota").await;
    let budi = member(&app, &t, "Budi", "anggota").await;

    let (s, v) = app.get(&t.token, "/api/v1/savings/settings").await;
    assert_eq!(
        (s.as_u16(), v["pokok_amount"].as_i64()),
        (200, Some(100_000))
    );
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/savings/settings",
            Some(json!({"pokok_amount": 150000, "wajib_monthly": 30000, "sukarela_rate": "3.5", "sukarela_minimum": 0})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["sukarela_rate"], "3.5");
    let (s, v) = app
        .send(
            Method::PUT,
            &teller,
            "/api/v1/savings/settings",
            Some(json!({"pokok_amount": 1, "wajib_monthly": 1, "sukarela_rate": "0"})),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = app
        .send(
            Method::PUT,
            &t.token,
            "/api/v1/savings/settings",
            Some(json!({"pokok_amount": 150000, "wajib_monthly": 30000, "sukarela_rate": "200"})),
        )
        .await;
    problem(s.as_u16(), &v, "sukarela_rate");

    // A deposit answers with its receipt.
    let (s, r) = post(
        &app,
        &teller,
        "/api/v1/savings/deposits",
        json!({"member_id": siti, "kind": "sukarela", "amount": 250000, "note": "setoran awal"}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["receipt_no"], "KW-000001");
    assert_eq!(r["cooperative"], "Koperasi kop-api-simpan");
    assert_eq!(r["lines"][0]["type"], "deposit");
    assert_eq!(r["lines"][0]["balance_after"], 250000);
    assert_eq!(r["lines"][0]["teller"], "API: teller");

    // Refusals: problem JSON naming the field, nothing written.
    for (path, body, field) in [
        (
            "/api/v1/savings/withdrawals",
            json!({"member_id": siti, "kind": "sukarela", "amount": 250001}),
            "amount",
        ),
        (
            "/api/v1/savings/withdrawals",
            json!({"member_id": siti, "kind": "pokok", "amount": 1}),
            "kind",
        ),
        (
            "/api/v1/savings/deposits",
            json!({"member_id": siti, "kind": "sukarela", "amount": 0}),
            "amount",
        ),
        (
            "/api/v1/savings/deposits",
            json!({"member_id": siti, "kind": "sukarela", "amount": -10}),
            "amount",
        ),
        (
            "/api/v1/savings/deposits",
            json!({"member_id": siti, "kind": "deposito", "amount": 10}),
            "kind",
        ),
        (
            "/api/v1/savings/deposits",
            json!({"member_id": siti, "kind": "pokok", "amount": 150001}),
            "amount",
        ),
        (
            "/api/v1/savings/deposits",
            json!({"member_id": siti, "kind": "sukarela", "amount": 10, "date": "2025-02-30"}),
            "date",
        ),
        (
            "/api/v1/savings/deposits",
            json!({"member_id": siti, "kind": "sukarela", "amount": 10, "date": "2999-01-01"}),
            "date",
        ),
        (
            "/api/v1/savings/transfers",
            json!({"from_member_id": siti, "to_member_id": siti, "amount": 10}),
            "to_member_id",
        ),
    ] {
        let (s, v) = post(&app, &teller, path, body).await;
        problem(s, &v, field);
    }
    // Not JSON a deposit can be made of.
    let (s, v) = post(
        &app,
        &teller,
        "/api/v1/savings/deposits",
        json!({"member_id": siti, "kind": "sukarela", "amount": "lima puluh ribu"}),
    )
    .await;
    assert!(s == 422 || s == 400, "{s} {v}");
    assert!(v["detail"].as_str().unwrap().contains("amount"), "{v}");
    let res = app
        .client
        .post(app.url("/api/v1/savings/deposits"))
        .bearer_auth(&teller)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "problem JSON"
    );
    let (s, _) = post(
        &app,
        &teller,
        "/api/v1/savings/deposits",
        json!({"member_id": 999999, "kind": "sukarela", "amount": 10}),
    )
    .await;
    assert_eq!(s, 404);

    // A retry with the same idempotency key gets the same receipt, deposited once.
    let retry = || async {
        let res = app
            .client
            .post(app.url("/api/v1/savings/deposits"))
            .bearer_auth(&teller)
            .header("idempotency-key", "kasir-1-0001")
            .json(&json!({"member_id": budi, "kind": "sukarela", "amount": 40000}))
            .send()
            .await
            .unwrap();
        crate::support::split(res).await
    };
    let (s1, r1) = retry().await;
    let (s2, r2) = retry().await;
    assert_eq!((s1.as_u16(), s2.as_u16()), (201, 201));
    assert_eq!(r1["receipt_no"], r2["receipt_no"]);

    let (s, r) = post(
        &app,
        &teller,
        "/api/v1/savings/transfers",
        json!({"from_member_id": siti, "to_member_id": budi, "amount": 50000, "note": "arisan"}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["lines"][1]["counterparty_name"], "Siti");
    let (s, r) = post(
        &app,
        &teller,
        "/api/v1/savings/withdrawals",
        json!({"member_id": siti, "kind": "sukarela", "amount": 20000}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let no = r["receipt_no"].as_str().unwrap().to_string();

    let (s, v) = app
        .get(&teller, &format!("/api/v1/savings/members/{siti}"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["accounts"][2]["kind"], "sukarela");
    assert_eq!(v["accounts"][2]["balance"], 180000);
    assert_eq!(v["total"], 180000);
    let (_, v) = app
        .get(&teller, &format!("/api/v1/savings/members/{budi}"))
        .await;
    assert_eq!(v["accounts"][2]["balance"], 90000, "40.000 once + 50.000");

    // The statement pages newest first.
    let (s, st) = app
        .get(
            &teller,
            &format!("/api/v1/savings/members/{siti}/statement?kind=sukarela&limit=2"),
        )
        .await;
    assert_eq!(s, 200, "{st}");
    let types: Vec<&str> = st["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["withdrawal", "transfer_out"]);
    let before = st["next_before"].as_i64().unwrap();
    let (_, older) = app
        .get(
            &teller,
            &format!("/api/v1/savings/members/{siti}/statement?before={before}"),
        )
        .await;
    assert_eq!(older["movements"].as_array().unwrap().len(), 1);
    assert!(older["next_before"].is_null());
    let (s, v) = app
        .get(
            &teller,
            &format!("/api/v1/savings/members/{siti}/statement?kind=emas"),
        )
        .await;
    problem(s.as_u16(), &v, "kind");

    let (s, v) = app
        .get(&teller, &format!("/api/v1/savings/receipts/{no}"))
        .await;
    assert_eq!(
        (s.as_u16(), v["lines"][0]["amount"].as_i64()),
        (200, Some(20000))
    );

    // Another cooperative sees none of it.
    let other = app.tenant("kop-api-lain").await;
    for path in [
        format!("/api/v1/savings/members/{siti}"),
        format!("/api/v1/savings/receipts/{no}"),
        format!("/api/v1/savings/members/{siti}/statement"),
    ] {
        let (s, _) = app.get(&other.token, &path).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = post(
        &app,
        &other.token,
        "/api/v1/savings/deposits",
        json!({"member_id": siti, "kind": "sukarela", "amount": 10}),
    )
    .await;
    assert_eq!(s, 404);
    // The summary report adds up every member's sukarela; another cooperative's is empty.
    let mut sukarela = 0;
    for m in [siti, budi] {
        let (_, v) = app
            .get(&t.token, &format!("/api/v1/savings/members/{m}"))
            .await;
        let acc = v["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "sukarela")
            .cloned()
            .unwrap();
        sukarela += acc["balance"].as_i64().unwrap();
    }
    let (s, v) = app.get(&t.token, "/api/v1/reports/savings-summary").await;
    assert_eq!(s, 200, "{v}");
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "sukarela")
        .cloned()
        .unwrap();
    assert!(sukarela > 0);
    assert_eq!(
        (row["accounts"].as_i64(), row["total"].as_i64()),
        (Some(2), Some(sukarela))
    );
    let (_, v) = app
        .get(&other.token, "/api/v1/reports/savings-summary")
        .await;
    assert!(v.as_array().unwrap().iter().all(|r| r["total"] == 0), "{v}");
    // An agent takes no deposits.
    let agent = app.token_for(&t, Role::Agent).await;
    let (s, _) = post(
        &app,
        &agent,
        "/api/v1/savings/deposits",
        json!({"member_id": siti, "kind": "sukarela", "amount": 10}),
    )
    .await;
    assert_eq!(s, 403);
    let actions = app.audit_actions(&t).await;
    for a in [
        "savings.deposit",
        "savings.withdrawal",
        "savings.transfer",
        "savings.settings_changed",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited");
    }
}

#[tokio::test]
async fn billing_arrears_jasa_and_payout_through_the_api() {
    let app = TestApp::spawn().await;
    let t = app.tenant("kop-api-wajib").await;
    let teller = app.token_for(&t, Role::Teller).await;
    let ani = member(&app, &t, "Ani", "anggota").await;
    let rudi = member(&app, &t, "Rudi", "anggota").await;
    let (s, r) = post(
        &app,
        &t.token,
        "/api/v1/savings/deposits",
        json!({"member_id": rudi, "kind": "pokok", "amount": 100000}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    for month in ["2025-01", "2025-02"] {
        let (s, v) = post(
            &app,
            &t.token,
            "/api/v1/savings/wajib-billing",
            json!({"month": month}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["created"], 2, "{v}");
    }
    let (s, v) = post(
        &app,
        &t.token,
        "/api/v1/savings/wajib-billing",
        json!({"month": "2025-02"}),
    )
    .await;
    assert_eq!((s, v["created"].as_i64()), (200, Some(0)), "idempotent");
    let (s, v) = post(
        &app,
        &t.token,
        "/api/v1/savings/wajib-billing",
        json!({"month": "Feb 2025"}),
    )
    .await;
    problem(s, &v, "month");
    let (s, _) = post(
        &app,
        &teller,
        "/api/v1/savings/wajib-billing",
        json!({"month": "2025-03"}),
    )
    .await;
    assert_eq!(s, 403, "a teller does not run the billing");

    let (s, r) = post(
        &app,
        &teller,
        "/api/v1/savings/deposits",
        json!({"member_id": ani, "kind": "wajib", "amount": 25000}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let (s, list) = app.get(&teller, "/api/v1/savings/arrears").await;
    assert_eq!(s, 200, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "Rudi");
    assert_eq!(
        (list[0]["arrears"].as_i64(), list[0]["months"].as_i64()),
        (Some(50000), Some(2))
    );
    assert_eq!(list[1]["arrears"], 25000);
    let (_, v) = app
        .get(&teller, &format!("/api/v1/savings/members/{ani}"))
        .await;
    assert_eq!(v["wajib"]["months_in_arrears"], 1, "{v}");

    let (s, v) = post(
        &app,
        &t.token,
        "/api/v1/savings/jasa",
        json!({"month": "2025-01"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["rate"].as_str(), v["members"].as_i64()),
        (Some("0"), Some(0))
    );
    let (s, v) = post(
        &app,
        &t.token,
        "/api/v1/savings/jasa",
        json!({"month": "2999-01"}),
    )
    .await;
    problem(s, &v, "month");
    let (s, runs) = app.get(&t.token, "/api/v1/savings/runs").await;
    assert_eq!(s, 200);
    assert_eq!(runs.as_array().unwrap().len(), 2, "{runs}");

    // Capital is paid out only after leaving.
    let (s, v) = post(
        &app,
        &teller,
        &format!("/api/v1/savings/members/{rudi}/payout"),
        json!({}),
    )
    .await;
    problem(s, &v, "member_id");
    let (s, _) = post(
        &app,
        &t.token,
        &format!("/api/v1/members/{rudi}/status"),
        json!({"status": "keluar", "reason": "pindah"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, r) = post(
        &app,
        &teller,
        &format!("/api/v1/savings/members/{rudi}/payout"),
        json!({"note": "keluar"}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["lines"][0]["amount"], 100000);
    assert_eq!(r["lines"][0]["balance_after"], 0);
    let (s, v) = post(
        &app,
        &teller,
        "/api/v1/savings/deposits",
        json!({"member_id": rudi, "kind": "sukarela", "amount": 10}),
    )
    .await;
    problem(s, &v, "member_id");
}

#[tokio::test]
async fn the_savings_api_is_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let (_, doc) = app.get("", "/api/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/savings/settings",
        "/api/v1/savings/members/{id}",
        "/api/v1/savings/members/{id}/statement",
        "/api/v1/savings/members/{id}/payout",
        "/api/v1/savings/deposits",
        "/api/v1/savings/withdrawals",
        "/api/v1/savings/transfers",
        "/api/v1/savings/receipts/{no}",
        "/api/v1/savings/arrears",
        "/api/v1/savings/wajib-billing",
        "/api/v1/savings/jasa",
        "/api/v1/savings/runs",
    ] {
        let ops = paths.get(p).unwrap_or_else(|| panic!("{p} missing"));
        for (_, op) in ops.as_object().unwrap() {
            assert_eq!(op["tags"][0], "savings", "{p}");
        }
    }
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "savings")
    );
}
