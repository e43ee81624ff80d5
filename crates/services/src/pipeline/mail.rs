//! The mail poller: every few seconds, each active e-mail channel's IMAP inbox is
//! searched for unseen messages; each is stored as an inbound event (keyed by its
//! Message-ID, so a message fetched twice is stored once) and only then flagged
//! `\Seen`. The processor turns them into messages like any channel's events.

use super::Pipeline;
use crate::channels::credentials;
use async_imap::Client;
use futures_util::TryStreamExt;
use guyub_connectors::{ChannelKind, Credentials, Event, RawEvent};
use guyub_store::channels::{self, Channel};
use guyub_store::messages::{self, NewEvent};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// How often inboxes are looked at.
pub const POLL_EVERY: Duration = Duration::from_secs(3);
/// At most this many messages per inbox per poll.
const MAX_PER_POLL: usize = 200;

trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}

async fn connect(creds: &Credentials) -> Result<Box<dyn Stream>, String> {
    let host = creds.get("imap_host").to_string();
    let port: u16 = creds
        .get("imap_port")
        .parse()
        .map_err(|_| "imap_port is not a port number".to_string())?;
    let tcp = tokio::time::timeout(
        Duration::from_secs(20),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    .map_err(|_| format!("IMAP {host}:{port}: timed out"))?
    .map_err(|e| format!("IMAP {host}:{port}: {e}"))?;
    if creds.get("imap_tls") == "none" {
        return Ok(Box::new(tcp));
    }
    crate::install_tls();
    use rustls_platform_verifier::ConfigVerifierExt;
    let config = rustls::ClientConfig::with_platform_verifier().map_err(|e| format!("TLS: {e}"))?;
    let name = rustls::pki_types::ServerName::try_from(host.clone())
        .map_err(|e| format!("IMAP host: {e}"))?;
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("IMAP TLS with {host}: {e}"))?;
    Ok(Box::new(tls))
}

/// Logs in and returns the unseen messages of INBOX, then flags the ones `keep` says
/// were stored. One connection per poll.
async fn poll_inbox<F, Fut>(creds: &Credentials, store: F) -> Result<usize, String>
where
    F: FnOnce(Vec<(u32, Vec<u8>)>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u32>, String>>,
{
    let stream = connect(creds).await?;
    let mut client = Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| format!("IMAP greeting: {e}"))?;
    let mut session = client
        .login(creds.get("username"), creds.get("password"))
        .await
        .map_err(|(e, _)| format!("IMAP login: {e}"))?;
    session
        .select("INBOX")
        .await
        .map_err(|e| format!("IMAP select: {e}"))?;
    let mut uids: Vec<u32> = session
        .uid_search("UNSEEN")
        .await
        .map_err(|e| format!("IMAP search: {e}"))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids.truncate(MAX_PER_POLL);
    let mut fetched = Vec::with_capacity(uids.len());
    if !uids.is_empty() {
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut stream = session
            .uid_fetch(&set, "(UID BODY.PEEK[])")
            .await
            .map_err(|e| format!("IMAP fetch: {e}"))?;
        while let Some(f) = stream
            .try_next()
            .await
            .map_err(|e| format!("IMAP fetch: {e}"))?
        {
            if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                fetched.push((uid, body.to_vec()));
            }
        }
    }
    let n = fetched.len();
    let stored = store(fetched).await?;
    if !stored.is_empty() {
        let set = stored
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let flags = session
            .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
            .await
            .map_err(|e| format!("IMAP store: {e}"))?;
        let _: Vec<_> = flags
            .try_collect()
            .await
            .map_err(|e| format!("IMAP store: {e}"))?;
    }
    let _ = session.logout().await;
    Ok(n)
}

/// Logs in to check the settings (the channel page's connection test).
pub async fn check(creds: &Credentials) -> Result<String, String> {
    let stream = connect(creds).await?;
    let mut client = Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| format!("IMAP greeting: {e}"))?;
    let mut session = client
        .login(creds.get("username"), creds.get("password"))
        .await
        .map_err(|(e, _)| format!("IMAP login: {e}"))?;
    let mailbox = session
        .select("INBOX")
        .await
        .map_err(|e| format!("IMAP select: {e}"))?;
    let _ = session.logout().await;
    Ok(format!(
        "IMAP login works; INBOX has {} messages",
        mailbox.exists
    ))
}

impl Pipeline {
    /// Polls every active e-mail channel once; returns how many messages were fetched.
    pub async fn poll_mail(&self) -> crate::Result<usize> {
        let all = channels::all_active(&mut *self.db.conn().await?).await?;
        let mut total = 0;
        for c in all
            .into_iter()
            .filter(|c| c.kind == ChannelKind::Email.as_str())
        {
            match self.poll_channel(&c).await {
                Ok(n) => total += n,
                Err(e) => {
                    metrics::counter!("guyub_mail_poll_errors_total").increment(1);
                    tracing::warn!(channel.id = %c.id, error = %e, "polling a mailbox failed");
                }
            }
        }
        if total > 0 {
            self.events_ready.notify_one();
        }
        Ok(total)
    }

    async fn poll_channel(&self, c: &Channel) -> Result<usize, String> {
        let creds = credentials(&self.secrets, c).map_err(|e| e.to_string())?;
        let own = creds.get("address").trim().to_lowercase();
        let db = self.db.clone();
        poll_inbox(&creds, |fetched| async move {
            let mut events: Vec<(u32, RawEvent)> = Vec::new();
            let mut seen = Vec::new();
            for (uid, raw) in fetched {
                // Our own replies, when the server keeps them in the same inbox.
                if let Ok(Event::Message(m)) = guyub_connectors::email::parse(&raw)
                    && m.sender.external_id == own
                {
                    seen.push(uid);
                    continue;
                }
                match guyub_connectors::email::split(&raw) {
                    Ok(e) if !e.is_empty() => events.extend(e.into_iter().map(|e| (uid, e))),
                    _ => seen.push(uid),
                }
            }
            let bodies: Vec<String> = events
                .iter()
                .map(|(_, e)| String::from_utf8_lossy(&e.body).into_owned())
                .collect();
            let rows: Vec<NewEvent<'_>> = events
                .iter()
                .zip(&bodies)
                .map(|((_, e), body)| NewEvent {
                    cooperative_id: c.cooperative_id,
                    channel_id: c.id,
                    key: &e.key,
                    body,
                })
                .collect();
            let mut tx = db.begin_write().await.map_err(|e| e.to_string())?;
            messages::insert_events(&mut tx, &rows)
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            seen.extend(events.iter().map(|(uid, _)| *uid));
            seen.sort_unstable();
            seen.dedup();
            Ok(seen)
        })
        .await
    }

    pub async fn run_mail_poller(self) {
        loop {
            if let Err(e) = self.poll_mail().await {
                tracing::error!(error = %e, "the mail poller failed");
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
}
