//! Configuration: defaults, then `guyub.toml`, then `GUYUB_*` environment variables
//! (and `DATABASE_URL`), then command-line flags. Every value is checked at start;
//! a wrong one names its key and what was expected.

use guyub_services::auth::Throttle;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A value that must not be printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// May hold a password, so it is a secret; see `database_url_masked`.
    pub database_url: Secret,
    pub public_url: String,
    pub log_format: LogFormat,
    pub log_level: String,
    pub secure_cookies: bool,
    pub session_ttl: Duration,
    pub max_body_bytes: usize,
    pub throttle: Throttle,
    /// Seals channel credentials at rest; `None`: `secret.key` in the data directory.
    pub secret_key: Option<Secret>,
    /// Serve the provider simulator (`/sim/…`): fake WhatsApp, Telegram, LINE … APIs
    /// that demo channels talk to. On with `--demo`.
    pub simulator: bool,
    /// Run the pipeline's workers (processor, sender) in this process. A large
    /// deployment runs API-only processes (`false`) beside worker processes.
    pub workers: bool,
    /// Where attachments are kept.
    pub object_store: ObjectStoreConfig,
    pub max_attachment_bytes: usize,
    /// Where each value came from, for `guyub config check`.
    pub origins: BTreeMap<&'static str, Origin>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Default,
    File,
    Env,
    Flag,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Default => "default",
            Origin::File => "guyub.toml",
            Origin::Env => "environment",
            Origin::Flag => "command line",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration key '{key}' ({origin}): {message}")]
pub struct ConfigError {
    pub key: String,
    pub origin: String,
    pub message: String,
}

/// Values given on the command line, which win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

/// Every key `guyub.toml` may hold, with its environment variable.
pub const KEYS: &[(&str, &str, &str)] = &[
    (
        "listen",
        "GUYUB_LISTEN",
        "address and port to listen on, e.g. 127.0.0.1:8080",
    ),
    (
        "data_dir",
        "GUYUB_DATA_DIR",
        "directory for the SQLite database and files",
    ),
    (
        "database_url",
        "GUYUB_DATABASE_URL",
        "sqlite://… or postgres://… (DATABASE_URL works too)",
    ),
    (
        "public_url",
        "GUYUB_PUBLIC_URL",
        "the URL people and providers reach this server at",
    ),
    ("log_format", "GUYUB_LOG_FORMAT", "text or json"),
    (
        "log_level",
        "GUYUB_LOG_LEVEL",
        "a tracing filter, e.g. info or guyub=debug",
    ),
    (
        "secure_cookies",
        "GUYUB_SECURE_COOKIES",
        "true or false: mark cookies Secure (HTTPS or localhost)",
    ),
    (
        "session_ttl_hours",
        "GUYUB_SESSION_TTL_HOURS",
        "idle hours before a session ends (1-720)",
    ),
    (
        "max_body_bytes",
        "GUYUB_MAX_BODY_BYTES",
        "largest request body accepted (1024-104857600)",
    ),
    (
        "login_max_failures_per_account",
        "GUYUB_LOGIN_MAX_FAILURES_PER_ACCOUNT",
        "failed logins per account per window (1-1000)",
    ),
    (
        "login_max_failures_per_address",
        "GUYUB_LOGIN_MAX_FAILURES_PER_ADDRESS",
        "failed logins per address per window (1-100000)",
    ),
    (
        "login_window_minutes",
        "GUYUB_LOGIN_WINDOW_MINUTES",
        "minutes a failed login counts (1-1440)",
    ),
    (
        "secret_key",
        "GUYUB_SECRET_KEY",
        "32 bytes (64 hex digits or base64) sealing channel credentials; default: <data_dir>/secret.key, made on first start",
    ),
    (
        "simulator",
        "GUYUB_SIMULATOR",
        "true or false: serve the provider simulator at /sim (on with --demo)",
    ),
    (
        "workers",
        "GUYUB_WORKERS",
        "true or false: run the message processor and sender in this process",
    ),
    (
        "object_store",
        "GUYUB_OBJECT_STORE",
        "where attachments are kept: local (a directory) or s3 (S3-compatible storage)",
    ),
    (
        "object_store_dir",
        "GUYUB_OBJECT_STORE_DIR",
        "the directory for object_store = local (default <data_dir>/objects)",
    ),
    (
        "s3_endpoint",
        "GUYUB_S3_ENDPOINT",
        "S3 endpoint URL, e.g. https://s3.ap-southeast-3.amazonaws.com or http://minio:9000",
    ),
    ("s3_bucket", "GUYUB_S3_BUCKET", "S3 bucket name"),
    (
        "s3_region",
        "GUYUB_S3_REGION",
        "S3 region (default us-east-1)",
    ),
    (
        "s3_access_key_id",
        "GUYUB_S3_ACCESS_KEY_ID",
        "S3 access key id",
    ),
    (
        "s3_secret_access_key",
        "GUYUB_S3_SECRET_ACCESS_KEY",
        "S3 secret access key",
    ),
    (
        "max_attachment_bytes",
        "GUYUB_MAX_ATTACHMENT_BYTES",
        "largest attachment kept (1024-1073741824, default 16 MiB)",
    ),
];

/// Where attachments are kept.
#[derive(Debug, Clone)]
pub enum ObjectStoreConfig {
    Local(PathBuf),
    S3 {
        endpoint: String,
        bucket: String,
        region: String,
        access_key_id: String,
        secret_access_key: Secret,
    },
}

struct Sources<'a> {
    file: toml::Table,
    env: &'a dyn Fn(&str) -> Option<String>,
    flags: &'a Flags,
}

impl Sources<'_> {
    fn raw(&self, key: &'static str) -> Option<(String, Origin)> {
        let flag = match key {
            "data_dir" => self
                .flags
                .data_dir
                .as_ref()
                .map(|p| p.display().to_string()),
            "listen" => self.flags.listen.clone(),
            _ => None,
        };
        if let Some(v) = flag {
            return Some((v, Origin::Flag));
        }
        let env_name = KEYS.iter().find(|k| k.0 == key).map(|k| k.1)?;
        if let Some(v) = (self.env)(env_name) {
            return Some((v, Origin::Env));
        }
        if key == "database_url"
            && let Some(v) = (self.env)("DATABASE_URL")
        {
            return Some((v, Origin::Env));
        }
        self.file.get(key).map(|v| {
            let s = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (s, Origin::File)
        })
    }
}

fn err(key: &str, origin: Origin, message: impl Into<String>) -> ConfigError {
    let env = KEYS.iter().find(|k| k.0 == key).map(|k| k.1).unwrap_or("");
    let origin = match origin {
        Origin::Env => format!("from environment {env}"),
        o => format!("from {o}"),
    };
    ConfigError {
        key: key.to_string(),
        origin,
        message: message.into(),
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Config {
    /// Loads the configuration from the real environment.
    pub fn load(flags: &Flags) -> Result<Config, ConfigError> {
        Config::load_with(flags, &|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    pub fn load_with(
        flags: &Flags,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let explicit = flags
            .config_file
            .clone()
            .or_else(|| env("GUYUB_CONFIG").map(PathBuf::from));
        let path = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("guyub.toml"));
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => text.parse::<toml::Table>().map_err(|e| ConfigError {
                key: path.display().to_string(),
                origin: "file".into(),
                message: format!("not valid TOML: {}", e.message()),
            })?,
            Err(_) if explicit.is_none() => toml::Table::new(),
            Err(e) => {
                return Err(ConfigError {
                    key: "config file".into(),
                    origin: "command line or GUYUB_CONFIG".into(),
                    message: format!("cannot read {}: {e}", path.display()),
                });
            }
        };
        if let Some(unknown) = file
            .keys()
            .find(|k| !KEYS.iter().any(|known| known.0 == k.as_str()))
        {
            return Err(ConfigError {
                key: unknown.clone(),
                origin: format!("from {}", path.display()),
                message: format!(
                    "unknown key; known keys are {}",
                    KEYS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        let src = Sources { file, env, flags };
        let mut origins = BTreeMap::new();
        let mut get = |key: &'static str| {
            let v = src.raw(key);
            origins.insert(key, v.as_ref().map(|v| v.1).unwrap_or(Origin::Default));
            v
        };

        let listen = match get("listen") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some((v, o)) => v.trim().parse().map_err(|_| {
                err(
                    "listen",
                    o,
                    format!("expected an address and port like 127.0.0.1:8080, got '{v}'"),
                )
            })?,
        };
        let data_dir = match get("data_dir") {
            None => PathBuf::from("guyub-data"),
            Some((v, o)) if v.trim().is_empty() => {
                return Err(err("data_dir", o, "must not be empty"));
            }
            Some((v, _)) => PathBuf::from(v),
        };
        let database_url = match get("database_url") {
            None => sqlite_url(&data_dir),
            Some((v, o)) => {
                if !(v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://"))
                {
                    return Err(err(
                        "database_url",
                        o,
                        "expected a URL starting with sqlite:, postgres:// or postgresql://",
                    ));
                }
                v
            }
        };
        let public_url = match get("public_url") {
            None => format!("http://{listen}"),
            Some((v, o)) => {
                if !(v.starts_with("http://") || v.starts_with("https://")) {
                    return Err(err(
                        "public_url",
                        o,
                        format!("expected http://… or https://…, got '{v}'"),
                    ));
                }
                v.trim_end_matches('/').to_string()
            }
        };
        let log_format = match get("log_format") {
            None => LogFormat::Text,
            Some((v, o)) => match v.trim() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(err(
                        "log_format",
                        o,
                        format!("expected 'text' or 'json', got '{v}'"),
                    ));
                }
            },
        };
        let log_level = get("log_level")
            .map(|v| v.0)
            .unwrap_or_else(|| "info".into());
        let secure_cookies = match get("secure_cookies") {
            None => true,
            Some((v, o)) => parse_bool(&v).ok_or_else(|| {
                err(
                    "secure_cookies",
                    o,
                    format!("expected true or false, got '{v}'"),
                )
            })?,
        };
        let mut number =
            |key: &'static str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
                match get(key) {
                    None => Ok(default),
                    Some((v, o)) => match v.trim().parse::<u64>() {
                        Ok(n) if (min..=max).contains(&n) => Ok(n),
                        _ => Err(err(
                            key,
                            o,
                            format!("expected a whole number from {min} to {max}, got '{v}'"),
                        )),
                    },
                }
            };
        let session_ttl = Duration::from_secs(number("session_ttl_hours", 12, 1, 720)? * 3600);
        let max_body_bytes =
            number("max_body_bytes", 2 * 1024 * 1024, 1024, 100 * 1024 * 1024)? as usize;
        let throttle = Throttle {
            per_account: number("login_max_failures_per_account", 5, 1, 1000)? as i64,
            per_address: number("login_max_failures_per_address", 30, 1, 100_000)? as i64,
            window: Duration::from_secs(number("login_window_minutes", 15, 1, 1440)? * 60),
        };
        let secret_key = match get("secret_key") {
            None => None,
            Some((v, o)) => {
                guyub_services::secretbox::SecretBox::from_text(&v)
                    .map_err(|e| err("secret_key", o, e.to_string()))?;
                Some(Secret::new(v))
            }
        };
        let simulator = match get("simulator") {
            None => false,
            Some((v, o)) => parse_bool(&v)
                .ok_or_else(|| err("simulator", o, format!("expected true or false, got '{v}'")))?,
        };
        let workers = match get("workers") {
            None => true,
            Some((v, o)) => parse_bool(&v)
                .ok_or_else(|| err("workers", o, format!("expected true or false, got '{v}'")))?,
        };
        let object_store = match get("object_store").map(|v| (v.0.trim().to_string(), v.1)) {
            None => ObjectStoreConfig::Local(
                get("object_store_dir")
                    .map(|v| PathBuf::from(v.0))
                    .unwrap_or_else(|| data_dir.join("objects")),
            ),
            Some((v, _)) if v == "local" => ObjectStoreConfig::Local(
                get("object_store_dir")
                    .map(|v| PathBuf::from(v.0))
                    .unwrap_or_else(|| data_dir.join("objects")),
            ),
            Some((v, _)) if v == "s3" => {
                let mut need = |key: &'static str| -> Result<String, ConfigError> {
                    get(key)
                        .map(|v| v.0)
                        .filter(|v| !v.trim().is_empty())
                        .ok_or_else(|| err(key, Origin::Default, "required when object_store = s3"))
                };
                let endpoint = need("s3_endpoint")?;
                if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                    return Err(err(
                        "s3_endpoint",
                        Origin::Default,
                        "expected http://… or https://…",
                    ));
                }
                let bucket = need("s3_bucket")?;
                let access_key_id = need("s3_access_key_id")?;
                let secret_access_key = Secret::new(need("s3_secret_access_key")?);
                let region = get("s3_region")
                    .map(|v| v.0)
                    .unwrap_or_else(|| "us-east-1".into());
                ObjectStoreConfig::S3 {
                    endpoint,
                    bucket,
                    region,
                    access_key_id,
                    secret_access_key,
                }
            }
            Some((v, o)) => {
                return Err(err(
                    "object_store",
                    o,
                    format!("expected local or s3, got '{v}'"),
                ));
            }
        };
        let max_attachment_bytes = match get("max_attachment_bytes") {
            None => 16 * 1024 * 1024,
            Some((v, o)) => match v.trim().parse::<usize>() {
                Ok(n) if (1024..=1 << 30).contains(&n) => n,
                _ => {
                    return Err(err(
                        "max_attachment_bytes",
                        o,
                        format!("expected a whole number from 1024 to 1073741824, got '{v}'"),
                    ));
                }
            },
        };
        Ok(Config {
            object_store,
            max_attachment_bytes,
            secret_key,
            simulator,
            workers,
            listen,
            data_dir,
            database_url: Secret::new(database_url),
            public_url,
            log_format,
            log_level,
            secure_cookies,
            session_ttl,
            max_body_bytes,
            throttle,
            origins,
        })
    }

    /// The database URL with any password replaced by `***`.
    pub fn database_url_masked(&self) -> String {
        mask_url_password(self.database_url.expose())
    }

    /// `key = value  # origin` lines, secrets hidden, for `guyub config check`.
    pub fn describe(&self) -> String {
        let values: Vec<(&str, String)> = vec![
            ("listen", self.listen.to_string()),
            ("data_dir", self.data_dir.display().to_string()),
            ("database_url", self.database_url_masked()),
            ("public_url", self.public_url.clone()),
            (
                "log_format",
                format!("{:?}", self.log_format).to_lowercase(),
            ),
            ("log_level", self.log_level.clone()),
            ("secure_cookies", self.secure_cookies.to_string()),
            (
                "session_ttl_hours",
                (self.session_ttl.as_secs() / 3600).to_string(),
            ),
            ("max_body_bytes", self.max_body_bytes.to_string()),
            (
                "login_max_failures_per_account",
                self.throttle.per_account.to_string(),
            ),
            (
                "login_max_failures_per_address",
                self.throttle.per_address.to_string(),
            ),
            (
                "login_window_minutes",
                (self.throttle.window.as_secs() / 60).to_string(),
            ),
            (
                "secret_key",
                match &self.secret_key {
                    Some(_) => "***".to_string(),
                    None => self.data_dir.join("secret.key").display().to_string(),
                },
            ),
            ("simulator", self.simulator.to_string()),
            ("workers", self.workers.to_string()),
            (
                "object_store",
                match &self.object_store {
                    ObjectStoreConfig::Local(d) => format!("local {}", d.display()),
                    ObjectStoreConfig::S3 {
                        endpoint, bucket, ..
                    } => format!("s3 {endpoint} bucket {bucket} (keys hidden)"),
                },
            ),
            (
                "max_attachment_bytes",
                self.max_attachment_bytes.to_string(),
            ),
        ];
        values
            .into_iter()
            .map(|(k, v)| {
                let origin = self.origins.get(k).copied().unwrap_or(Origin::Default);
                format!("{k} = {v:?}  # {origin}\n")
            })
            .collect()
    }

    /// Creates the data directory when the database lives in it.
    pub fn prepare_data_dir(&self) -> std::io::Result<()> {
        if self.database_url.expose().starts_with("sqlite:") {
            std::fs::create_dir_all(&self.data_dir)?;
        }
        Ok(())
    }
}

fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("guyub.db").display())
}

fn mask_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

impl Config {
    /// The attachment store this configuration names.
    pub fn object_store(&self) -> Result<guyub_services::media::ObjectStore, String> {
        use guyub_services::media::ObjectStore;
        match &self.object_store {
            ObjectStoreConfig::Local(dir) => Ok(ObjectStore::Local(dir.clone())),
            ObjectStoreConfig::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key,
            } => ObjectStore::s3(
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key.expose(),
            ),
        }
    }

    /// The key that seals channel credentials: `secret_key`, or `secret.key` in the data
    /// directory, created (readable by the owner only) on first use.
    pub fn secret_box(&self) -> std::io::Result<guyub_services::secretbox::SecretBox> {
        use guyub_services::secretbox::SecretBox;
        let bad = |e: guyub_services::secretbox::SealError| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
        };
        if let Some(k) = &self.secret_key {
            return SecretBox::from_text(k.expose()).map_err(bad);
        }
        let path = self.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(k) => SecretBox::from_text(&k).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&self.data_dir)?;
                let key = SecretBox::generate_key();
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                use std::io::Write;
                opts.open(&path)?.write_all(key.as_bytes())?;
                SecretBox::from_text(&key).map_err(bad)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)], file: Option<&str>) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("guyub-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut flags = Flags::default();
        if let Some(text) = file {
            let p = dir.join(format!("{}.toml", text.len()));
            std::fs::write(&p, text).unwrap();
            flags.config_file = Some(p);
        }
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load_with(&flags, &move |k| {
            vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_are_sqlite_in_guyub_data() {
        let c = load(&[], None).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.database_url.expose(),
            "sqlite://guyub-data/guyub.db?mode=rwc"
        );
        assert_eq!(c.origins["listen"], Origin::Default);
    }

    #[test]
    fn env_beats_file() {
        let c = load(
            &[("GUYUB_LISTEN", "0.0.0.0:9000")],
            Some("listen = \"127.0.0.1:7000\"\nsession_ttl_hours = 2\n"),
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.session_ttl, Duration::from_secs(7200));
        assert_eq!(c.origins["session_ttl_hours"], Origin::File);
        let c = load(&[("DATABASE_URL", "postgres://u:pw@h/db")], None).unwrap();
        assert_eq!(c.database_url_masked(), "postgres://u:***@h/db");
        assert!(!format!("{c:?}").contains("pw@"), "secret printed in Debug");
        assert!(!c.describe().contains("pw@"));
    }

    #[test]
    fn wrong_values_name_their_key() {
        let e = load(&[("GUYUB_LISTEN", "nonsense")], None).unwrap_err();
        assert_eq!(e.key, "listen");
        assert!(e.to_string().contains("GUYUB_LISTEN"), "{e}");
        let e = load(&[], Some("session_ttl_hours = 0\n")).unwrap_err();
        assert_eq!(e.key, "session_ttl_hours");
        let e = load(&[], Some("listne = \"x\"\n")).unwrap_err();
        assert_eq!(e.key, "listne");
        let e = load(&[("GUYUB_SECURE_COOKIES", "maybe")], None).unwrap_err();
        assert_eq!(e.key, "secure_cookies");
        let e = load(&[("GUYUB_DATABASE_URL", "mysql://x")], None).unwrap_err();
        assert_eq!(e.key, "database_url");
        let e = load(&[], Some("listen = [")).unwrap_err();
        assert!(e.message.contains("TOML"));
    }
}
