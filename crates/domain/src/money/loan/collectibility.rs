//! Collectibility (kolektibilitas): how likely a loan is to be repaid, by how many days
//! its oldest unpaid instalment is past due.

use super::LoanError;
use crate::member::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The four classes cooperatives report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collectibility {
    Lancar,
    KurangLancar,
    Diragukan,
    Macet,
}

impl Collectibility {
    pub const ALL: [Collectibility; 4] = [
        Collectibility::Lancar,
        Collectibility::KurangLancar,
        Collectibility::Diragukan,
        Collectibility::Macet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Collectibility::Lancar => "lancar",
            Collectibility::KurangLancar => "kurang_lancar",
            Collectibility::Diragukan => "diragukan",
            Collectibility::Macet => "macet",
        }
    }

    /// As printed on reports: `Lancar`, `Kurang Lancar`, …
    pub fn label(self) -> &'static str {
        match self {
            Collectibility::Lancar => "Lancar",
            Collectibility::KurangLancar => "Kurang Lancar",
            Collectibility::Diragukan => "Diragukan",
            Collectibility::Macet => "Macet",
        }
    }
}

impl fmt::Display for Collectibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Day thresholds, a cooperative setting: a loan is in a class once its days past due
/// are *more than* that class's number.
///
/// Defaults: **lancar 0–90 days, kurang lancar 91–120, diragukan 121–180, macet over
/// 180.** These are the bank classes of OJK (lancar; dalam perhatian khusus 1–90;
/// kurang lancar 91–120; diragukan 121–180; macet over 180) folded into the four classes
/// cooperatives use, with "dalam perhatian khusus" counted as lancar: a member one or
/// two instalments behind is followed up, not yet provisioned for. Cooperatives whose
/// supervisor or auditor counts months instead (e.g. 3, 6 and 12 months) set
/// 90/180/360.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawThresholds", into = "RawThresholds")]
pub struct CollectibilityThresholds {
    kurang_lancar_after: u32,
    diragukan_after: u32,
    macet_after: u32,
}

#[derive(Serialize, Deserialize)]
struct RawThresholds {
    kurang_lancar_after: u32,
    diragukan_after: u32,
    macet_after: u32,
}

impl TryFrom<RawThresholds> for CollectibilityThresholds {
    type Error = LoanError;
    fn try_from(r: RawThresholds) -> Result<Self, Self::Error> {
        CollectibilityThresholds::new(r.kurang_lancar_after, r.diragukan_after, r.macet_after)
    }
}
impl From<CollectibilityThresholds> for RawThresholds {
    fn from(t: CollectibilityThresholds) -> Self {
        RawThresholds {
            kurang_lancar_after: t.kurang_lancar_after,
            diragukan_after: t.diragukan_after,
            macet_after: t.macet_after,
        }
    }
}

impl Default for CollectibilityThresholds {
    fn default() -> Self {
        CollectibilityThresholds {
            kurang_lancar_after: 90,
            diragukan_after: 120,
            macet_after: 180,
        }
    }
}

impl CollectibilityThresholds {
    /// Each threshold is the last day of the class before it; they must increase.
    pub fn new(
        kurang_lancar_after: u32,
        diragukan_after: u32,
        macet_after: u32,
    ) -> Result<Self, LoanError> {
        if kurang_lancar_after < diragukan_after && diragukan_after < macet_after {
            Ok(CollectibilityThresholds {
                kurang_lancar_after,
                diragukan_after,
                macet_after,
            })
        } else {
            Err(LoanError::Thresholds)
        }
    }

    pub fn kurang_lancar_after(&self) -> u32 {
        self.kurang_lancar_after
    }
    pub fn diragukan_after(&self) -> u32 {
        self.diragukan_after
    }
    pub fn macet_after(&self) -> u32 {
        self.macet_after
    }

    pub fn classify(&self, days_past_due: u32) -> Collectibility {
        if days_past_due > self.macet_after {
            Collectibility::Macet
        } else if days_past_due > self.diragukan_after {
            Collectibility::Diragukan
        } else if days_past_due > self.kurang_lancar_after {
            Collectibility::KurangLancar
        } else {
            Collectibility::Lancar
        }
    }
}

/// Days the oldest unpaid instalment is past its due date on `today`; 0 when nothing
/// is unpaid or it is not yet due.
pub fn days_past_due(oldest_unpaid_due: Option<Date>, today: Date) -> u32 {
    oldest_unpaid_due.map_or(0, |due| {
        u32::try_from(due.days_until(today).max(0)).unwrap_or(u32::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Collectibility::*;

    #[test]
    fn default_thresholds() {
        let t = CollectibilityThresholds::default();
        for (days, want) in [
            (0, Lancar),
            (90, Lancar),
            (91, KurangLancar),
            (120, KurangLancar),
            (121, Diragukan),
            (180, Diragukan),
            (181, Macet),
            (u32::MAX, Macet),
        ] {
            assert_eq!(t.classify(days), want, "{days}");
        }
    }

    #[test]
    fn custom_thresholds_must_increase() {
        let t = CollectibilityThresholds::new(30, 60, 90).unwrap();
        assert_eq!(t.classify(31), KurangLancar);
        assert_eq!(t.classify(91), Macet);
        assert_eq!(
            CollectibilityThresholds::new(60, 60, 90),
            Err(LoanError::Thresholds)
        );
        assert_eq!(
            CollectibilityThresholds::new(90, 60, 120),
            Err(LoanError::Thresholds)
        );
    }

    #[test]
    fn days_past_due_counts_from_the_due_date() {
        let due = Date::new(2025, 1, 31).unwrap();
        assert_eq!(days_past_due(Some(due), Date::new(2025, 3, 1).unwrap()), 29);
        assert_eq!(days_past_due(Some(due), due), 0);
        assert_eq!(days_past_due(Some(due), Date::new(2025, 1, 1).unwrap()), 0);
        assert_eq!(days_past_due(None, due), 0);
        assert_eq!(Macet.to_string(), "Macet");
        assert!(Lancar < Macet);
    }
}
