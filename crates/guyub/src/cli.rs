use anyhow::{Context, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use guyub_domain::Role;
use guyub_server::config::{Config, Flags, LogFormat};
use guyub_services::{Actor, demo, setup, staff};
use guyub_store::{Db, cooperatives};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "guyub",
    version,
    about = "Guyub: one member behind every channel of a cooperative"
)]
struct Cli {
    /// Configuration file (default: ./guyub.toml if present; env GUYUB_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory for the embedded database (env GUYUB_DATA_DIR; default ./guyub-data).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server and background work.
    Serve(ServeArgs),
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage cooperatives (tenants).
    #[command(subcommand)]
    Cooperative(CooperativeCmd),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Connect and list channels (WhatsApp, Messenger, Instagram, Telegram, LINE, X).
    #[command(subcommand)]
    Channel(crate::channel_cmd::ChannelCmd),
    /// Import and export members.
    #[command(subcommand)]
    Member(crate::member_cmd::MemberCmd),
    /// Simpanan: the monthly wajib billing and jasa simpanan jobs.
    #[command(subcommand)]
    Savings(crate::savings_cmd::SavingsCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCmd),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (env GUYUB_LISTEN; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Load the demo cooperative (slug `demo`) with staff in every role and some members.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum CooperativeCmd {
    /// Create a cooperative.
    Add {
        /// Short code used at login and in URLs, e.g. kop-makmur.
        #[arg(long)]
        slug: String,
        /// Full name, e.g. "Koperasi Serba Usaha Makmur".
        #[arg(long)]
        name: String,
    },
    /// List cooperatives.
    List,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a staff account; the password is asked for (or read from stdin).
    Add {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
        #[arg(long)]
        email: String,
        /// owner, admin, manager, supervisor, agent, teller or auditor.
        #[arg(long)]
        role: String,
        /// Display name (default: the part of the e-mail before @).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create an API token and print it once.
    Create {
        #[arg(long, value_name = "SLUG")]
        cooperative: String,
        /// The role the token acts with.
        #[arg(long)]
        role: String,
        /// What the token is for, e.g. "accounting export".
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Re-compute every audit hash chain and name the first broken entry.
    Verify,
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Print the effective configuration (secrets hidden) and where each value came from.
    Check,
}

pub fn main() -> ExitCode {
    guyub_services::install_tls();
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve(a) => a.listen.clone(),
        _ => None,
    };
    let flags = Flags {
        config_file: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        listen,
    };
    let config = match Config::load(&flags) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("guyub: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("guyub: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("guyub: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    config
        .prepare_data_dir()
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    Db::open(config.database_url.expose())
        .await
        .with_context(|| format!("cannot open database {}", config.database_url_masked()))
}

async fn cooperative_actor(db: &Db, slug: &str) -> anyhow::Result<Actor> {
    let coop = cooperatives::by_slug(&mut *db.conn().await?, slug)
        .await?
        .ok_or_else(|| {
            anyhow!(
                "--cooperative: no cooperative with slug '{slug}' (see `guyub cooperative list`)"
            )
        })?;
    Ok(Actor::cli(coop.id))
}

fn parse_role(raw: &str) -> anyhow::Result<Role> {
    raw.parse::<Role>().map_err(|e| anyhow!("--role: {e}"))
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the password from stdin")?;
        return Ok(s.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Again: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Config(ConfigCmd::Check) => {
            print!("{}", config.describe());
            println!("# configuration is valid");
        }
        Command::Migrate => {
            let db = open_db(&config).await?;
            let applied = db.migrate().await?;
            println!(
                "database {} is up to date ({} migrations applied now)",
                config.database_url_masked(),
                applied.len()
            );
        }
        Command::Cooperative(CooperativeCmd::Add { slug, name }) => {
            let db = open_db(&config).await?;
            let c = setup::create_cooperative(&db, &slug, &name, "cli")
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!("created cooperative {} ({}), id {}", c.slug, c.name, c.id);
        }
        Command::Cooperative(CooperativeCmd::List) => {
            let db = open_db(&config).await?;
            for c in cooperatives::list(&mut *db.conn().await?).await? {
                println!("{}\t{}\t{}", c.id, c.slug, c.name);
            }
        }
        Command::User(UserCmd::Add {
            cooperative,
            email,
            role,
            name,
            password_stdin,
        }) => {
            let role = parse_role(&role)?;
            let db = open_db(&config).await?;
            let actor = cooperative_actor(&db, &cooperative).await?;
            let password = read_password(password_stdin)?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let u = staff::add_user(
                &db,
                &actor,
                staff::AddUser {
                    email: &email,
                    name: &name,
                    role,
                    password: &password,
                    locale: "id",
                },
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
            println!(
                "added {} as {} in {} (user id {})",
                u.email, u.role, cooperative, u.id
            );
        }
        Command::Token(TokenCmd::Create {
            cooperative,
            role,
            name,
        }) => {
            let role = parse_role(&role)?;
            let db = open_db(&config).await?;
            let actor = cooperative_actor(&db, &cooperative).await?;
            let (t, secret) = staff::create_token(&db, &actor, &name, role)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            eprintln!(
                "token {} '{}' ({}) created; it is shown only this once:",
                t.id, t.name, t.role
            );
            println!("{secret}");
        }
        Command::Audit(AuditCmd::Verify) => {
            let db = open_db(&config).await?;
            let report = guyub_store::audit::verify(&mut *db.conn().await?).await?;
            match report.broken {
                None => println!(
                    "audit log intact: {} entries in {} chains",
                    report.entries, report.chains
                ),
                Some((chain, seq, id, why)) => {
                    let chain = if chain == 0 {
                        "platform".to_string()
                    } else {
                        format!("cooperative {chain}")
                    };
                    let id = id.map(|i| format!(" (row id {i})")).unwrap_or_default();
                    println!("audit log BROKEN in {chain} chain at entry #{seq}{id}: {why}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Serve(args) => serve(config, args.demo).await?,
        Command::Channel(cmd) => {
            let db = open_db(&config).await?;
            let actor = cooperative_actor(&db, cmd.cooperative()).await?;
            let boxed = config
                .secret_box()
                .context("cannot read or create the secret key (secret_key, or secret.key in the data directory)")?;
            crate::channel_cmd::run(cmd, &db, &boxed, &actor, &config.public_url).await?;
        }
        Command::Member(cmd) => {
            let db = open_db(&config).await?;
            let actor = cooperative_actor(&db, cmd.cooperative()).await?;
            return crate::member_cmd::run(cmd, &db, &actor).await;
        }
        Command::Savings(cmd) => {
            let db = open_db(&config).await?;
            let actor = cooperative_actor(&db, cmd.cooperative()).await?;
            return crate::savings_cmd::run(cmd, &db, &actor).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: Config, with_demo: bool) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    let db = open_db(&config).await?;
    if with_demo {
        match demo::load(&db)
            .await
            .map_err(|e| anyhow!("loading demo data: {e}"))?
        {
            Some(logins) => {
                println!(
                    "Demo cooperative '{}' created. Staff logins (shown only now):",
                    demo::SLUG
                );
                for l in logins {
                    println!("  {:<10} {:<28} {}", l.role.as_str(), l.email, l.password);
                }
            }
            None => println!(
                "Demo cooperative '{}' already present; its passwords were shown when it was created.",
                demo::SLUG
            ),
        }
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (set --listen or GUYUB_LISTEN)",
                config.listen
            )
        })?;
    let addr = listener.local_addr()?;
    let mut config = config;
    if config.origins.get("public_url") == Some(&guyub_server::config::Origin::Default) {
        config.public_url = format!("http://{addr}");
    }
    if setup::needed(&db).await.map_err(|e| anyhow!("{e}"))? {
        let token = setup::create_link(&db, Duration::from_secs(24 * 3600))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        println!(
            "Fresh install: open this one-time setup link within 24 hours to create the first cooperative and its owner:"
        );
        println!("  {}/setup?token={token}", config.public_url);
    }
    println!(
        "Guyub is running at http://{addr}/  (database: {})",
        db.engine().as_str()
    );
    tracing::info!(listen = %addr, engine = db.engine().as_str(), "serving");
    let housekeeping = tokio::spawn(housekeeping(db.clone()));
    if with_demo {
        config.simulator = true;
        let boxed = config
            .secret_box()
            .context("cannot read or create the secret key")?;
        demo::connect_simulated_channels(&db, &boxed, &config.public_url)
            .await
            .map_err(|e| anyhow!("connecting the demo channels: {e}"))?;
        println!(
            "Provider simulator: {}/sim  (log in, then open Simulator to write as a member)",
            config.public_url
        );
    }
    let state = guyub_server::AppState::new(db.clone(), config).context(
        "cannot read or create the secret key (secret_key, or secret.key in the data directory)",
    )?;
    guyub_server::serve(listener, state, shutdown).await?;
    housekeeping.abort();
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Removes expired sessions and old login failures every ten minutes.
async fn housekeeping(db: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = guyub_store::now_ms();
        if let Ok(mut conn) = db.conn().await {
            let _ = guyub_store::sessions::delete_expired(&mut conn, now).await;
            let _ = guyub_store::throttle::prune(&mut conn, now - 86_400_000).await;
        }
    }
}

/// Installs the SIGTERM and Ctrl-C handlers now (so a signal that arrives during
/// start-up is not fatal) and resolves when one of them fires.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot install the SIGTERM handler")?;
    Ok(async move {
        #[cfg(unix)]
        let term = term.recv();
        #[cfg(not(unix))]
        let term = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term => {},
        }
        tracing::info!("shutdown requested; draining in-flight requests");
    })
}
