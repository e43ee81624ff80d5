//! One id type per table, so a user id can never be passed where a cooperative id
//! belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(CooperativeId, UserId, ApiTokenId, AuditEntryId, MemberId);

id_type!(ContactId, IdentityId, ReviewId, MergeId, VerificationId);

id_type!(ChannelId, ConversationId, MessageId);

id_type!(AccountId, JournalEntryId);

id_type!(LoanProductId, LoanId, LoanRepaymentId);

id_type!(HolidayId, CannedReplyId);
