//! The countdown an agent sees next to a conversation.

/// Under this much time left a target is at risk whatever its length.
pub const AT_RISK_FLOOR_MS: i64 = 15 * 60_000;

/// Where a conversation stands against one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaTimer {
    /// Time from now (or from the answer, once done) to the due instant; negative when
    /// overdue by that much. Wall-clock milliseconds.
    pub remaining_ms: i64,
    /// The due instant passed before the target was met (or has passed, still unmet).
    pub overdue: bool,
    /// Still running, not overdue, and less than a quarter of the target or less than
    /// 15 minutes left.
    pub at_risk: bool,
    /// The target was met or missed: the timer is stopped.
    pub done: bool,
}

/// The timer of a target due at `due_ms`, `target_minutes` long, met at `done_at` (the
/// first answer, the resolution) if it was.
///
/// The remaining time is wall-clock time to the due instant, which never understates
/// the business time left: after closing a conversation due tomorrow morning is not at
/// risk overnight, and becomes so in the morning. "A quarter of the target" compares
/// that remaining time with the target's business minutes, so an urgent conversation
/// (15 minutes) is at risk for its last 15 minutes and a normal one (60 minutes) for its
/// last 15, a low one (240 minutes) for its last hour.
pub fn timer(now_ms: i64, due_ms: i64, done_at: Option<i64>, target_minutes: i64) -> SlaTimer {
    match done_at {
        Some(at) => {
            let remaining_ms = due_ms.saturating_sub(at);
            SlaTimer {
                remaining_ms,
                overdue: remaining_ms < 0,
                at_risk: false,
                done: true,
            }
        }
        None => {
            let remaining_ms = due_ms.saturating_sub(now_ms);
            let quarter = target_minutes.max(0).saturating_mul(60_000) / 4;
            let overdue = remaining_ms < 0;
            SlaTimer {
                remaining_ms,
                overdue,
                at_risk: !overdue && (remaining_ms < quarter || remaining_ms < AT_RISK_FLOOR_MS),
                done: false,
            }
        }
    }
}
