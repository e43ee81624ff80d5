//! Pure rules of Guyub: value types that cannot be wrong once parsed, roles and
//! permissions, the audit hash chain, the rules of money (`money`) and service levels
//! counted in business hours (`sla`). Nothing here does I/O or is async.

pub mod audit;
pub mod identity;
pub mod ids;
pub mod member;
pub mod money;
pub mod permission;
pub mod search;
pub mod sla;
pub mod text;

pub use identity::{IdentityKey, IdentityKind};
pub use ids::*;
pub use member::{BULAN, Date, Gender, MemberNoFormat, MemberStatus, Nik, Phone};
pub use permission::{Action, Role};
pub use text::{Email, Slug};
