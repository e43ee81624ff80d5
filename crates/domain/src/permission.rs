//! Roles and what each may do. This is the one place where permissions are decided;
//! handlers ask `role.can(action)` and never compare roles themselves.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Holds the cooperative's account; the only role that can make or remove owners.
    Owner,
    /// Runs the installation for the cooperative: staff, channels, settings.
    Admin,
    /// Pengurus: approvals, ledger, reports, SHU.
    Manager,
    /// Leads the CS agents: routing, SLAs, quality.
    Supervisor,
    /// CS agent working the inbox and the phone.
    Agent,
    /// Kasir / teller: point of sale, deposits, withdrawals, loan payments.
    Teller,
    /// Reads everything that is recorded, changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Owner,
        Role::Admin,
        Role::Manager,
        Role::Supervisor,
        Role::Agent,
        Role::Teller,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::Teller => "teller",
            Role::Auditor => "auditor",
        }
    }

    /// Whether this role may perform `action`.
    pub fn can(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ViewDashboard | ViewMembers => true,
            ManageUsers | ManageTokens | ManageSettings | ManageChannels => {
                matches!(self, Owner | Admin)
            }
            ViewUsers => matches!(self, Owner | Admin | Manager | Supervisor | Auditor),
            ViewAudit => matches!(self, Owner | Admin | Manager | Auditor),
            ManageMembers => matches!(self, Owner | Admin | Manager | Supervisor | Agent | Teller),
            ViewNik | ExportMembers => matches!(self, Owner | Admin | Manager | Auditor),
            MergeContacts => matches!(self, Owner | Admin | Manager | Supervisor),
            WorkInbox => matches!(self, Owner | Admin | Manager | Supervisor | Agent),
            ManageRouting => matches!(self, Owner | Admin | Supervisor),
            TellerTransactions => matches!(self, Owner | Admin | Teller),
            ApproveLoans | PostJournal | ClosePeriod | ManageShu => {
                matches!(self, Owner | Manager)
            }
            ViewLedger | ViewReports => matches!(self, Owner | Admin | Manager | Auditor),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role '{0}'; expected one of owner, admin, manager, supervisor, agent, teller, auditor"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Everything a person can be allowed or refused to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ViewDashboard,
    ViewUsers,
    ManageUsers,
    ManageTokens,
    ManageSettings,
    ManageChannels,
    ViewAudit,
    ViewMembers,
    ManageMembers,
    ViewNik,
    ExportMembers,
    MergeContacts,
    WorkInbox,
    ManageRouting,
    TellerTransactions,
    ApproveLoans,
    PostJournal,
    ClosePeriod,
    ManageShu,
    ViewLedger,
    ViewReports,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::ViewDashboard,
        Action::ViewUsers,
        Action::ManageUsers,
        Action::ManageTokens,
        Action::ManageSettings,
        Action::ManageChannels,
        Action::ViewAudit,
        Action::ViewMembers,
        Action::ManageMembers,
        Action::ViewNik,
        Action::ExportMembers,
        Action::MergeContacts,
        Action::WorkInbox,
        Action::ManageRouting,
        Action::TellerTransactions,
        Action::ApproveLoans,
        Action::PostJournal,
        Action::ClosePeriod,
        Action::ManageShu,
        Action::ViewLedger,
        Action::ViewReports,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matrix as the cooperative would read it, written out independently of
    /// `Role::can`: columns are owner, admin, manager, supervisor, agent, teller,
    /// auditor. A change to a permission must change this table too.
    const MATRIX: &[(Action, &str)] = &[
        (Action::ViewDashboard, "OOOOOOO"),
        (Action::ViewUsers, "OOOO..O"),
        (Action::ManageUsers, "OO....."),
        (Action::ManageTokens, "OO....."),
        (Action::ManageSettings, "OO....."),
        (Action::ManageChannels, "OO....."),
        (Action::ViewAudit, "OOO...O"),
        (Action::ViewMembers, "OOOOOOO"),
        (Action::ManageMembers, "OOOOOO."),
        (Action::ViewNik, "OOO...O"),
        (Action::ExportMembers, "OOO...O"),
        (Action::MergeContacts, "OOOO..."),
        (Action::WorkInbox, "OOOOO.."),
        (Action::ManageRouting, "OO.O..."),
        (Action::TellerTransactions, "OO...O."),
        (Action::ApproveLoans, "O.O...."),
        (Action::PostJournal, "O.O...."),
        (Action::ClosePeriod, "O.O...."),
        (Action::ManageShu, "O.O...."),
        (Action::ViewLedger, "OOO...O"),
        (Action::ViewReports, "OOO...O"),
    ];

    #[test]
    fn role_action_matrix() {
        assert_eq!(
            MATRIX.len(),
            Action::ALL.len(),
            "every action is in the matrix"
        );
        for (action, row) in MATRIX {
            for (role, cell) in Role::ALL.iter().zip(row.chars()) {
                assert_eq!(role.can(*action), cell == 'O', "{role} × {action:?}");
            }
        }
    }

    #[test]
    fn auditor_changes_nothing() {
        for a in Action::ALL {
            let read_only = matches!(
                a,
                Action::ViewDashboard
                    | Action::ViewUsers
                    | Action::ViewAudit
                    | Action::ViewMembers
                    | Action::ViewNik
                    | Action::ExportMembers
                    | Action::ViewLedger
                    | Action::ViewReports
            );
            if !read_only {
                assert!(!Role::Auditor.can(a), "auditor may {a:?}");
            }
        }
    }

    #[test]
    fn roles_parse() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
