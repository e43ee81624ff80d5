//! The checks behind Guyub's fuzz targets (one small file each in `fuzz_targets/`).
//!
//! The property everywhere is "never panics" on any input. Where it is cheap, the
//! checks also assert what callers rely on: an event that `split` produces is JSON that
//! `parse` can read, a signed body verifies and an unsigned or unconfigured one never
//! does, a parsed value parses again to itself.

use guyub_connectors::{
    self as connectors, ChannelKind, Content, Credentials, Event, Handshake, ParseError, RawEvent,
    SignedRequest, VerifyError,
};
use guyub_domain::{
    Date, Email, Gender, IdentityKey, IdentityKind, MemberNoFormat, MemberStatus, Nik, Phone, Slug,
};

pub type Split = fn(&[u8]) -> Result<Vec<RawEvent>, ParseError>;
pub type Parse = fn(&[u8]) -> Result<Event, ParseError>;

/// One provider: split the input as a delivery and parse every event it gives, then
/// parse the raw input as one event.
pub fn provider(data: &[u8], split: Split, parse: Parse) {
    if let Ok(events) = split(data) {
        for e in &events {
            assert!(!e.key.is_empty(), "split gave an empty idempotency key");
            // What split stores, parse must be able to read as JSON: an event whose body
            // is not JSON would fail on every retry.
            if let Err(err) = serde_json::from_slice::<serde_json::Value>(&e.body) {
                panic!(
                    "split gave an event body that is not JSON ({err}), key {:?}",
                    e.key
                );
            }
            let parsed = parse(&e.body);
            if let Err(ParseError(m)) = &parsed {
                assert!(
                    !m.starts_with("malformed JSON"),
                    "parse could not read the JSON split gave: {m}"
                );
            }
            check_event(&parsed);
            assert_eq!(parsed, parse(&e.body), "parse is not deterministic");
        }
    }
    check_event(&parse(data));
}

fn check_event(e: &Result<Event, ParseError>) {
    match e {
        Ok(Event::Message(m)) => {
            // What the inbox shows and searches.
            let _ = m.content.text();
            let _ = m.content.kind();
            if let Content::Location {
                latitude,
                longitude,
                ..
            } = m.content
            {
                assert!(latitude.is_finite() && longitude.is_finite());
            }
        }
        Ok(Event::Status(s)) => {
            let _ = s.status.rank();
        }
        Ok(Event::ReadUpTo { .. } | Event::Ignored(_)) => {}
        Err(err) => {
            let _ = err.to_string();
        }
    }
}

/// Credentials with every key every kind knows, each set to `fuzz-<key>`.
pub fn credentials() -> Credentials {
    let mut c = Credentials {
        base_url: "http://127.0.0.1:9".into(),
        ..Credentials::default()
    };
    for kind in ChannelKind::ALL {
        for (key, _) in kind.credential_keys() {
            c.values.insert((*key).to_string(), format!("fuzz-{key}"));
        }
    }
    c
}

/// The header a provider would send for `body`, for the kinds that sign bodies.
fn signature(kind: ChannelKind, creds: &Credentials, body: &[u8]) -> Option<String> {
    match kind {
        ChannelKind::Whatsapp | ChannelKind::Messenger | ChannelKind::Instagram => {
            Some(connectors::meta::sign(creds.get("app_secret"), body))
        }
        ChannelKind::Line => Some(connectors::line::sign(creds.get("channel_secret"), body)),
        ChannelKind::X => Some(connectors::x::sign(creds.get("consumer_secret"), body)),
        ChannelKind::Telegram => Some(creds.get("secret_token").to_string()),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// `a=1&b=2` as pairs, without percent-decoding.
fn query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect()
}

/// First line: the value of every header (and the handshake's query string); the rest:
/// the body.
pub fn verify_and_handshake(data: &[u8]) {
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head).into_owned();
    let creds = credentials();
    let unconfigured = Credentials::default();
    let any = |_: &str| Some(head.clone());
    let none = |_: &str| None;
    let q = query(&head);
    for kind in ChannelKind::ALL {
        let fuzzed = SignedRequest { header: &any, body };
        let _ = connectors::verify(kind, &creds, &fuzzed);
        assert!(
            connectors::verify(kind, &unconfigured, &fuzzed).is_err(),
            "{kind}: an unconfigured channel accepted a delivery"
        );
        let unsigned = SignedRequest {
            header: &none,
            body,
        };
        assert!(
            connectors::verify(kind, &creds, &unsigned).is_err(),
            "{kind}: a delivery without headers verified"
        );
        if let Some(sig) = signature(kind, &creds, body) {
            let signed = |_: &str| Some(sig.clone());
            assert_eq!(
                connectors::verify(
                    kind,
                    &creds,
                    &SignedRequest {
                        header: &signed,
                        body
                    }
                ),
                Ok(()),
                "{kind}: a correctly signed delivery was refused"
            );
            if kind != ChannelKind::Telegram {
                let mut other = body.to_vec();
                other.push(b'x');
                assert!(
                    connectors::verify(
                        kind,
                        &creds,
                        &SignedRequest {
                            header: &signed,
                            body: &other
                        }
                    )
                    .is_err(),
                    "{kind}: a signature verified another body"
                );
            }
        }

        let answer = connectors::handshake(kind, &creds, &q);
        check_handshake(kind, &creds, &q, &answer);
        assert!(
            connectors::handshake(kind, &unconfigured, &q).is_err(),
            "{kind}: an unconfigured channel answered a handshake"
        );
    }
}

fn check_handshake(
    kind: ChannelKind,
    creds: &Credentials,
    q: &[(String, String)],
    answer: &Result<Handshake, VerifyError>,
) {
    let Ok(h) = answer else { return };
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match kind {
        ChannelKind::Whatsapp | ChannelKind::Messenger | ChannelKind::Instagram => {
            assert_eq!(get("hub.verify_token"), Some(creds.get("verify_token")));
            assert_eq!(Some(h.body.as_str()), get("hub.challenge"));
        }
        ChannelKind::X => {
            let v: serde_json::Value = serde_json::from_str(&h.body).expect("CRC answer is JSON");
            let token = get("crc_token").expect("CRC answer without crc_token");
            assert_eq!(
                v["response_token"].as_str(),
                Some(connectors::x::sign(creds.get("consumer_secret"), token.as_bytes()).as_str())
            );
        }
        _ => {}
    }
}

/// The domain's parsers on the input as UTF-8 (lossy): the whole of it, and each line.
pub fn domain(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    domain_one(&text);
    if text.contains('\n') {
        for line in text.lines() {
            domain_one(line);
        }
    }
}

fn domain_one(raw: &str) {
    let nik = Nik::parse(raw);
    if let Ok(n) = &nik {
        let s = n.as_str();
        assert!(
            s.len() == 16 && s.bytes().all(|c| c.is_ascii_digit()),
            "NIK {s:?}"
        );
        assert_eq!(Nik::parse(s).as_ref(), Ok(n));
        assert_eq!(n.masked().len(), 16);
        let _ = n.gender();
    }

    if let Ok(p) = Phone::parse(raw) {
        let s = p.as_str();
        assert!(
            s.starts_with('+')
                && (9..=16).contains(&s.len())
                && s[1..].bytes().all(|c| c.is_ascii_digit()),
            "phone {s:?}"
        );
        assert_eq!(Phone::parse(s).as_ref(), Ok(&p), "phone {s:?} re-parsed");
        assert_eq!(p.digits(), &s[1..]);
        let _ = p.masked();
    }

    let date = Date::parse(raw);
    if let Ok(d) = date {
        assert_eq!(Date::new(d.year, d.month, d.day), Some(d));
        assert_eq!(Date::parse(&d.to_string()), Ok(d), "date {d} re-parsed");
        // The date is the one written: the month is the middle number in every
        // accepted form (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY), the day one of the others.
        let n: Vec<i64> = raw
            .trim()
            .split(['-', '/'])
            .map(|p| p.parse().unwrap_or(-1))
            .collect();
        assert!(
            n.len() == 3
                && n[1] == i64::from(d.month)
                && (n[0] == i64::from(d.day) || n[2] == i64::from(d.day))
                && (n[0] == i64::from(d.year) || n[2] == i64::from(d.year)),
            "{raw:?} parsed as the date {d}"
        );
    }

    let gender = Gender::parse(raw);
    if let (Ok(n), Ok(d), Ok(g)) = (&nik, &date, &gender) {
        let _ = n.check_against(Some(*d), Some(*g));
    }
    if let Ok(n) = &nik {
        let _ = n.check_against(date.ok(), gender.ok());
    }

    for kind in IdentityKind::ALL {
        let Ok(key) = IdentityKey::parse(kind, raw) else {
            continue;
        };
        assert!(!key.external_id.is_empty());
        if kind.is_phone() {
            let p = key.phone.as_ref().expect("a phone kind's key has a phone");
            assert_eq!(key.external_id, p.digits());
        }
        // The key is the same person's key when it comes back as stored: a wa_id is
        // E.164 without '+', so any phone key reads back as one.
        let again_kind = if kind == IdentityKind::Phone {
            IdentityKind::Whatsapp
        } else {
            kind
        };
        let again = IdentityKey::parse(again_kind, &key.external_id)
            .unwrap_or_else(|e| panic!("{kind} key {:?} does not re-parse: {e}", key.external_id));
        assert_eq!(again.external_id, key.external_id, "{kind} key re-parsed");
    }

    if let Ok(f) = MemberNoFormat::parse(raw) {
        let pattern = f.pattern();
        assert_eq!(
            MemberNoFormat::parse(&pattern).as_ref(),
            Ok(&f),
            "format {pattern:?}"
        );
        for n in [0i64, 1, 7, 42, 999, 123_456, 999_999_999_999] {
            let no = f.format(n);
            assert_eq!(
                f.number_of(&no),
                Some(n),
                "format {pattern:?}, number {no:?}"
            );
        }
        let _ = f.number_of(raw);
    }

    if let Ok(s) = MemberStatus::parse(raw) {
        assert_eq!(MemberStatus::parse(s.as_str()), Ok(s));
    }
    if let Ok(e) = Email::parse(raw) {
        assert_eq!(
            Email::parse(e.as_str()).as_ref(),
            Ok(&e),
            "e-mail re-parsed"
        );
        let _ = e.masked();
    }
    if let Ok(s) = Slug::parse(raw) {
        assert_eq!(Slug::parse(s.as_str()).as_ref(), Ok(&s), "slug re-parsed");
    }
}

/// E-mail: raw RFC 5322 bytes. `split` keys a message by its Message-ID (or a hash),
/// and each attachment `<key>#<n>` with a small event that names the part; `parse`
/// reads sender, subject and text (or the part). Never a panic; a parsed sender is
/// lower-case; an attachment's part is found again in the mail.
pub fn email(data: &[u8]) {
    if let Ok(events) = connectors::email::split(data) {
        let key = connectors::email::key_of(data);
        assert_eq!(events[0].key, key, "the key is not stable");
        assert_eq!(events[0].body, data, "the mail is stored as it came");
        for (n, e) in events.iter().enumerate().skip(1) {
            assert_eq!(e.key, format!("{key}#{}", n - 1), "attachment keys");
            match connectors::email::parse(&e.body) {
                Ok(Event::Message(m)) => {
                    if let connectors::Content::Media { media_ref, .. } = &m.content {
                        let (of, index) = connectors::email::parse_attachment_ref(media_ref)
                            .expect("an attachment's reference reads back");
                        assert_eq!((of, index), (key.as_str(), n - 1));
                        assert!(
                            connectors::email::attachment(data, index).is_some(),
                            "the part is in the mail"
                        );
                    } else {
                        panic!("an attachment event is not media");
                    }
                }
                other => panic!("an attachment event does not parse: {other:?}"),
            }
        }
    }
    match connectors::email::parse(data) {
        Ok(Event::Message(m)) => {
            assert_eq!(m.sender.external_id, m.sender.external_id.to_lowercase());
            let _ = m.content.text();
        }
        Ok(_) | Err(_) => {}
    }
}
