//! Why a savings request is refused, with the field at fault. The API shows the
//! English text (`Display`); pages look up `code()` among the UI texts and fill in
//! `params()`, so a teller reads the refusal in Bahasa Indonesia.

use crate::{ServiceError, invalid};
use guyub_domain::money::{MoneyError, Rupiah, SavingsError, SavingsKind, YearMonth};
use guyub_domain::{Date, MemberStatus};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The amount is empty, malformed, too large, zero or negative.
    Amount(MoneyError),
    /// Not pokok, wajib or sukarela.
    Kind,
    /// Only calon anggota and anggota hold savings (closed loop).
    NotMember(MemberStatus),
    /// The receiving member of a transfer is not a member.
    PayeeNotMember(MemberStatus),
    SelfTransfer,
    /// Simpanan pokok would exceed the cooperative's amount.
    PokokLimit {
        paid: Rupiah,
        limit: Rupiah,
    },
    /// Pokok and wajib stay while the person is a member.
    OwnCapital(SavingsKind),
    Insufficient {
        balance: Rupiah,
        requested: Rupiah,
    },
    /// A member keeps the minimum sukarela balance.
    BelowMinimum {
        balance: Rupiah,
        requested: Rupiah,
        minimum: Rupiah,
    },
    /// Capital is paid out only to those who left.
    StillMember,
    NothingToPayOut,
    FutureDate {
        today: Date,
    },
    /// Movements of an account are kept in date order.
    BeforeLastMovement {
        last: Date,
    },
    /// Jasa simpanan of that month is posted; sukarela cannot change before it.
    JasaPosted {
        month: YearMonth,
    },
    PeriodClosed {
        through: Date,
    },
    Month,
    FutureMonth {
        current: YearMonth,
    },
    /// Jasa simpanan is posted once a month is over.
    MonthNotOver {
        current: YearMonth,
    },
    /// A setting is not an amount or rate.
    Setting {
        field: &'static str,
        error: MoneyError,
    },
    Note,
    RequestKey,
}

impl Refusal {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        use Refusal::*;
        match self {
            Amount(_) | PokokLimit { .. } | Insufficient { .. } | BelowMinimum { .. } => "amount",
            Kind | OwnCapital(_) => "kind",
            NotMember(_) | StillMember | NothingToPayOut => "member_id",
            PayeeNotMember(_) | SelfTransfer => "to_member_id",
            FutureDate { .. }
            | BeforeLastMovement { .. }
            | JasaPosted { .. }
            | PeriodClosed { .. } => "date",
            Month | FutureMonth { .. } | MonthNotOver { .. } => "month",
            Setting { field, .. } => field,
            Note => "note",
            RequestKey => "idempotency_key",
        }
    }

    /// The key of the UI text that says this (`savings.refused.…`).
    pub fn code(&self) -> &'static str {
        use Refusal::*;
        match self {
            Amount(e) | Setting { error: e, .. } => match e {
                MoneyError::Empty => "savings.refused.amount_empty",
                MoneyError::Format | MoneyError::Grouping | MoneyError::Fraction => {
                    "savings.refused.amount_format"
                }
                MoneyError::Overflow => "savings.refused.amount_large",
                MoneyError::NotPositive => "savings.refused.amount_positive",
                MoneyError::RateFormat | MoneyError::RateRange => "savings.refused.rate",
            },
            Kind => "savings.refused.kind",
            NotMember(_) => "savings.refused.not_member",
            PayeeNotMember(_) => "savings.refused.payee_not_member",
            SelfTransfer => "savings.refused.self_transfer",
            PokokLimit { .. } => "savings.refused.pokok_limit",
            OwnCapital(_) => "savings.refused.own_capital",
            Insufficient { .. } => "savings.refused.insufficient",
            BelowMinimum { .. } => "savings.refused.below_minimum",
            StillMember => "savings.refused.still_member",
            NothingToPayOut => "savings.refused.nothing_to_pay_out",
            FutureDate { .. } => "savings.refused.future_date",
            BeforeLastMovement { .. } => "savings.refused.before_last",
            JasaPosted { .. } => "savings.refused.jasa_posted",
            PeriodClosed { .. } => "savings.refused.period_closed",
            Month => "savings.refused.month",
            FutureMonth { .. } => "savings.refused.future_month",
            MonthNotOver { .. } => "savings.refused.month_not_over",
            Note => "savings.refused.note",
            RequestKey => "savings.refused.request_key",
        }
    }

    /// The values the text names, as `{name}` placeholders. `status` is a member
    /// status code (the page translates it).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        use Refusal::*;
        match self {
            NotMember(s) | PayeeNotMember(s) => vec![("status", s.as_str().to_string())],
            PokokLimit { paid, limit } => {
                vec![("paid", paid.to_string()), ("limit", limit.to_string())]
            }
            OwnCapital(k) => vec![("kind", k.to_string())],
            Insufficient { balance, requested } => vec![
                ("balance", balance.to_string()),
                ("requested", requested.to_string()),
            ],
            BelowMinimum {
                balance,
                requested,
                minimum,
            } => vec![
                ("balance", balance.to_string()),
                ("requested", requested.to_string()),
                ("minimum", minimum.to_string()),
            ],
            FutureDate { today } => vec![("date", today.to_string())],
            BeforeLastMovement { last } => vec![("date", last.to_string())],
            PeriodClosed { through } => vec![("date", through.to_string())],
            JasaPosted { month } => vec![("month", month.to_string())],
            FutureMonth { current } | MonthNotOver { current } => {
                vec![("month", current.to_string())]
            }
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Refusal::*;
        match self {
            Amount(e) | Setting { error: e, .. } => write!(f, "{e}"),
            Kind => f.write_str("unknown kind of simpanan (pokok, wajib, sukarela)"),
            NotMember(s) => write!(
                f,
                "only calon anggota and anggota hold savings; this person is {s}"
            ),
            PayeeNotMember(s) => write!(
                f,
                "only calon anggota and anggota hold savings; the receiving person is {s}"
            ),
            SelfTransfer => f.write_str("a transfer goes to another member"),
            PokokLimit { paid, limit } => write!(
                f,
                "simpanan pokok is {limit} once; {paid} is paid already, so this would exceed it"
            ),
            OwnCapital(k) => write!(
                f,
                "simpanan {k} is the cooperative's own capital (UU 25/1992 art. 41) and cannot be withdrawn while the person is a member"
            ),
            Insufficient { balance, requested } => write!(
                f,
                "the balance of {balance} is less than the {requested} requested"
            ),
            BelowMinimum {
                balance,
                requested,
                minimum,
            } => write!(
                f,
                "a member keeps at least {minimum} in sukarela; the balance is {balance}, so {requested} cannot be withdrawn"
            ),
            StillMember => f.write_str(
                "pokok and wajib are paid out only to those who left (keluar or meninggal); change the member's status first",
            ),
            NothingToPayOut => f.write_str("there is no simpanan pokok or wajib to pay out"),
            FutureDate { today } => write!(f, "the date is after today ({today})"),
            BeforeLastMovement { last } => write!(
                f,
                "the account has a movement on {last}; a movement cannot be dated before it"
            ),
            JasaPosted { month } => write!(
                f,
                "jasa simpanan for {month} is posted; sukarela movements must be dated after that month"
            ),
            PeriodClosed { through } => write!(
                f,
                "the books are closed through {through}; post on a later date"
            ),
            Month => f.write_str("a month is written YYYY-MM, e.g. 2025-06"),
            FutureMonth { current } => write!(
                f,
                "the month is after the current month ({current})"
            ),
            MonthNotOver { current } => write!(
                f,
                "jasa simpanan is posted for a month that is over (before {current})"
            ),
            Note => f.write_str("a note of at most 200 characters, no control characters"),
            RequestKey => f.write_str("an idempotency key of 1 to 100 visible characters"),
        }
    }
}

/// A savings use case's failure: a refusal of the request, or anything else (not
/// found, not allowed, the database).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{field}: {0}", field = .0.field())]
    Refused(Refusal),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure::Refused(r)
    }
}

impl From<guyub_store::StoreError> for Failure {
    fn from(e: guyub_store::StoreError) -> Failure {
        Failure::Service(e.into())
    }
}

impl From<guyub_store::SqlxError> for Failure {
    fn from(e: guyub_store::SqlxError) -> Failure {
        Failure::Service(e.into())
    }
}

impl From<Failure> for ServiceError {
    fn from(f: Failure) -> ServiceError {
        match f {
            Failure::Refused(r) => invalid(r.field(), r.to_string()),
            Failure::Service(e) => e,
        }
    }
}

/// A domain savings rule's refusal; what a request cannot cause (days out of order,
/// a negative stored balance) is an internal error.
impl From<SavingsError> for Failure {
    fn from(e: SavingsError) -> Failure {
        match e {
            SavingsError::OwnCapital(k) => Refusal::OwnCapital(k).into(),
            SavingsError::Insufficient { balance, requested } => {
                Refusal::Insufficient { balance, requested }.into()
            }
            SavingsError::Kind => Refusal::Kind.into(),
            SavingsError::MonthFormat | SavingsError::Month { .. } => Refusal::Month.into(),
            SavingsError::Money(m) => Refusal::Amount(m).into(),
            other => Failure::Service(ServiceError::Internal(format!("savings rule: {other}"))),
        }
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;
