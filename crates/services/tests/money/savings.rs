//! Simpanan through the services: deposits, withdrawals, transfers and payouts with
//! their receipts, journal entries, timeline and audit entries; every refusal leaves
//! everything as it was; wajib billing and arrears; jasa simpanan by daily balance;
//! and a property test that balances, movements and the ledger always agree.

use crate::support::Coop;
use guyub_domain::money::savings::wajib_status;
use guyub_domain::money::{PositiveAmount, Rupiah, SavingsKind, YearMonth};
use guyub_domain::{Date, MemberId, Role};
use guyub_services::savings::jobs;
use guyub_services::savings::{
    self, Failure, MovementIn, Refusal, SettingsInput, TransferIn, TxType,
};
use guyub_services::{ServiceError, ledger, members};
use guyub_store::audit::Filter;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn rp(n: i64) -> Rupiah {
    Rupiah::new(n)
}

async fn member(c: &Coop, name: &str, status: &str) -> MemberId {
    member_joined(c, name, status, None).await
}

async fn member_joined(c: &Coop, name: &str, status: &str, joined: Option<&str>) -> MemberId {
    members::create(
        &c.db,
        &c.actor(Role::Owner, 1),
        &members::MemberInput {
            name: name.into(),
            status: Some(status.into()),
            joined_on: joined.map(str::to_string),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

fn mv<'a>(m: MemberId, kind: &'a str, amount: i64, date: Option<&str>) -> MovementIn<'a> {
    MovementIn {
        member: m,
        kind,
        amount: rp(amount),
        date: date.map(d),
        note: "",
        request_key: None,
    }
}

async fn set(c: &Coop, pokok: &str, wajib: &str, rate: &str, minimum: &str) {
    savings::set_settings(
        &c.db,
        &c.actor(Role::Manager, 3),
        &SettingsInput {
            pokok_amount: pokok,
            wajib_monthly: wajib,
            sukarela_rate: rate,
            sukarela_minimum: minimum,
        },
    )
    .await
    .unwrap();
}

fn refusal<T: std::fmt::Debug>(r: Result<T, Failure>) -> Refusal {
    match r {
        Err(Failure::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Everything a movement touches, to compare before and after a refusal.
#[derive(Debug, PartialEq, Eq)]
struct Books {
    balances: Vec<(i64, Vec<Rupiah>)>,
    movements: Vec<usize>,
    journal: usize,
    trial: Vec<(String, i64, i64)>,
    audit: usize,
    timeline: Vec<usize>,
}

async fn books(c: &Coop, who: &[MemberId]) -> Books {
    let owner = c.actor(Role::Owner, 1);
    let mut balances = Vec::new();
    let mut movements = Vec::new();
    let mut timeline = Vec::new();
    for &m in who {
        let s = savings::member_savings(&c.db, &owner, m).await.unwrap();
        balances.push((m.0, s.accounts.iter().map(|a| a.balance).collect()));
        for k in SavingsKind::ALL {
            let st = savings::statement(&c.db, &owner, m, k.as_str(), None, 500)
                .await
                .unwrap();
            movements.push(st.rows.len());
        }
        timeline.push(members::timeline(&c.db, &owner, m).await.unwrap().len());
    }
    let mut conn = c.db.conn().await.unwrap();
    let journal = guyub_store::ledger::entries(&mut conn, c.id, 0, 99_991_231, None, 10_000)
        .await
        .unwrap()
        .len();
    let tb = ledger::trial_balance(&c.db, &owner, d("2099-12-31"))
        .await
        .unwrap();
    let audit = guyub_store::audit::list(
        &mut conn,
        c.id,
        &Filter {
            limit: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len();
    Books {
        balances,
        movements,
        journal,
        trial: tb
            .rows
            .into_iter()
            .map(|r| (r.code, r.debit, r.credit))
            .collect(),
        audit,
        timeline,
    }
}

/// The balance of a ledger account, and of one member's lines on it.
async fn ledger_balance(c: &Coop, code: &str, member: Option<MemberId>) -> i64 {
    let mut conn = c.db.conn().await.unwrap();
    let l = ledger::load_read(&mut conn, &c.db, c.id).await.unwrap();
    let account = l.chart().into_iter().find(|a| a.code == code).unwrap().id;
    let lines =
        guyub_store::ledger::account_lines(&mut conn, c.id, account, 0, 99_991_231, 100_000)
            .await
            .unwrap();
    let credit_normal = !code.starts_with('1') && !code.starts_with('5');
    lines
        .iter()
        .filter(|l| member.is_none_or(|m| l.member_id == Some(m.0)))
        .map(|l| {
            if credit_normal {
                l.credit - l.debit
            } else {
                l.debit - l.credit
            }
        })
        .sum()
}

#[tokio::test]
async fn a_deposit_and_a_withdrawal_post_receipts_journal_timeline_and_audit() {
    let c = Coop::new("kop-setor").await;
    let teller = c.actor(Role::Teller, 2);
    let siti = member(&c, "Siti Rahayu", "anggota").await;

    let r = savings::deposit(&c.db, &teller, &mv(siti, "sukarela", 150_000, None))
        .await
        .unwrap();
    assert_eq!(r.receipt_no, "KW-000001");
    assert_eq!(r.cooperative, "kop-setor");
    assert_eq!(r.lines.len(), 1);
    let line = &r.lines[0];
    assert_eq!(
        (line.kind, line.tx_type, line.amount, line.balance_after),
        (
            SavingsKind::Sukarela,
            TxType::Deposit,
            rp(150_000),
            rp(150_000)
        )
    );
    assert_eq!(line.member_name, "Siti Rahayu");
    assert_eq!(r.teller, "staff2@koperasi.test", "no user row: the e-mail");

    let r = savings::withdraw(&c.db, &teller, &mv(siti, "sukarela", 40_000, None))
        .await
        .unwrap();
    assert_eq!(r.receipt_no, "KW-000002");
    assert_eq!(r.lines[0].balance_after, rp(110_000));
    savings::deposit(&c.db, &teller, &mv(siti, "pokok", 100_000, None))
        .await
        .unwrap();

    let s = savings::member_savings(&c.db, &teller, siti).await.unwrap();
    assert_eq!(s.balance(SavingsKind::Sukarela), rp(110_000));
    assert_eq!(s.balance(SavingsKind::Pokok), rp(100_000));
    assert_eq!(s.total, rp(210_000));

    // The ledger: cash and the savings accounts, every line with the member.
    assert_eq!(ledger_balance(&c, "1-1100", None).await, 210_000);
    assert_eq!(ledger_balance(&c, "2-1100", Some(siti)).await, 110_000);
    assert_eq!(ledger_balance(&c, "3-1100", Some(siti)).await, 100_000);
    let mut conn = c.db.conn().await.unwrap();
    let entry = guyub_store::ledger::entry(
        &mut conn,
        c.id,
        guyub_domain::JournalEntryId(r.lines[0].journal_entry_id),
    )
    .await
    .unwrap();
    assert_eq!(entry.source_kind, "savings");
    assert_eq!(entry.member_id, Some(siti.0));
    assert!(
        entry.memo.contains("Penarikan simpanan sukarela"),
        "{}",
        entry.memo
    );

    // The statement, newest first, pages by id.
    let st = savings::statement(&c.db, &teller, siti, "sukarela", None, 1)
        .await
        .unwrap();
    assert_eq!(st.rows.len(), 1);
    assert_eq!(st.rows[0].tx_type, TxType::Withdrawal);
    let older = savings::statement(&c.db, &teller, siti, "sukarela", st.next_before, 1)
        .await
        .unwrap();
    assert_eq!(older.rows[0].tx_type, TxType::Deposit);
    assert_eq!(older.next_before, None);

    // Timeline and audit.
    let tl = members::timeline(&c.db, &teller, siti).await.unwrap();
    assert!(
        tl.iter()
            .any(|e| e.kind == "savings.withdrawal" && e.summary.contains("Rp 110.000")),
        "{tl:?}"
    );
    let audit = guyub_store::audit::list(
        &mut conn,
        c.id,
        &Filter {
            action_prefix: "savings.".into(),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 3);
    assert!(audit.iter().any(|a| a.action == "savings.withdrawal"));

    // Receipts can be shown again; another cooperative cannot see them.
    let again = savings::receipt(&c.db, &teller, "KW-000002").await.unwrap();
    assert_eq!(again, r);
    let other = Coop::on(c.db.clone(), "kop-lain").await;
    let outsider = other.actor(Role::Owner, 9);
    assert!(matches!(
        savings::receipt(&c.db, &outsider, "KW-000002").await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        savings::member_savings(&c.db, &outsider, siti).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        savings::deposit(&c.db, &outsider, &mv(siti, "sukarela", 1, None)).await,
        Err(Failure::Service(ServiceError::NotFound))
    ));
}

#[tokio::test]
async fn every_refusal_leaves_the_books_as_they_were() {
    let c = Coop::new("kop-tolak").await;
    set(&c, "100000", "25000", "0", "10000").await;
    let teller = c.actor(Role::Teller, 2);
    let siti = member(&c, "Siti", "anggota").await;
    let calon = member(&c, "Calon", "calon_anggota").await;
    let gone = member(&c, "Pergi", "anggota").await;
    members::change_status(
        &c.db,
        &c.actor(Role::Owner, 1),
        gone,
        "keluar",
        None,
        "pindah",
    )
    .await
    .unwrap();
    savings::deposit(
        &c.db,
        &teller,
        &mv(siti, "sukarela", 100_000, Some("2025-01-10")),
    )
    .await
    .unwrap();
    savings::deposit(
        &c.db,
        &teller,
        &mv(siti, "pokok", 60_000, Some("2025-01-10")),
    )
    .await
    .unwrap();
    savings::deposit(
        &c.db,
        &teller,
        &mv(siti, "wajib", 25_000, Some("2025-01-10")),
    )
    .await
    .unwrap();
    // A calon anggota holds savings too.
    savings::deposit(&c.db, &teller, &mv(calon, "sukarela", 5_000, None))
        .await
        .unwrap();
    ledger::close_period(&c.db, &c.actor(Role::Manager, 3), d("2025-01-31"))
        .await
        .unwrap();
    let who = [siti, calon, gone];
    let before = books(&c, &who).await;
    let today = ledger::today("Asia/Jakarta");
    let tomorrow = if today.day < today.days_in_month() {
        Date {
            day: today.day + 1,
            ..today
        }
    } else {
        Date {
            day: 1,
            ..today.add_months(1).unwrap()
        }
    };

    let cases: Vec<(&str, Result<savings::Receipt, Failure>, &str)> = vec![
        (
            "withdraw over the balance",
            savings::withdraw(&c.db, &teller, &mv(siti, "sukarela", 100_001, None)).await,
            "amount",
        ),
        (
            "below the minimum balance",
            savings::withdraw(&c.db, &teller, &mv(siti, "sukarela", 95_000, None)).await,
            "amount",
        ),
        (
            "pokok while a member",
            savings::withdraw(&c.db, &teller, &mv(siti, "pokok", 1_000, None)).await,
            "kind",
        ),
        (
            "wajib while a calon anggota",
            savings::withdraw(&c.db, &teller, &mv(calon, "wajib", 1_000, None)).await,
            "kind",
        ),
        (
            "zero",
            savings::deposit(&c.db, &teller, &mv(siti, "sukarela", 0, None)).await,
            "amount",
        ),
        (
            "negative",
            savings::deposit(&c.db, &teller, &mv(siti, "sukarela", -5_000, None)).await,
            "amount",
        ),
        (
            "negative withdrawal",
            savings::withdraw(&c.db, &teller, &mv(siti, "sukarela", -5_000, None)).await,
            "amount",
        ),
        (
            "a leaver's deposit",
            savings::deposit(&c.db, &teller, &mv(gone, "sukarela", 5_000, None)).await,
            "member_id",
        ),
        (
            "pokok beyond the set amount",
            savings::deposit(&c.db, &teller, &mv(siti, "pokok", 40_001, None)).await,
            "amount",
        ),
        (
            "unknown kind",
            savings::deposit(&c.db, &teller, &mv(siti, "deposito", 5_000, None)).await,
            "kind",
        ),
        (
            "a closed period",
            savings::deposit(
                &c.db,
                &teller,
                &mv(siti, "wajib", 5_000, Some("2025-01-20")),
            )
            .await,
            "date",
        ),
        (
            "before the account's last movement",
            savings::deposit(
                &c.db,
                &teller,
                &mv(siti, "sukarela", 5_000, Some("2025-01-09")),
            )
            .await,
            "date",
        ),
        (
            "a future day",
            savings::deposit(
                &c.db,
                &teller,
                &MovementIn {
                    date: Some(tomorrow),
                    ..mv(siti, "sukarela", 5_000, None)
                },
            )
            .await,
            "date",
        ),
        (
            "a note too long",
            savings::deposit(
                &c.db,
                &teller,
                &MovementIn {
                    note: &"x".repeat(201),
                    ..mv(siti, "sukarela", 5_000, None)
                },
            )
            .await,
            "note",
        ),
        (
            "transfer to oneself",
            savings::transfer(
                &c.db,
                &teller,
                &TransferIn {
                    from: siti,
                    to: siti,
                    amount: rp(1_000),
                    date: None,
                    note: "",
                    request_key: None,
                },
            )
            .await,
            "to_member_id",
        ),
        (
            "transfer to a leaver",
            savings::transfer(
                &c.db,
                &teller,
                &TransferIn {
                    from: siti,
                    to: gone,
                    amount: rp(1_000),
                    date: None,
                    note: "",
                    request_key: None,
                },
            )
            .await,
            "to_member_id",
        ),
        (
            "transfer over the balance",
            savings::transfer(
                &c.db,
                &teller,
                &TransferIn {
                    from: calon,
                    to: siti,
                    amount: rp(5_001),
                    date: None,
                    note: "",
                    request_key: None,
                },
            )
            .await,
            "amount",
        ),
        (
            "capital of a member",
            savings::pay_out_capital(&c.db, &teller, siti, None, "", None).await,
            "member_id",
        ),
        (
            "nothing to pay out",
            savings::pay_out_capital(&c.db, &teller, gone, None, "", None).await,
            "member_id",
        ),
    ];
    for (what, result, field) in cases {
        let r = refusal(result);
        assert_eq!(r.field(), field, "{what}: {r}");
        assert!(r.code().starts_with("savings.refused."), "{what}");
        // The API's words name the field.
        let e = ServiceError::from(Failure::Refused(r.clone()));
        assert!(
            matches!(&e, ServiceError::Invalid { field: f, .. } if *f == field),
            "{what}: {e}"
        );
        assert_eq!(books(&c, &who).await, before, "{what} changed the books");
    }
    // The exact words of two of them.
    let r = refusal(savings::withdraw(&c.db, &teller, &mv(siti, "sukarela", 100_001, None)).await);
    assert_eq!(
        r,
        Refusal::Insufficient {
            balance: rp(100_000),
            requested: rp(100_001)
        }
    );
    assert_eq!(
        r.to_string(),
        "the balance of Rp 100.000 is less than the Rp 100.001 requested"
    );
    let r = refusal(savings::deposit(&c.db, &teller, &mv(siti, "pokok", 40_001, None)).await);
    assert_eq!(
        r,
        Refusal::PokokLimit {
            paid: rp(60_000),
            limit: rp(100_000)
        }
    );
    // Pokok can be completed, but not paid twice.
    savings::deposit(&c.db, &teller, &mv(siti, "pokok", 40_000, None))
        .await
        .unwrap();
    let r = refusal(savings::deposit(&c.db, &teller, &mv(siti, "pokok", 100_000, None)).await);
    assert!(matches!(r, Refusal::PokokLimit { .. }), "{r:?}");

    // Roles: an agent and a manager take no deposits; a teller sets no settings.
    for role in [Role::Agent, Role::Manager, Role::Auditor] {
        assert!(matches!(
            savings::deposit(&c.db, &c.actor(role, 5), &mv(siti, "sukarela", 1_000, None)).await,
            Err(Failure::Service(ServiceError::Forbidden))
        ));
    }
    assert!(matches!(
        savings::set_settings(&c.db, &teller, &SettingsInput::default()).await,
        Err(Failure::Service(ServiceError::Forbidden))
    ));
}

#[tokio::test]
async fn settings_are_parsed_and_refused_by_field() {
    let c = Coop::new("kop-atur").await;
    let m = c.actor(Role::Manager, 3);
    let s = savings::settings(&c.db, &m).await.unwrap();
    assert_eq!(
        (s.pokok_amount, s.wajib_monthly, s.sukarela_rate.is_zero()),
        (savings::DEFAULT_POKOK, savings::DEFAULT_WAJIB, true)
    );
    let s = savings::set_settings(
        &c.db,
        &m,
        &SettingsInput {
            pokok_amount: "Rp 250.000",
            wajib_monthly: "50000",
            sukarela_rate: "3,5",
            sukarela_minimum: "",
        },
    )
    .await
    .unwrap();
    assert_eq!(s.pokok_amount, rp(250_000));
    assert_eq!(s.sukarela_rate.to_string(), "3,5%");
    assert_eq!(savings::settings(&c.db, &m).await.unwrap(), s);
    let bad =
        |p: &'static str, w: &'static str, r: &'static str, min: &'static str| SettingsInput {
            pokok_amount: p,
            wajib_monthly: w,
            sukarela_rate: r,
            sukarela_minimum: min,
        };
    for (input, field) in [
        (bad("0", "1", "0", "0"), "pokok_amount"),
        (bad("1", "-5", "0", "0"), "wajib_monthly"),
        (bad("1", "1", "101", "0"), "sukarela_rate"),
        (bad("1", "1", "tiga", "0"), "sukarela_rate"),
        (bad("1", "1", "0", "-1"), "sukarela_minimum"),
        (bad("1", "1", "0", "1,5"), "sukarela_minimum"),
    ] {
        let r = refusal(savings::set_settings(&c.db, &m, &input).await);
        assert_eq!(r.field(), field, "{r}");
    }
    assert_eq!(savings::settings(&c.db, &m).await.unwrap(), s, "unchanged");
}

#[tokio::test]
async fn a_transfer_moves_sukarela_and_each_line_names_its_member() {
    let c = Coop::new("kop-transfer").await;
    let teller = c.actor(Role::Teller, 2);
    let a = member(&c, "Ani", "anggota").await;
    let b = member(&c, "Budi", "calon_anggota").await;
    savings::deposit(&c.db, &teller, &mv(a, "sukarela", 80_000, None))
        .await
        .unwrap();
    let r = savings::transfer(
        &c.db,
        &teller,
        &TransferIn {
            from: a,
            to: b,
            amount: rp(30_000),
            date: None,
            note: "arisan",
            request_key: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(r.lines.len(), 2);
    assert_eq!(r.lines[0].tx_type, TxType::TransferOut);
    assert_eq!(r.lines[0].balance_after, rp(50_000));
    assert_eq!(r.lines[1].tx_type, TxType::TransferIn);
    assert_eq!(r.lines[1].balance_after, rp(30_000));
    assert_eq!(r.lines[1].counterparty.as_ref().unwrap().2, "Ani");
    assert_eq!(r.lines[0].note, "arisan");
    assert_eq!(ledger_balance(&c, "2-1100", Some(a)).await, 50_000);
    assert_eq!(ledger_balance(&c, "2-1100", Some(b)).await, 30_000);
    assert_eq!(
        ledger_balance(&c, "1-1250", None).await,
        0,
        "transit nets out"
    );
    assert_eq!(
        ledger_balance(&c, "1-1100", None).await,
        80_000,
        "no cash moved"
    );
    let tl = members::timeline(&c.db, &teller, b).await.unwrap();
    assert!(tl.iter().any(|e| e.kind == "savings.transfer_in"));
}

#[tokio::test]
async fn a_leaver_is_paid_pokok_and_wajib_and_may_withdraw_sukarela() {
    let c = Coop::new("kop-keluar").await;
    set(&c, "100000", "25000", "0", "20000").await;
    let teller = c.actor(Role::Teller, 2);
    let owner = c.actor(Role::Owner, 1);
    let m = member(&c, "Rudi", "anggota").await;
    for (kind, amount) in [("pokok", 100_000), ("wajib", 75_000), ("sukarela", 50_000)] {
        savings::deposit(&c.db, &teller, &mv(m, kind, amount, None))
            .await
            .unwrap();
    }
    members::change_status(&c.db, &owner, m, "keluar", None, "pindah kota")
        .await
        .unwrap();
    let r = refusal(savings::deposit(&c.db, &teller, &mv(m, "sukarela", 1_000, None)).await);
    assert!(matches!(
        r,
        Refusal::NotMember(guyub_domain::MemberStatus::Keluar)
    ));

    let r = savings::pay_out_capital(&c.db, &teller, m, None, "keluar", None)
        .await
        .unwrap();
    assert_eq!(r.lines.len(), 2);
    let paid: i64 = r.lines.iter().map(|l| l.amount.get()).sum();
    assert_eq!(paid, 175_000);
    assert!(r.lines.iter().all(|l| l.balance_after == Rupiah::ZERO));
    assert_eq!(r.lines[0].journal_entry_id, r.lines[1].journal_entry_id);
    assert_eq!(ledger_balance(&c, "3-1100", Some(m)).await, 0);
    assert_eq!(ledger_balance(&c, "3-1200", Some(m)).await, 0);
    assert_eq!(ledger_balance(&c, "1-1100", None).await, 50_000);
    assert!(matches!(
        refusal(savings::pay_out_capital(&c.db, &teller, m, None, "", None).await),
        Refusal::NothingToPayOut
    ));
    // Sukarela is theirs: all of it, the minimum is for members.
    let r = savings::withdraw(&c.db, &teller, &mv(m, "sukarela", 50_000, None))
        .await
        .unwrap();
    assert_eq!(r.lines[0].balance_after, Rupiah::ZERO);
    let s = savings::member_savings(&c.db, &teller, m).await.unwrap();
    assert_eq!(s.total, Rupiah::ZERO);
    assert!(!s.active);
}

#[tokio::test]
async fn an_idempotency_key_returns_the_first_receipt() {
    let c = Coop::new("kop-kunci").await;
    let teller = c.actor(Role::Teller, 2);
    let m = member(&c, "Sari", "anggota").await;
    let input = MovementIn {
        request_key: Some("form-7f3a"),
        ..mv(m, "sukarela", 20_000, None)
    };
    let first = savings::deposit(&c.db, &teller, &input).await.unwrap();
    let second = savings::deposit(&c.db, &teller, &input).await.unwrap();
    assert_eq!(first, second);
    let s = savings::member_savings(&c.db, &teller, m).await.unwrap();
    assert_eq!(
        s.balance(SavingsKind::Sukarela),
        rp(20_000),
        "deposited once"
    );
    assert!(matches!(
        refusal(
            savings::deposit(
                &c.db,
                &teller,
                &MovementIn {
                    request_key: Some("bad key"),
                    ..mv(m, "sukarela", 1, None)
                }
            )
            .await
        ),
        Refusal::RequestKey
    ));
}

#[tokio::test]
async fn wajib_is_billed_once_a_month_and_deposits_settle_the_oldest_bills() {
    let c = Coop::new("kop-wajib").await;
    set(&c, "100000", "25000", "0", "0").await;
    let m = c.actor(Role::Manager, 3);
    let teller = c.actor(Role::Teller, 2);
    let a = member_joined(&c, "Ani", "anggota", Some("2024-12-01")).await;
    let b = member_joined(&c, "Budi", "anggota", Some("2024-12-01")).await;
    // Joined in March: not billed for January or February.
    let late = member_joined(&c, "Citra", "calon_anggota", Some("2025-03-05")).await;
    let gone = member_joined(&c, "Dodi", "anggota", Some("2024-01-01")).await;
    members::change_status(&c.db, &c.actor(Role::Owner, 1), gone, "keluar", None, "x")
        .await
        .unwrap();
    // Budi pays 40.000 ahead.
    savings::deposit(&c.db, &teller, &mv(b, "wajib", 40_000, Some("2024-12-20")))
        .await
        .unwrap();

    let mut created = Vec::new();
    for month in ["2025-01", "2025-02", "2025-03"] {
        let run = jobs::bill_wajib(&c.db, &m, month).await.unwrap();
        assert_eq!(run.amount, rp(25_000));
        created.push(run.created);
    }
    assert_eq!(created, [2, 2, 3]);
    // Idempotent per member and month.
    let again = jobs::bill_wajib(&c.db, &m, "2025-02").await.unwrap();
    assert_eq!((again.created, again.total), (0, Rupiah::ZERO));

    // Budi's 40.000 paid January and 15.000 of February.
    let pb = savings::member_savings(&c.db, &teller, b)
        .await
        .unwrap()
        .wajib;
    assert_eq!(
        (pb.billed, pb.paid, pb.owed),
        (rp(75_000), rp(40_000), rp(35_000))
    );
    assert_eq!(pb.months_in_arrears, 2);
    // Ani pays 60.000: January, February, 10.000 of March.
    savings::deposit(&c.db, &teller, &mv(a, "wajib", 60_000, None))
        .await
        .unwrap();
    let pa = savings::member_savings(&c.db, &teller, a)
        .await
        .unwrap()
        .wajib;
    assert_eq!(
        (pa.paid, pa.owed, pa.months_in_arrears),
        (rp(60_000), rp(15_000), 1)
    );
    assert_eq!(pa.arrears, rp(15_000));
    // The bills agree with the domain's rule for a constant monthly amount.
    let current = YearMonth::from(ledger::today("Asia/Jakarta"));
    let domain = wajib_status(
        PositiveAmount::new(rp(25_000)).unwrap(),
        YearMonth::parse("2025-01").unwrap(),
        YearMonth::parse("2025-03").unwrap(),
        rp(60_000),
    )
    .unwrap();
    assert_eq!(pa.owed, domain.amount_owed);
    assert_eq!(pa.months_billed, domain.months_billed);
    assert!(current > YearMonth::parse("2025-03").unwrap());

    // Arrears: most behind first; the leaver is not listed.
    let list = jobs::arrears(&c.db, &teller, 100, 0).await.unwrap();
    let names: Vec<&str> = list.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Budi", "Citra", "Ani"]);
    assert_eq!(list[0].arrears, rp(35_000));
    assert_eq!(list[0].months, 2);

    // Paid ahead settles a new bill at once: Ani pays 40.000 more, April is billed.
    savings::deposit(&c.db, &teller, &mv(a, "wajib", 40_000, None))
        .await
        .unwrap();
    let run = jobs::bill_wajib(&c.db, &m, "2025-04").await.unwrap();
    assert_eq!((run.created, run.paid_ahead), (3, 1));
    let pa = savings::member_savings(&c.db, &teller, a)
        .await
        .unwrap()
        .wajib;
    assert_eq!((pa.owed, pa.paid_ahead), (Rupiah::ZERO, Rupiah::ZERO));
    assert!(
        !jobs::arrears(&c.db, &teller, 100, 0)
            .await
            .unwrap()
            .iter()
            .any(|r| r.member_id == a)
    );
    let _ = late;

    // Refusals.
    assert!(matches!(
        refusal(jobs::bill_wajib(&c.db, &m, "2025-13").await),
        Refusal::Month
    ));
    let next = current.first_day().add_months(1).unwrap();
    assert!(matches!(
        refusal(jobs::bill_wajib(&c.db, &m, &YearMonth::from(next).to_string()).await),
        Refusal::FutureMonth { .. }
    ));
    assert!(matches!(
        jobs::bill_wajib(&c.db, &teller, "2025-05").await,
        Err(Failure::Service(ServiceError::Forbidden))
    ));
    let runs = jobs::runs(&c.db, &m, 10).await.unwrap();
    assert_eq!(runs[0].month, "2025-04");
    assert_eq!(
        runs.iter().find(|r| r.month == "2025-02").unwrap().members,
        2
    );
}

#[tokio::test]
async fn jasa_simpanan_is_the_daily_balance_posted_once() {
    let c = Coop::new("kop-jasa").await;
    set(&c, "100000", "25000", "6", "0").await;
    let m = c.actor(Role::Manager, 3);
    let teller = c.actor(Role::Teller, 2);
    let a = member(&c, "Ani", "anggota").await;
    let quiet = member(&c, "Budi", "anggota").await;
    // The worked example of the domain rule: June 2025 at 6 %, opening 1.000.000,
    // 3.000.000 from the 11th, 2.000.000 from the 21st: Rp 9.863.
    for (kind, amount, day) in [
        ("deposit", 1_000_000, "2025-05-20"),
        ("deposit", 2_000_000, "2025-06-11"),
        ("withdraw", 500_000, "2025-06-21"),
        ("withdraw", 500_000, "2025-06-21"),
        ("deposit", 10_000, "2025-07-02"),
    ] {
        let input = mv(a, "sukarela", amount, Some(day));
        if kind == "deposit" {
            savings::deposit(&c.db, &teller, &input).await.unwrap();
        } else {
            savings::withdraw(&c.db, &teller, &input).await.unwrap();
        }
    }
    // Budi held 365.000 all June: 30 × 365.000 × 6 % / 365 = 1.800.
    savings::deposit(
        &c.db,
        &teller,
        &mv(quiet, "sukarela", 365_000, Some("2025-04-01")),
    )
    .await
    .unwrap();

    let run = jobs::post_jasa_simpanan(&c.db, &m, "2025-06")
        .await
        .unwrap();
    assert!(!run.already);
    assert_eq!((run.members, run.total), (2, rp(9_863 + 1_800)));
    let s = savings::member_savings(&c.db, &teller, a).await.unwrap();
    assert_eq!(s.balance(SavingsKind::Sukarela), rp(2_010_000 + 9_863));
    let st = savings::statement(&c.db, &teller, a, "sukarela", None, 1)
        .await
        .unwrap();
    assert_eq!(st.rows[0].tx_type, TxType::Jasa);
    assert_eq!(st.rows[0].amount, rp(9_863));
    assert_eq!(st.rows[0].receipt_no, format!("JASA-2025-06-{a}"));
    let r = savings::receipt(&c.db, &teller, &st.rows[0].receipt_no)
        .await
        .unwrap();
    assert_eq!(r.lines.len(), 1, "one member's jasa per receipt");
    assert_eq!(ledger_balance(&c, "5-2100", None).await, 11_663);
    assert_eq!(ledger_balance(&c, "2-1100", Some(a)).await, 2_019_863);

    // Once per month.
    let before = books(&c, &[a, quiet]).await;
    let again = jobs::post_jasa_simpanan(&c.db, &m, "2025-06")
        .await
        .unwrap();
    assert!(again.already);
    assert_eq!(again.total, rp(11_663));
    assert_eq!(books(&c, &[a, quiet]).await, before);
    // Sukarela cannot be back-dated into a month whose jasa is posted (a new account:
    // the others have a later movement, the jasa itself).
    let new = member(&c, "Citra", "anggota").await;
    assert!(matches!(
        refusal(
            savings::deposit(&c.db, &teller, &mv(new, "sukarela", 1, Some("2025-06-30"))).await
        ),
        Refusal::JasaPosted { .. }
    ));
    assert!(matches!(
        refusal(
            savings::deposit(
                &c.db,
                &teller,
                &mv(quiet, "sukarela", 1, Some("2025-07-30"))
            )
            .await
        ),
        Refusal::BeforeLastMovement { .. }
    ));
    savings::deposit(&c.db, &teller, &mv(new, "sukarela", 1, Some("2025-07-01")))
        .await
        .unwrap();
    let before = books(&c, &[a, quiet]).await;
    // The current month is not over.
    let current = YearMonth::from(ledger::today("Asia/Jakarta")).to_string();
    assert!(matches!(
        refusal(jobs::post_jasa_simpanan(&c.db, &m, &current).await),
        Refusal::MonthNotOver { .. }
    ));
    assert!(matches!(
        jobs::post_jasa_simpanan(&c.db, &teller, "2025-05").await,
        Err(Failure::Service(ServiceError::Forbidden))
    ));
    assert_eq!(books(&c, &[a, quiet]).await, before);
    // With no rate nothing is posted, and the month stays open for later.
    set(&c, "100000", "25000", "0", "0").await;
    let before = books(&c, &[a, quiet]).await;
    let none = jobs::post_jasa_simpanan(&c.db, &m, "2025-07")
        .await
        .unwrap();
    assert_eq!(
        (none.members, none.total, none.already),
        (0, Rupiah::ZERO, false)
    );
    assert_eq!(books(&c, &[a, quiet]).await, before);
}

#[derive(Debug, Clone)]
enum Op {
    Deposit(i64),
    Withdraw(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (-1_000i64..5_000_000).prop_map(Op::Deposit),
        (-1_000i64..8_000_000).prop_map(Op::Withdraw),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Random deposits and withdrawals through the service: the balance equals the sum
    /// of the accepted movements, equals the ledger's sukarela lines for the member,
    /// and never goes below zero; the ledger's sukarela account equals every member's
    /// balance together.
    #[test]
    fn balances_movements_and_the_ledger_agree(ops in prop::collection::vec(op(), 1..16)) {
        runtime().block_on(async {
            let c = shared().await;
            let teller = c.actor(Role::Teller, 2);
            let m = member(c, "Prop", "anggota").await;
            let mut expected: i64 = 0;
            for op in &ops {
                match *op {
                    Op::Deposit(n) => match savings::deposit(&c.db, &teller, &mv(m, "sukarela", n, None)).await {
                        Ok(r) => {
                            expected += n;
                            assert_eq!(r.lines[0].balance_after, rp(expected));
                        }
                        Err(e) => assert!(n <= 0, "{e}"),
                    },
                    Op::Withdraw(n) => match savings::withdraw(&c.db, &teller, &mv(m, "sukarela", n, None)).await {
                        Ok(_) => expected -= n,
                        Err(Failure::Refused(r)) => assert!(n <= 0 || n > expected, "{r}"),
                        Err(e) => panic!("{e}"),
                    },
                }
                assert!(expected >= 0);
            }
            let s = savings::member_savings(&c.db, &teller, m).await.unwrap();
            assert_eq!(s.balance(SavingsKind::Sukarela), rp(expected));
            let st = savings::statement(&c.db, &teller, m, "sukarela", None, 500).await.unwrap();
            let sum: i64 = st.rows.iter().map(|r| if r.tx_type.adds() { r.amount.get() } else { -r.amount.get() }).sum();
            assert_eq!(sum, expected);
            assert!(st.rows.iter().all(|r| !r.balance_after.is_negative()));
            assert_eq!(ledger_balance(c, "2-1100", Some(m)).await, expected);
            let mut conn = c.db.conn().await.unwrap();
            let all: i64 = guyub_store::savings::totals(&mut conn, c.id).await.unwrap()
                .into_iter().filter(|(k, _, _)| k == "sukarela").map(|(_, _, t)| t).sum();
            assert_eq!(ledger_balance(c, "2-1100", None).await, all);
        });
    }
}

/// One runtime and one cooperative for every case of the property test (members are
/// per case): the pool lives on the runtime that made it.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

async fn shared() -> &'static Coop {
    static COOP: tokio::sync::OnceCell<Coop> = tokio::sync::OnceCell::const_new();
    COOP.get_or_init(|| Coop::new("kop-prop")).await
}

#[tokio::test]
async fn the_demo_cooperative_has_savings_that_match_its_ledger() {
    let db = guyub_store::Db::open(&guyub_store::testing::fresh_database_url().await)
        .await
        .unwrap();
    guyub_services::demo::load(&db).await.unwrap().unwrap();
    let coop = guyub_store::cooperatives::by_slug(&mut db.conn().await.unwrap(), "demo")
        .await
        .unwrap()
        .unwrap();
    let c = Coop { db, id: coop.id };
    let owner = c.actor(Role::Owner, 1);
    let list = members::search(&c.db, &owner, "", None, 100, 0)
        .await
        .unwrap();
    let by_name = |n: &str| list.iter().find(|m| m.fields.name == n).unwrap().id;
    let siti = savings::member_savings(&c.db, &owner, by_name("Siti Rahayu"))
        .await
        .unwrap();
    assert_eq!(siti.balance(SavingsKind::Pokok), rp(100_000));
    assert!(
        siti.balance(SavingsKind::Sukarela) > rp(500_000),
        "{siti:?}"
    );
    assert_eq!(siti.wajib.months_in_arrears, 0);
    let budi = savings::member_savings(&c.db, &owner, by_name("Budi Santoso"))
        .await
        .unwrap();
    assert_eq!(budi.wajib.months_in_arrears, 2);
    assert_eq!(budi.wajib.arrears, rp(100_000));
    let arrears = jobs::arrears(&c.db, &owner, 100, 0).await.unwrap();
    assert!(arrears.iter().any(|a| a.name == "Budi Santoso"));
    assert!(arrears.iter().all(|a| a.months > 0));
    // The ledger agrees with the balances, kind by kind.
    let totals = savings::summary(&c.db, &owner).await.unwrap();
    for (kind, code) in [
        (SavingsKind::Pokok, "3-1100"),
        (SavingsKind::Wajib, "3-1200"),
        (SavingsKind::Sukarela, "2-1100"),
    ] {
        let (_, n, total) = totals.iter().find(|(k, _, _)| *k == kind).unwrap();
        assert!(*n >= 7, "{kind}: {n} accounts");
        assert_eq!(ledger_balance(&c, code, None).await, total.get(), "{kind}");
    }
    assert!(
        ledger_balance(&c, "5-2100", None).await > 0,
        "last month's jasa"
    );
    let tb = ledger::trial_balance(&c.db, &owner, d("2099-12-31"))
        .await
        .unwrap();
    assert_eq!(tb.total_debit, tb.total_credit);
    // The member who left has capital waiting to be paid out, and no arrears listed.
    let gone = list.iter().find(|m| m.status == "keluar").unwrap();
    let s = savings::member_savings(&c.db, &owner, gone.id)
        .await
        .unwrap();
    assert_eq!(s.balance(SavingsKind::Pokok), rp(100_000));
    assert!(!arrears.iter().any(|a| a.member_id == gone.id));
}
