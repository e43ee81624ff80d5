//! The sandbox canned replies render in: minijinja with only its built-in filters,
//! tests and globals (no loader, so no include, import or extends; no macros), strict
//! about undefined values, a fuel limit on the work a template may do, a cap on the
//! text it may produce, and no auto-escaping (the text goes out as plain chat text).

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use std::fmt;
use std::io;

/// A variable a body may use. Later capabilities add theirs here (and a field to
/// `CannedContext`); saving refuses every other name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    pub name: &'static str,
    /// What the editor's preview shows for it.
    pub sample: &'static str,
    /// What it holds, for the editor.
    pub about: &'static str,
    /// Money and loans: filled only when the member writes from a verified identity;
    /// a reply using it in an unverified conversation is refused, not sent empty.
    pub verified_only: bool,
}

/// The variables of a canned reply.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "nama",
        sample: "Siti Rahayu",
        about: "the member's (or contact's) name",
        verified_only: false,
    },
    Variable {
        name: "no_anggota",
        sample: "A-000123",
        about: "the member number; empty for a contact who is not a member",
        verified_only: false,
    },
    Variable {
        name: "agen",
        sample: "Dewi",
        about: "the agent's name",
        verified_only: false,
    },
    Variable {
        name: "koperasi",
        sample: "Koperasi Sejahtera Bersama",
        about: "the cooperative's name",
        verified_only: false,
    },
    Variable {
        name: "kanal",
        sample: "whatsapp",
        about: "the channel kind (whatsapp, telegram, email, …)",
        verified_only: false,
    },
    Variable {
        name: "simpanan_pokok",
        sample: "Rp 100.000",
        about: "the member's simpanan pokok balance (verified members only)",
        verified_only: true,
    },
    Variable {
        name: "simpanan_wajib",
        sample: "Rp 1.200.000",
        about: "the member's simpanan wajib balance (verified members only)",
        verified_only: true,
    },
    Variable {
        name: "simpanan_sukarela",
        sample: "Rp 2.350.000",
        about: "the member's simpanan sukarela balance (verified members only)",
        verified_only: true,
    },
    Variable {
        name: "sisa_pinjaman",
        sample: "Rp 4.500.000",
        about: "the principal still owed on the member's loans (verified members only)",
        verified_only: true,
    },
    Variable {
        name: "angsuran_berikut",
        sample: "Rp 475.000, jatuh tempo 15 Desember 2026",
        about: "the next unpaid instalment and its due date; empty when none (verified members only)",
        verified_only: true,
    },
];

/// The values a reply is rendered with. The inbox fills it from a conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CannedContext {
    pub nama: String,
    pub no_anggota: String,
    pub agen: String,
    pub koperasi: String,
    pub kanal: String,
    pub simpanan_pokok: String,
    pub simpanan_wajib: String,
    pub simpanan_sukarela: String,
    pub sisa_pinjaman: String,
    pub angsuran_berikut: String,
    /// The values of `verified_only` variables may be used: the conversation's member
    /// wrote from a verified identity (or the caller supplied the values).
    pub verified: bool,
}

impl CannedContext {
    /// The sample values of `VARIABLES` (the preview, and the check when saving).
    pub fn sample() -> CannedContext {
        let mut c = CannedContext {
            verified: true,
            ..CannedContext::default()
        };
        for v in VARIABLES {
            if let Some(slot) = c.slot(v.name) {
                *slot = v.sample.to_string();
            }
        }
        c
    }

    fn slot(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "nama" => &mut self.nama,
            "no_anggota" => &mut self.no_anggota,
            "agen" => &mut self.agen,
            "koperasi" => &mut self.koperasi,
            "kanal" => &mut self.kanal,
            "simpanan_pokok" => &mut self.simpanan_pokok,
            "simpanan_wajib" => &mut self.simpanan_wajib,
            "simpanan_sukarela" => &mut self.simpanan_sukarela,
            "sisa_pinjaman" => &mut self.sisa_pinjaman,
            "angsuran_berikut" => &mut self.angsuran_berikut,
            _ => return None,
        })
    }

    /// The value of a variable of `VARIABLES`.
    pub fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "nama" => &self.nama,
            "no_anggota" => &self.no_anggota,
            "agen" => &self.agen,
            "koperasi" => &self.koperasi,
            "kanal" => &self.kanal,
            "simpanan_pokok" => &self.simpanan_pokok,
            "simpanan_wajib" => &self.simpanan_wajib,
            "simpanan_sukarela" => &self.simpanan_sukarela,
            "sisa_pinjaman" => &self.sisa_pinjaman,
            "angsuran_berikut" => &self.angsuran_berikut,
            _ => return None,
        })
    }

    fn value(&self) -> Value {
        Value::from_pairs(
            VARIABLES
                .iter()
                .filter_map(|v| Some((v.name, self.get(v.name)?.to_string()))),
        )
    }
}

/// The longest body, and the longest text a body may produce (a chat message's limit).
pub const MAX_BODY_CHARS: usize = 4096;
pub const MAX_OUTPUT_CHARS: usize = 4096;
/// Work a render may do, in minijinja's fuel units (about one an instruction, plus the
/// bytes a string operation allocates). A greeting with a condition and a filter
/// needs a few dozen; an empty loop costs about three an iteration, so a loop of more
/// than a few thousand turns runs out.
pub const FUEL: u64 = 20_000;
const MAX_OUTPUT_BYTES: usize = MAX_OUTPUT_CHARS * 4;

/// Why a body cannot be saved or rendered, with its line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn environment<'a>() -> Environment<'a> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(16);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env
}

fn names() -> String {
    VARIABLES
        .iter()
        .map(|v| v.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a body as saving does: its length, that it compiles, that every variable it
/// names (on any path, taken or not) is one of `VARIABLES`, and that it renders with
/// the sample values within the fuel and length limits.
pub fn check(body: &str) -> Result<(), TemplateError> {
    let n = body.chars().count();
    if body.trim().is_empty() || n > MAX_BODY_CHARS {
        return Err(TemplateError {
            line: None,
            message: format!("a reply has 1 to {MAX_BODY_CHARS} characters"),
        });
    }
    let env = environment();
    let tmpl = env.template_from_str(body).map_err(from_minijinja)?;
    let known: Vec<String> = env.globals().map(|(name, _)| name.to_string()).collect();
    let mut unknown: Vec<(usize, String)> = tmpl
        .undeclared_variables(false)
        .into_iter()
        .filter(|v| !VARIABLES.iter().any(|x| x.name == v) && !known.contains(v))
        .map(|v| (line_of(body, &v).unwrap_or(usize::MAX), v))
        .collect();
    unknown.sort();
    if let Some((line, name)) = unknown.into_iter().next() {
        return Err(TemplateError {
            line: (line != usize::MAX).then_some(line),
            message: format!("unknown variable '{name}'; the variables are {}", names()),
        });
    }
    render_body(body, &CannedContext::sample()).map(|_| ())
}

/// Renders a body with `ctx` in the sandbox. A body that names a `verified_only`
/// variable (on any path) is refused when `ctx` is not verified.
pub fn render_body(body: &str, ctx: &CannedContext) -> Result<String, TemplateError> {
    let env = environment();
    let tmpl = env.template_from_str(body).map_err(from_minijinja)?;
    if !ctx.verified {
        let mut private: Vec<(usize, String)> = tmpl
            .undeclared_variables(false)
            .into_iter()
            .filter(|v| VARIABLES.iter().any(|x| x.name == v && x.verified_only))
            .map(|v| (line_of(body, &v).unwrap_or(usize::MAX), v))
            .collect();
        private.sort();
        if let Some((line, name)) = private.into_iter().next() {
            return Err(TemplateError {
                line: (line != usize::MAX).then_some(line),
                message: format!(
                    "'{name}' is sent only to a member writing from a verified identity; \
                     this member's identity is not verified (verify it on the member's page first)"
                ),
            });
        }
    }
    let mut out = Capped {
        buf: Vec::new(),
        overflow: false,
    };
    let result = tmpl.render_captured_to(ctx.value(), &mut out).map(|_| ());
    if out.overflow {
        return Err(too_long());
    }
    result.map_err(from_minijinja)?;
    let text = String::from_utf8(out.buf).map_err(|_| TemplateError {
        line: None,
        message: "the reply is not valid text".into(),
    })?;
    if text.chars().count() > MAX_OUTPUT_CHARS {
        return Err(too_long());
    }
    Ok(text)
}

fn too_long() -> TemplateError {
    TemplateError {
        line: None,
        message: format!("the reply would be longer than {MAX_OUTPUT_CHARS} characters"),
    }
}

fn from_minijinja(e: minijinja::Error) -> TemplateError {
    let detail = e.detail().map(str::to_string);
    let message = match e.kind() {
        ErrorKind::SyntaxError => format!(
            "syntax error: {}",
            detail.unwrap_or_else(|| "the template does not compile".into())
        ),
        ErrorKind::UndefinedError => format!(
            "undefined value{}; the variables are {}",
            detail.map(|d| format!(" ({d})")).unwrap_or_default(),
            names()
        ),
        ErrorKind::OutOfFuel => "the template does too much work (a loop too long?)".to_string(),
        ErrorKind::TemplateNotFound | ErrorKind::BadInclude => {
            "a canned reply cannot include, import or extend other templates".to_string()
        }
        kind => match detail {
            Some(d) => format!("{kind}: {d}"),
            None => kind.to_string(),
        },
    };
    TemplateError {
        line: e.line(),
        message,
    }
}

/// Collects output up to `MAX_OUTPUT_BYTES`; more is an error that stops the render.
struct Capped {
    buf: Vec<u8>,
    overflow: bool,
}

impl io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > MAX_OUTPUT_BYTES {
            self.overflow = true;
            return Err(io::Error::other("output cap reached"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The line (from 1) of the first place `name` appears as a name inside a tag
/// (`{{ … }}` or `{% … %}`) of `source`.
fn line_of(source: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(offset) = source[from..].find('{') {
        let start = from + offset;
        let close = match source[start + 1..].chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                from = start + 1;
                continue;
            }
        };
        let inner = start + 2;
        let end = source[inner..]
            .find(close)
            .map_or(source.len(), |e| inner + e);
        if let Some(pos) = find_name(&source[inner..end], name) {
            return Some(source[..inner + pos].matches('\n').count() + 1);
        }
        from = end;
    }
    None
}

fn find_name(text: &str, name: &str) -> Option<usize> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_has_a_value_in_the_context() {
        let sample = CannedContext::sample();
        for v in VARIABLES {
            assert_eq!(sample.get(v.name), Some(v.sample), "{}", v.name);
        }
    }

    #[test]
    fn lines_are_found_inside_tags_only() {
        let src = "Halo nam\n{{ nama }}\n{% if x %}\n{{ y.nam }} {{ nam|upper }}";
        assert_eq!(line_of(src, "nam"), Some(4));
        assert_eq!(line_of(src, "x"), Some(3));
        assert_eq!(line_of(src, "zzz"), None);
    }
}
