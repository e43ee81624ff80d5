//! The audit hash chain. Each entry's hash covers its own fields and the previous
//! entry's hash, so changing or removing any entry breaks every hash after it.

use sha2::{Digest, Sha256};

/// The hash that starts every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that the hash covers, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub cooperative_id: Option<i64>,
    pub seq: i64,
    pub at_ms: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub source: &'a str,
    pub detail: &'a str,
}

/// Hex SHA-256 over the previous hash and the length-prefixed fields. Length
/// prefixes keep `("ab","c")` and `("a","bc")` apart.
pub fn chain_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    put(prev_hash);
    put(&f.cooperative_id.map(|c| c.to_string()).unwrap_or_default());
    put(&f.seq.to_string());
    put(&f.at_ms.to_string());
    put(f.actor);
    put(f.action);
    put(f.target);
    put(f.source);
    put(f.detail);
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(actor: &'a str, target: &'a str) -> AuditFields<'a> {
        AuditFields {
            cooperative_id: Some(1),
            seq: 1,
            at_ms: 1_700_000_000_000,
            actor,
            action: "login",
            target,
            source: "127.0.0.1",
            detail: "",
        }
    }

    #[test]
    fn hash_depends_on_every_field_and_the_previous_hash() {
        let base = chain_hash(GENESIS, &fields("ab", "c"));
        assert_eq!(base.len(), 64);
        assert_ne!(base, chain_hash(GENESIS, &fields("a", "bc")));
        assert_ne!(base, chain_hash(&base, &fields("ab", "c")));
        assert_eq!(base, chain_hash(GENESIS, &fields("ab", "c")));
    }
}

/// Why an entry fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// The stored hash is not the hash of the stored fields.
    HashMismatch,
    /// The entry does not point at the entry before it.
    PrevMismatch,
    /// A sequence number is missing or repeated (an entry was removed or inserted).
    SeqGap { expected: i64, found: i64 },
    /// The chain ends before the head says it does (entries removed at the end).
    Truncated { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::HashMismatch => {
                f.write_str("its hash does not match its contents (entry altered)")
            }
            Broken::PrevMismatch => f.write_str("it does not chain to the entry before it"),
            Broken::SeqGap { expected, found } => {
                write!(
                    f,
                    "sequence jumps from {expected} to {found} (entries removed or inserted)"
                )
            }
            Broken::Truncated { head_seq, last_seq } => write!(
                f,
                "the chain ends at {last_seq} but its head records {head_seq} (entries removed)"
            ),
        }
    }
}

/// Walks one chain in sequence order.
#[derive(Debug)]
pub struct Verifier {
    prev_hash: String,
    next_seq: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            prev_hash: GENESIS.to_string(),
            next_seq: 1,
        }
    }
}

impl Verifier {
    /// Checks the next entry, given its stored `prev_hash` and `hash`.
    pub fn check(
        &mut self,
        f: &AuditFields<'_>,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), Broken> {
        if f.seq != self.next_seq {
            return Err(Broken::SeqGap {
                expected: self.next_seq,
                found: f.seq,
            });
        }
        if prev_hash != self.prev_hash {
            return Err(Broken::PrevMismatch);
        }
        if chain_hash(prev_hash, f) != hash {
            return Err(Broken::HashMismatch);
        }
        self.prev_hash = hash.to_string();
        self.next_seq += 1;
        Ok(())
    }

    /// Checks the end of the chain against its head.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), Broken> {
        let last_seq = self.next_seq - 1;
        if head_seq != last_seq || head_hash != self.prev_hash {
            return Err(Broken::Truncated { head_seq, last_seq });
        }
        Ok(())
    }
}

#[cfg(test)]
mod verifier_tests {
    use super::*;

    fn entry(seq: i64, action: &str) -> AuditFields<'_> {
        AuditFields {
            cooperative_id: None,
            seq,
            at_ms: seq * 1000,
            actor: "cli",
            action,
            target: "",
            source: "",
            detail: "",
        }
    }

    #[test]
    fn detects_alteration_removal_and_truncation() {
        let mut chain = Vec::new();
        let mut prev = GENESIS.to_string();
        for seq in 1..=4 {
            let h = chain_hash(&prev, &entry(seq, "login"));
            chain.push((seq, prev.clone(), h.clone()));
            prev = h;
        }
        let run = |entries: &[(i64, String, String)], action_at_2: &str| {
            let mut v = Verifier::default();
            for (seq, p, h) in entries {
                let action = if *seq == 2 { action_at_2 } else { "login" };
                v.check(&entry(*seq, action), p, h)?;
            }
            v.finish(4, &chain[3].2)
        };
        assert_eq!(run(&chain, "login"), Ok(()));
        assert_eq!(run(&chain, "logout"), Err(Broken::HashMismatch));
        let removed: Vec<_> = chain.iter().filter(|e| e.0 != 2).cloned().collect();
        assert_eq!(
            run(&removed, "login"),
            Err(Broken::SeqGap {
                expected: 2,
                found: 3
            })
        );
        assert_eq!(
            run(&chain[..3], "login"),
            Err(Broken::Truncated {
                head_seq: 4,
                last_seq: 3
            })
        );
    }
}
