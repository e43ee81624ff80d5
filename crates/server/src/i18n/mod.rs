//! Interface text in Bahasa Indonesia (default) and English. Templates call
//! `t.s("key")`; a test checks that every key a template uses is defined here.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Id
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

/// The translator handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn s(&self, key: &str) -> &'static str {
        match index().get(key) {
            Some((id, en)) => match self.0 {
                Lang::Id => id,
                Lang::En => en,
            },
            None => "??",
        }
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    /// The text for `key`, or `fallback` when there is none (names that come from data:
    /// a timeline entry's kind, a table).
    pub fn or<'a>(&self, key: &str, fallback: &'a str) -> &'a str {
        match self.s(key) {
            "??" => fallback,
            found => found,
        }
    }
    /// A member status's name (`anggota` → "Anggota").
    pub fn status<'a>(&self, status: &'a str) -> &'a str {
        self.or(&format!("status.{status}"), status)
    }
    /// A channel's name (`whatsapp` → "WhatsApp").
    pub fn kind<'a>(&self, kind: &'a str) -> &'a str {
        self.or(&format!("kind.{kind}"), kind)
    }
    /// A conversation's status (`open` → "Terbuka").
    pub fn conv_status<'a>(&self, status: &'a str) -> &'a str {
        self.or(&format!("conv.status.{status}"), status)
    }
    /// A conversation's priority (`urgent` → "mendesak").
    pub fn priority<'a>(&self, p: &'a str) -> &'a str {
        self.or(&format!("inbox.priority.{p}"), p)
    }
    /// An agent's presence (`away` → "Istirahat").
    pub fn presence<'a>(&self, p: &'a str) -> &'a str {
        self.or(&format!("inbox.presence.{p}"), p)
    }
    /// A message's delivery status (`delivered` → "Terkirim ke perangkat").
    pub fn msg_status<'a>(&self, status: &'a str) -> &'a str {
        self.or(&format!("msg.status.{status}"), status)
    }
    /// A role's name in this language.
    pub fn role(&self, role: &guyub_domain::Role) -> &'static str {
        self.s(&format!("role.{}", role.as_str()))
    }
}

mod texts;

pub use texts::TEXTS;

/// The texts by key, built once.
fn index() -> &'static std::collections::HashMap<&'static str, (&'static str, &'static str)> {
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<&'static str, (&'static str, &'static str)>,
    > = std::sync::OnceLock::new();
    INDEX.get_or_init(|| TEXTS.iter().map(|(k, id, en)| (*k, (*id, *en))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_in_templates_and_code_is_defined_once() {
        let mut seen = std::collections::HashSet::new();
        for (k, id, en) in TEXTS {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(
                !id.is_empty() && !en.is_empty(),
                "{k} is missing a translation"
            );
        }
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages"),
        ];
        let mut checked = 0;
        for dir in dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for part in text.split("t.s(\"").skip(1) {
                    let key = &part[..part.find('"').unwrap()];
                    assert!(seen.contains(key), "key {key:?} is used but not defined");
                    checked += 1;
                }
            }
        }
        // Flash messages and refusals named by key in the page handlers (`?ok=key`).
        let pages = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages")).unwrap();
        for entry in pages {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let flash = text.split("ok=").skip(1).map(|p| {
                let end = p.find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.'));
                &p[..end.unwrap_or(p.len())]
            });
            let literals = text.split('"').skip(1).step_by(2).filter(|l| {
                l.contains('.')
                    && !l.ends_with(".html")
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            });
            for key in flash.chain(literals).filter(|k| !k.is_empty()) {
                assert!(seen.contains(key), "key {key:?} is used but not defined");
            }
        }
        assert!(
            checked > 50,
            "only {checked} uses found; is the scan broken?"
        );
        for lang in [Lang::Id, Lang::En] {
            let t = Tr(lang);
            for r in guyub_domain::Role::ALL {
                assert_ne!(t.role(&r), "??");
            }
            // Names built from data at run time.
            let mut dynamic: Vec<String> = Vec::new();
            dynamic
                .extend(guyub_domain::MemberStatus::ALL.map(|s| format!("status.{}", s.as_str())));
            dynamic.extend(guyub_domain::IdentityKind::ALL.map(|k| format!("kind.{}", k.as_str())));
            dynamic.extend(
                guyub_store::contacts::CONTACT_OWNED
                    .iter()
                    .map(|t| format!("table.{t}")),
            );
            dynamic.extend(
                guyub_connectors::ChannelKind::ALL
                    .iter()
                    .flat_map(|k| k.credential_keys().iter().map(|(c, _)| format!("cred.{c}"))),
            );
            for st in ["received", "queued", "sent", "delivered", "read", "failed"] {
                dynamic.push(format!("msg.status.{st}"));
            }
            for st in ["open", "resolved"] {
                dynamic.push(format!("conv.status.{st}"));
            }
            // SLA and canned replies (issue 5, the inbox).
            dynamic.extend(guyub_domain::sla::WEEKDAYS.map(|d| format!("sla.weekday.{d}")));
            dynamic.extend(
                guyub_domain::sla::Priority::ALL.map(|p| format!("sla.priority.{}", p.as_str())),
            );
            dynamic.extend(
                guyub_services::canned::VARIABLES
                    .iter()
                    .map(|v| format!("canned.var.{}", v.name)),
            );
            for k in [
                "gender.L",
                "gender.P",
                "reviews.reason.ambiguous",
                "reviews.reason.conflict",
            ] {
                dynamic.push(k.into());
            }
            for k in dynamic {
                assert_ne!(t.s(&k), "??", "{k} is not translated");
            }
        }
    }
}
