//! Full-text search terms for Indonesian text: the one function that turns a message
//! body, a contact's names and ids, or a person's query into the words the index
//! stores. Index and query go through the same rules, so "pinjaman", "meminjam" and
//! "dipinjamkan" all become `pinjam` on both sides and find each other.
//!
//! Rules (docs/INBOX.md, "Search"):
//! - words are runs of letters (Unicode-aware), numbers are runs of ASCII digits; a
//!   letter next to a digit ends a word (`Rp50.000` is `rp` and `50000`, `2jt` is `2`
//!   and `jt`);
//! - words are lower-cased; one-letter words and a short list of function words
//!   (`yang`, `dan`, `di` …) are dropped; the rest is stemmed with Sastrawi
//!   (Nazief-Adriani). Only the stem is kept: the query is stemmed the same way, so an
//!   exact word always finds itself, and keeping the original form too would double
//!   the index to change the order of a few results;
//! - digits joined by `.`, `,`, `-` or `/` are one number with the separators removed
//!   (`1.500.000` → `1500000`, `0812-3456-7890` → `081234567890`); with `-` or `/` the
//!   parts count as well (`12/05/2024` also gives `12`, `05`, `2024`); after a `+`,
//!   single spaces join too (`+62 812 3456 7890`); a number with
//!   leading zeros also gives itself without them (`A-000123` is found by `123`), and
//!   an Indonesian phone number gives both spellings (`0812…` and `62812…`). A query
//!   number matches any of its spellings;
//! - single digits are dropped, and so are tokens longer than 40 characters (hashes,
//!   links, base64), and text beyond the first 20,000 characters of a document.

use sastrawi::{Dictionary, Stemmer};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The longest query a person may type, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Query words beyond this many are ignored (each one narrows the result further).
pub const MAX_QUERY_WORDS: usize = 12;
/// Only the beginning of a long document is indexed.
const MAX_DOCUMENT_CHARS: usize = 20_000;
const MAX_TOKEN_CHARS: usize = 40;

static DICTIONARY: LazyLock<Dictionary> = LazyLock::new(Dictionary::new);
static STEMMER: LazyLock<Stemmer<'static>> = LazyLock::new(|| Stemmer::new(&DICTIONARY));

/// Words that carry no meaning for a search: conjunctions, prepositions, particles and
/// pronouns. Sastrawi's own list (about 800 words) is not used: it drops words that
/// matter in a cooperative's inbox (`masalah`, `bulan`, `jumlah`, `keluar`, `naik`).
const STOPWORDS: &[&str] = &[
    "ada", "adalah", "agar", "akan", "aku", "anda", "atau", "bahwa", "dan", "dari", "dengan", "di",
    "dia", "dong", "gue", "gw", "ia", "ini", "itu", "jika", "juga", "kah", "kalau", "kami", "kamu",
    "karena", "ke", "kita", "lah", "maka", "mereka", "nya", "oleh", "pada", "pun", "saya", "serta",
    "sih", "supaya", "tapi", "telah", "tetapi", "untuk", "yang", "yg",
];

/// What the index stores for `text`: its terms in order, separated by one space
/// (repeated words stay repeated, so a word said twice weighs more).
pub fn search_terms(text: &str) -> String {
    let mut out = String::new();
    for token in tokens(clip(text, MAX_DOCUMENT_CHARS)) {
        for term in token_terms(&token) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&term);
        }
    }
    out
}

fn clip(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("type a word to search for")]
    Empty,
    #[error("a search may be at most {MAX_QUERY_CHARS} characters")]
    TooLong,
}

/// A person's search, parsed: one group of alternatives per word of the query. A
/// document matches when it has, for every group, at least one of its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    text: String,
    groups: Vec<Vec<String>>,
}

impl SearchQuery {
    /// Refuses an empty query and one longer than [`MAX_QUERY_CHARS`]. A query of only
    /// punctuation, emoji or function words parses, with no groups: it finds nothing.
    pub fn parse(raw: &str) -> Result<SearchQuery, QueryError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(QueryError::Empty);
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut groups: Vec<Vec<String>> = Vec::new();
        for token in tokens(text) {
            let mut group = token_terms(&token);
            group.dedup();
            if group.is_empty() || groups.contains(&group) {
                continue;
            }
            groups.push(group);
            if groups.len() == MAX_QUERY_WORDS {
                break;
            }
        }
        Ok(SearchQuery {
            text: text.to_string(),
            groups,
        })
    }

    /// The query as typed, trimmed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// For each query word, the terms any of which it matches.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Whether nothing searchable is left.
    pub fn is_blank(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every term of the query (to mark the words that matched).
    pub fn all_terms(&self) -> HashSet<&str> {
        self.groups.iter().flatten().map(String::as_str).collect()
    }
}

/// A piece of a snippet: text as written, and whether it is a word the query matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

/// Up to about `max_chars` characters of `text` around its first word that the query
/// matches (the beginning when none does), cut at word boundaries, with the matched
/// words marked. `…` marks text left out.
pub fn snippet(text: &str, query: &SearchQuery, max_chars: usize) -> Vec<SnippetPart> {
    let terms = query.all_terms();
    let hits: Vec<(usize, usize)> = tokens(clip(text, MAX_DOCUMENT_CHARS))
        .filter(|t| {
            token_terms(t)
                .iter()
                .any(|term| terms.contains(term.as_str()))
        })
        .map(|t| (t.start, t.end))
        .collect();
    // The window: start a little before the first hit, on a word boundary.
    let first = hits.first().map(|h| h.0).unwrap_or(0);
    let lead = max_chars / 4;
    let mut start = text[..first]
        .char_indices()
        .rev()
        .nth(lead)
        .map(|(i, _)| i)
        .unwrap_or(0);
    if start > 0 {
        // Move to the next word start.
        // After the whitespace character, whatever its width (U+00A0 is two bytes).
        start = text[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map(|(i, c)| start + i + c.len_utf8())
            .filter(|&s| s <= first)
            .unwrap_or(first);
    }
    let mut end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map(|(i, _)| start + i)
        .unwrap_or(text.len());
    if end < text.len() {
        // Do not cut a word in two.
        if let Some(i) = text[start..end].rfind(char::is_whitespace)
            && start + i > first
        {
            end = start + i;
        }
    }
    let mut parts = Vec::new();
    let push = |s: &str, hit: bool, parts: &mut Vec<SnippetPart>| {
        let s = if hit { s.to_string() } else { flatten(s) };
        if s.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(SnippetPart { text, hit: false }) if !hit => text.push_str(&s),
            _ => parts.push(SnippetPart { text: s, hit }),
        }
    };
    if start > 0 {
        push("…", false, &mut parts);
    }
    let mut at = start;
    for &(s, e) in hits.iter().filter(|h| h.0 >= start && h.1 <= end) {
        push(&text[at..s], false, &mut parts);
        push(&text[s..e], true, &mut parts);
        at = e;
    }
    push(&text[at..end], false, &mut parts);
    if end < text.len() {
        push(" …", false, &mut parts);
    }
    parts
}

/// Line breaks and runs of blanks as one space (a snippet is one line).
fn flatten(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !blank {
                out.push(' ');
            }
            blank = true;
        } else {
            out.push(c);
            blank = false;
        }
    }
    out
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    /// Digits, possibly joined by separators; `split` when a `-` or `/` joined them.
    Number {
        split: bool,
    },
}

#[derive(Debug)]
struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    kind: Kind,
}

fn is_letter(c: char) -> bool {
    c.is_alphanumeric() && !c.is_ascii_digit()
}

fn tokens(text: &str) -> impl Iterator<Item = Token<'_>> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let c = text[at..].chars().next()?;
            if c.is_ascii_digit() {
                let start = at;
                // `+62 812 3456 7890`: after a `+`, spaces join the groups too.
                let international = start > 0 && bytes[start - 1] == b'+';
                let mut split = false;
                let mut end = at + 1;
                loop {
                    while end < bytes.len() && bytes[end].is_ascii_digit() {
                        end += 1;
                    }
                    // One separator between digits keeps the number going.
                    if end + 1 < bytes.len()
                        && (matches!(bytes[end], b'.' | b',' | b'-' | b'/')
                            || (international && bytes[end] == b' '))
                        && bytes[end + 1].is_ascii_digit()
                    {
                        split |= matches!(bytes[end], b'-' | b'/' | b' ');
                        end += 1;
                        continue;
                    }
                    break;
                }
                at = end;
                return Some(Token {
                    text: &text[start..end],
                    start,
                    end,
                    kind: Kind::Number { split },
                });
            }
            if is_letter(c) {
                let start = at;
                let mut end = at;
                for (i, ch) in text[at..].char_indices() {
                    if !is_letter(ch) {
                        break;
                    }
                    end = at + i + ch.len_utf8();
                }
                at = end;
                return Some(Token {
                    text: &text[start..end],
                    start,
                    end,
                    kind: Kind::Word,
                });
            }
            at += c.len_utf8();
        }
    })
}

/// The terms one token stands for (none for noise).
fn token_terms(token: &Token<'_>) -> Vec<String> {
    if token.text.chars().count() > MAX_TOKEN_CHARS {
        return Vec::new();
    }
    match token.kind {
        Kind::Word => word_term(token.text).into_iter().collect(),
        Kind::Number { split } => number_terms(token.text, split),
    }
}

fn word_term(word: &str) -> Option<String> {
    // Lower case can add marks that are not letters ("İ" becomes "i" + U+0307): keep
    // letters and digits only, the same for text and query.
    let lower: String = word
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if lower.chars().count() < 2 || STOPWORDS.binary_search(&lower.as_str()).is_ok() {
        return None;
    }
    if !lower.is_ascii() {
        // Sastrawi's rules are for Indonesian words written in ASCII; it returns
        // anything else unchanged, so skip the call.
        return Some(lower);
    }
    let stem = STEMMER.stem_word(&lower);
    if stem.is_empty() {
        Some(lower)
    } else {
        Some(stem.into_owned())
    }
}

fn number_terms(number: &str, split: bool) -> Vec<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let mut out = Vec::new();
    let add = |t: &str, out: &mut Vec<String>| {
        if t.len() >= 2 && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    };
    add(&digits, &mut out);
    let unpadded = digits.trim_start_matches('0');
    if unpadded.len() != digits.len() {
        add(unpadded, &mut out);
    }
    // Indonesian phone numbers: 08… and 628… are the same number.
    if let Some(rest) = digits.strip_prefix("62")
        && (10..=15).contains(&digits.len())
        && rest.starts_with('8')
    {
        add(&format!("0{rest}"), &mut out);
    } else if let Some(rest) = digits.strip_prefix('0')
        && (9..=14).contains(&digits.len())
        && rest.starts_with('8')
    {
        add(&format!("62{rest}"), &mut out);
    }
    if split {
        for part in number.split(['.', ',', '-', '/', ' ']) {
            add(part, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(s: &str) -> Vec<String> {
        search_terms(s)
            .split(' ')
            .map(String::from)
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn q(s: &str) -> SearchQuery {
        SearchQuery::parse(s).unwrap()
    }

    /// Whether a document matches a query the way the index does it.
    fn matches(doc: &str, query: &str) -> bool {
        let have: HashSet<String> = terms(doc).into_iter().collect();
        let query = q(query);
        !query.is_blank()
            && query
                .groups()
                .iter()
                .all(|g| g.iter().any(|t| have.contains(t)))
    }

    #[test]
    fn a_wide_space_before_the_hit_does_not_split_a_character() {
        for n in 1..60 {
            let text = format!("{}\u{a0}x\u{a0}pinjaman saya", "ab\u{a0}".repeat(n));
            let parts = snippet(&text, &q("pinjaman"), 20);
            assert!(
                parts.iter().any(|p| p.hit && p.text == "pinjaman"),
                "{n}: {parts:?}"
            );
        }
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn affixed_forms_share_their_stem() {
        for w in [
            "pinjaman",
            "meminjam",
            "dipinjamkan",
            "peminjaman",
            "Pinjam",
        ] {
            assert_eq!(terms(w), ["pinjam"], "{w}");
        }
        for w in ["simpanan", "menyimpan", "disimpan", "penyimpanan"] {
            assert_eq!(terms(w), ["simpan"], "{w}");
        }
        assert_eq!(terms("angsurannya"), ["angsur"]);
        assert_eq!(terms("tabungan"), ["tabung"]);
        assert_eq!(terms("keanggotaan"), ["anggota"]);
        assert_eq!(terms("pembayaran"), ["bayar"]);
    }

    #[test]
    fn a_sentence_keeps_its_meaningful_words() {
        assert_eq!(
            terms("Saya ingin mengajukan pinjaman untuk modal usaha, Bu!"),
            ["ingin", "aju", "pinjam", "modal", "usaha", "bu"]
        );
        assert_eq!(
            terms("Kapan pencairan dana yang sudah disetujui?"),
            ["kapan", "cair", "dana", "sudah", "tuju"]
        );
    }

    #[test]
    fn queries_find_other_forms_of_the_word() {
        let doc = "Mohon info, pinjaman saya sudah cair belum?";
        assert!(matches(doc, "meminjam"));
        assert!(matches(doc, "dipinjamkan"));
        assert!(matches(doc, "PINJAMAN cair"));
        assert!(!matches(doc, "simpanan"));
        assert!(!matches(doc, "pinjaman macet"));
        assert!(matches(
            "Setoran simpanan wajib bulan Mei",
            "menyetor simpanan"
        ));
    }

    #[test]
    fn numbers_stay_searchable() {
        // Amounts with thousands separators, glued to the currency.
        assert_eq!(terms("Rp1.500.000"), ["rp", "1500000"]);
        assert!(matches("transfer Rp 1.500.000 kemarin", "1500000"));
        assert!(matches("transfer Rp 1.500.000 kemarin", "1.500.000"));
        assert!(matches("cicilan 2jt per bulan", "2jt"));
        // Member numbers: with the prefix, without it, without the padding.
        let doc = "No anggota saya KGR-000123";
        assert!(matches(doc, "KGR-000123"));
        assert!(matches(doc, "000123"));
        assert!(matches(doc, "123"));
        assert!(!matches(doc, "124"));
        // Phone numbers in either spelling, with or without dashes.
        let doc = "WA saya 0812-3456-7890";
        assert!(matches(doc, "081234567890"));
        assert!(matches(doc, "6281234567890"));
        assert!(matches(doc, "0812-3456-7890"));
        // Digits apart are separate numbers (a space does not join them) …
        assert!(!matches("6281234567890", "0812 3456 7890"));
        // … except in the international form.
        assert!(matches("6281234567890", "+62 812 3456 7890"));
        assert!(matches("6281234567890", "+62 812-3456-7890"));
        assert!(matches("WA: +62 812 3456 7890", "081234567890"));
        assert!(matches(doc, "7890"));
        // Dates keep their parts.
        assert!(matches("jatuh tempo 12/05/2024", "2024"));
        // Single digits are noise.
        assert_eq!(terms("lantai 2"), ["lantai"]);
    }

    #[test]
    fn unicode_words_are_kept_whole_and_emoji_dropped() {
        assert_eq!(
            terms("Café RÉSUMÉ 👍 terima kasih 🙏"),
            ["café", "résumé", "terima", "kasih"]
        );
        assert_eq!(terms("ÄÖÜ"), ["äöü"]);
        assert!(matches("Naïve question", "naïve"));
    }

    #[test]
    fn query_syntax_is_only_words() {
        // FTS and tsquery operators are plain words here; quotes and brackets vanish.
        let query = q(r#""pinjam*" (macet) -bunga NEAR OR AND 'x'; DROP TABLE--"#);
        let flat: Vec<&str> = query
            .groups()
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        for t in &flat {
            assert!(t.chars().all(char::is_alphanumeric), "{t}");
        }
        assert!(flat.contains(&"pinjam") && flat.contains(&"near") && flat.contains(&"drop"));
        assert!(q("\"").is_blank());
        assert!(q("😀🙏").is_blank());
        assert!(q("yang dan di").is_blank());
    }

    #[test]
    fn bad_queries_are_refused() {
        assert_eq!(SearchQuery::parse("  "), Err(QueryError::Empty));
        assert_eq!(SearchQuery::parse(""), Err(QueryError::Empty));
        assert_eq!(
            SearchQuery::parse(&"a".repeat(201)),
            Err(QueryError::TooLong)
        );
        assert!(SearchQuery::parse(&"é".repeat(200)).is_ok());
        let many = (0..30)
            .map(|i| format!("w{i:02}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(q(&many).groups().len(), MAX_QUERY_WORDS);
    }

    #[test]
    fn snippets_mark_the_matched_words() {
        let text = "Selamat pagi. Saya mau tanya, pinjaman saya yang kemarin sudah dicairkan belum ya? Terima kasih.";
        let parts = snippet(text, &q("pencairan pinjam"), 200);
        let hits: Vec<&str> = parts
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits, ["pinjaman", "dicairkan"]);
        let whole: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(whole, text);

        // A long text is cut around the first hit, on word boundaries.
        let long = format!("{} pinjaman {}", "awal ".repeat(100), "akhir ".repeat(100));
        let parts = snippet(&long, &q("pinjam"), 60);
        let whole: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert!(
            whole.starts_with("…awal") && whole.ends_with(" …"),
            "{whole}"
        );
        assert!(whole.chars().count() <= 64, "{whole}");
        assert!(parts.iter().any(|p| p.hit && p.text == "pinjaman"));

        // No hit (a contact matched, not the text): the beginning, one line.
        let parts = snippet("baris satu\n\nbaris dua", &q("zzz"), 100);
        assert_eq!(
            parts,
            [SnippetPart {
                text: "baris satu baris dua".into(),
                hit: false
            }]
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_terms_are_clean(s in "\\PC{0,200}") {
            for t in terms(&s) {
                prop_assert!(!t.is_empty() && t.chars().all(char::is_alphanumeric), "{t:?}");
            }
            if let Ok(query) = SearchQuery::parse(&s) {
                let _ = snippet(&s, &query, 50);
                // A text always matches itself.
                if !query.is_blank() {
                    prop_assert!(matches(&s, &s));
                }
            }
        }

        #[test]
        fn ascii_words_never_panic_the_stemmer(s in "[a-zA-Z\\-]{0,40}") {
            let _ = search_terms(&s);
        }
    }
}
