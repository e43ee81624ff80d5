//! `guyub channel add|list`: connect a cooperative's channels from the command line.

use anyhow::anyhow;
use clap::Subcommand;
use guyub_services::Actor;
use guyub_services::channels::{self, ChannelInput};
use guyub_services::secretbox::SecretBox;
use guyub_store::Db;
use std::collections::BTreeMap;

#[derive(Subcommand)]
pub enum ChannelCmd {
    /// Connect a channel and print its id and the webhook URL for the provider's console.
    Add {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
        /// whatsapp, messenger, instagram, telegram, line or x.
        #[arg(long)]
        kind: String,
        /// A name staff recognise, e.g. "WhatsApp kantor pusat".
        #[arg(long)]
        name: String,
        /// The provider's API base URL (default: the provider's public API).
        #[arg(long, value_name = "URL", default_value = "")]
        base_url: String,
        /// A setting or secret as NAME=VALUE, repeated (e.g. --set bot_token=123:ABC).
        /// `guyub channel add --kind K --help` lists them in docs/CHANNELS.md.
        #[arg(long = "set", value_name = "NAME=VALUE")]
        values: Vec<String>,
    },
    /// List the cooperative's channels (secrets masked).
    List {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
    },
}

impl ChannelCmd {
    pub fn cooperative(&self) -> &str {
        match self {
            ChannelCmd::Add { cooperative, .. } | ChannelCmd::List { cooperative } => cooperative,
        }
    }
}

pub async fn run(
    cmd: ChannelCmd,
    db: &Db,
    boxed: &SecretBox,
    actor: &Actor,
    public_url: &str,
) -> anyhow::Result<()> {
    match cmd {
        ChannelCmd::Add {
            kind,
            name,
            base_url,
            values,
            ..
        } => {
            let mut map = BTreeMap::new();
            for v in &values {
                let (k, val) = v
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--set: expected NAME=VALUE, got '{v}'"))?;
                map.insert(k.trim().to_string(), val.to_string());
            }
            let input = ChannelInput {
                kind: &kind,
                name: &name,
                base_url: &base_url,
                values: &map,
            };
            let c = channels::add(db, boxed, actor, &input)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!("channel {} ({}) connected", c.id, c.kind);
            println!("webhook URL: {public_url}{}", c.webhook_path);
        }
        ChannelCmd::List { .. } => {
            for c in channels::list(db, boxed, actor)
                .await
                .map_err(|e| anyhow!("{e}"))?
            {
                let secrets: Vec<String> = c
                    .secrets_masked
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}{}\t{}",
                    c.id,
                    c.kind,
                    if c.active { "active" } else { "off" },
                    c.name,
                    public_url,
                    c.webhook_path,
                    secrets.join(" ")
                );
            }
        }
    }
    Ok(())
}
