//! The `canteen` command line.

use std::path::PathBuf;

use anyhow::{anyhow, bail};
use canteen_app::AppError;
use canteen_domain::account::Role;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};

#[derive(Parser, Debug)]
#[command(
    name = "canteen",
    version,
    about = "Canteen: a social network for health and care organisations.",
    long_about = "Canteen: a social network for health and care organisations.\n\n\
        Run `canteen serve` to start the server on this machine with an SQLite database in \
        ./canteen-data. Every subcommand reads the same configuration, so admin commands act \
        on the store the server uses.\n\n\
        Configuration, highest precedence first: command-line flags; environment variables \
        (CANTEEN_<KEY>, and DATABASE_URL); the file given by --config (or CANTEEN_CONFIG, or \
        ./canteen.toml if present); built-in defaults."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Configuration file (TOML). Env: CANTEEN_CONFIG. Default: ./canteen.toml if present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite database and local files, created if missing.
    /// Env: CANTEEN_DATA_DIR. Default: ./canteen-data
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://FILE or postgres://USER@HOST/DB. Env: DATABASE_URL or CANTEEN_DATABASE_URL.
    /// Default: canteen.db in the data directory.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the server (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administer accounts and the server.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Run the confidentiality and wellbeing guard on text, without a server.
    #[command(subcommand)]
    Guard(GuardCommand),
}

#[derive(Subcommand, Debug)]
pub enum GuardCommand {
    /// Read JSON lines {"id": "…", "text": "…"} on stdin; write one report line per input.
    Check {
        /// A JSON policy file (default: guard_policy_file from the configuration, else built in).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Score the guard on a labelled corpus (JSON lines with "expected"): precision, recall,
    /// F1 per category and verdict, leak rate, false alarms, latency.
    Eval {
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
}

#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Address and port to listen on. Env: CANTEEN_LISTEN. Default: 127.0.0.1:8080
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// The URL people reach this server at; all links and ids use it.
    /// Env: CANTEEN_PUBLIC_URL. Default: http://<listen address>
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a confirmed local account and print its id.
    CreateUser {
        /// Letters, numbers and underscores, up to 30.
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// user, moderator or admin.
        #[arg(long, default_value = "user")]
        role: String,
    },
    /// Change the role of the login that owns USERNAME (user, moderator or admin).
    SetRole { username: String, role: String },
    /// Suspend a profile: it can no longer sign in and its tokens are revoked.
    Suspend { username: String },
    /// Lift a suspension.
    Unsuspend { username: String },
    /// Approve a sign-up waiting for approval.
    Approve { username: String },
    /// Rebuild the search index from the database, with a progress bar. Run it with the
    /// server stopped (the server holds the index open).
    Reindex,
    /// Add a server rule (shown at sign-up and to apps).
    AddRule {
        text: String,
        #[arg(long, default_value = "")]
        hint: String,
    },
}

fn parse_role(s: &str) -> anyhow::Result<Role> {
    Role::parse(s).ok_or_else(|| anyhow!("role `{s}` is not one of: {}", Role::choices()))
}

/// Turns app errors into the one-line messages an admin reads.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(problems) => {
            anyhow!(problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("; "))
        }
        other => anyhow!(other.to_string()),
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = cli.global;
    let serve_args = match &cli.command {
        Command::Serve(s) => Some(s),
        _ => None,
    };
    let overrides = Overrides {
        listen: serve_args.and_then(|s| s.listen.clone()),
        public_url: serve_args.and_then(|s| s.public_url.clone()),
        data_dir: g.data_dir,
        database_url: g.database_url,
    };
    let cfg = Config::load(g.config.as_deref(), overrides)?;
    crate::telemetry::init_logging(&cfg.log_format, if serve_args.is_some() { &cfg.log_level } else { "warn" });
    match cli.command {
        Command::Serve(_) => crate::server::serve(cfg).await,
        Command::Guard(cmd) => guard(&cfg, cmd),
        Command::Migrate => {
            let app = crate::server::open_app(&cfg).await?;
            app.store.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin(cmd) => {
            let app = crate::server::open_app(&cfg).await?;
            let result = admin(&cfg, &app, cmd).await;
            app.store.close().await;
            result
        }
    }
}

async fn admin(cfg: &Config, app: &canteen_app::App, cmd: AdminCommand) -> anyhow::Result<()> {
    use canteen_app::admin;
    match cmd {
        AdminCommand::CreateUser { username, email, password, role } => {
            let role = parse_role(&role)?;
            let (_, account) = admin::create_user(app, &username, &email, &password, role).await.map_err(explain)?;
            println!("{}", account.id);
        }
        AdminCommand::SetRole { username, role } => {
            let role = parse_role(&role)?;
            admin::set_role(app, &username, role).await.map_err(explain)?;
            println!("{username} is now {role}");
        }
        AdminCommand::Suspend { username } => {
            admin::suspend(app, &username).await.map_err(explain)?;
            println!("{username} is suspended");
        }
        AdminCommand::Unsuspend { username } => {
            admin::unsuspend(app, &username).await.map_err(explain)?;
            println!("{username} is no longer suspended");
        }
        AdminCommand::Approve { username } => {
            admin::approve(app, &username).await.map_err(explain)?;
            println!("{username} is approved");
        }
        AdminCommand::Reindex => reindex(cfg, app).await?,
        AdminCommand::AddRule { text, hint } => {
            if text.trim().is_empty() {
                bail!("a rule needs some text");
            }
            let id = admin::add_rule(app, &text, &hint).await.map_err(explain)?;
            println!("{id}");
        }
    }
    Ok(())
}

/// `canteen admin reindex`: rebuilds the index in the data dir, drawing a progress bar on
/// standard error.
async fn reindex(cfg: &Config, app: &canteen_app::App) -> anyhow::Result<()> {
    let index = crate::server::open_search_index(cfg, canteen_search::WriterOptions::bulk())?;
    let app = app.clone().with_search_index(index);
    let started = std::time::Instant::now();
    let mut last_drawn = std::time::Instant::now() - std::time::Duration::from_secs(1);
    let total = canteen_app::search::rebuild(&app, |done, total| {
        if last_drawn.elapsed().as_millis() >= 100 || done == total {
            last_drawn = std::time::Instant::now();
            eprint!("\r{}", progress_bar(done, total));
        }
    })
    .await
    .map_err(explain)?;
    eprintln!();
    println!("indexed {total} posts in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `[#########-----------]  45% 450000/1000000 posts`.
fn progress_bar(done: u64, total: u64) -> String {
    const WIDTH: u64 = 30;
    let total = total.max(done).max(1);
    let filled = done * WIDTH / total;
    format!(
        "[{}{}] {:>3}% {done}/{total} posts",
        "#".repeat(filled as usize),
        "-".repeat((WIDTH - filled) as usize),
        done * 100 / total
    )
}

fn guard(cfg: &Config, cmd: GuardCommand) -> anyhow::Result<()> {
    let policy_for = |path: Option<PathBuf>| -> anyhow::Result<canteen_guard::Policy> {
        match path {
            Some(p) => crate::config::load_policy(&p),
            None => Ok(cfg.guard_policy()?.unwrap_or_default()),
        }
    };
    match cmd {
        GuardCommand::Check { policy } => {
            let policy = policy_for(policy)?;
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            canteen_guard::check_jsonl(stdin.lock(), std::io::BufWriter::new(stdout.lock()), &policy)?;
        }
        GuardCommand::Eval { file, policy } => {
            let policy = policy_for(policy)?;
            let f = std::fs::File::open(&file).map_err(|e| anyhow!("could not open {}: {e}", file.display()))?;
            let report = canteen_guard::eval::evaluate(std::io::BufReader::new(f), &policy).map_err(|e| anyhow!(e))?;
            println!("{report}");
        }
    }
    Ok(())
}
