use std::process::ExitCode;

use clap::Parser;

use campus_visits::accounts_cli;
use campus_visits::app::Application;
use campus_visits::config::{
    CatalogueFormat, Cli, Command, Config, DemoScale, ExportKind, FileFormat, ImportKind,
};
use campus_visits::{db, demo, import, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.global.log_format);
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let url = cli.global.database_url.clone();
    match cli.command {
        Command::Serve(args) => {
            let config = Config::from_args(&cli.global, &args)?;
            let base_url = config.base_url.clone();
            let app = Application::build(config).await?;
            if app.demo_loaded() {
                println!("{}", demo::sign_in_help(&base_url));
            }
            tracing::info!(port = app.port(), url = %base_url, "serving");
            app.run_until_stopped().await?;
        }
        Command::Worker(args) => {
            let config = Config::from_args(&cli.global, &args)?;
            let mut conn = db::connect(&url)?;
            db::migrate(&mut conn)?;
            drop(conn);
            let db = db::Db::new(&config.database_url, config.db_pool_size, config.db_timeout);
            let worker = config.mail.worker(db)?;
            tracing::info!(to = %worker.delivers_to(), "mail worker started");
            worker.run(std::time::Duration::from_secs(2)).await;
        }
        Command::Migrate => {
            let mut conn = db::connect(&url)?;
            let applied = db::migrate(&mut conn)?;
            println!("applied {} migration(s)", applied.len());
        }
        Command::Demo {
            scale: DemoScale::Large,
        } => {
            let mut conn = db::connect(&url)?;
            db::migrate(&mut conn)?;
            let started = std::time::Instant::now();
            match campus_visits::scale::generate(&mut conn, campus_visits::scale::Scale::LARGE)? {
                Some(generated) => {
                    println!(
                        "loaded a large district in {:.0} s: {generated}",
                        started.elapsed().as_secs_f64()
                    );
                    println!("{}", demo::sign_in_help("http://127.0.0.1:8080"));
                }
                None => {
                    eprintln!(
                        "the database already holds schools; the demo loads only into an empty one"
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Demo {
            scale: DemoScale::Small,
        } => {
            let mut conn = db::connect(&url)?;
            db::migrate(&mut conn)?;
            match demo::load_if_empty(&mut conn)? {
                Some(loaded) => {
                    println!(
                        "loaded the demo district: {} schools, {} departments, {} people",
                        loaded.schools, loaded.departments, loaded.users
                    );
                    println!("{}", demo::sign_in_help("http://127.0.0.1:8080"));
                }
                None => {
                    eprintln!(
                        "the database already holds schools; the demo loads only into an empty one"
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::User { action } => {
            let mut conn = db::connect(&url)?;
            db::migrate(&mut conn)?;
            println!("{}", accounts_cli::run_user(&mut conn, action)?);
        }
        Command::Token { action } => {
            let mut conn = db::connect(&url)?;
            db::migrate(&mut conn)?;
            println!("{}", accounts_cli::run_token(&mut conn, action)?);
        }
        Command::Export { what } => {
            let mut conn = db::connect(&url)?;
            db::migrate(&mut conn)?;
            match what {
                ExportKind::District { output } => {
                    let counts = match &output {
                        Some(path) => {
                            let file = std::fs::File::create(path)
                                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                            campus_visits::export::write_district(
                                &mut conn,
                                &mut std::io::BufWriter::new(file),
                            )?
                        }
                        None => campus_visits::export::write_district(
                            &mut conn,
                            &mut std::io::BufWriter::new(std::io::stdout().lock()),
                        )?,
                    };
                    let summary = counts
                        .iter()
                        .map(|(table, n)| format!("{table} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    eprintln!("exported: {summary}");
                    let event = db::audit::NewEvent::new("district.exported")
                        .detail(format!("command line: {summary}"));
                    db::audit::record(&mut conn, &event)?;
                }
                ExportKind::Catalogue { format } => {
                    let name = match format {
                        CatalogueFormat::Json => "json",
                        CatalogueFormat::OfferingsCsv => "offerings-csv",
                        CatalogueFormat::SessionsCsv => "sessions-csv",
                    };
                    let doc = campus_visits::web::actions::learning::export_catalogue(
                        &mut conn, None, name,
                    )?;
                    match format {
                        CatalogueFormat::Json => {
                            println!("{}", serde_json::to_string_pretty(&doc)?)
                        }
                        CatalogueFormat::OfferingsCsv => {
                            print!("{}", campus_visits::domain::catalogue::offerings_csv(&doc))
                        }
                        CatalogueFormat::SessionsCsv => {
                            print!("{}", campus_visits::domain::catalogue::sessions_csv(&doc))
                        }
                    }
                }
                ExportKind::Framework { id, format } => {
                    let framework = db::frameworks::load(&mut conn, id)
                        .map_err(|e| anyhow::anyhow!("framework {id}: {e}"))?;
                    let doc = framework.to_doc();
                    match format {
                        FileFormat::Json => println!("{}", serde_json::to_string_pretty(&doc)?),
                        FileFormat::Csv => {
                            print!("{}", campus_visits::domain::framework::to_csv(&doc))
                        }
                    }
                    let event = db::audit::NewEvent::new("framework.exported")
                        .on("framework", id)
                        .detail("command line");
                    db::audit::record(&mut conn, &event)?;
                }
            }
        }
        Command::Import { what } => {
            let mut conn = db::connect(&url)?;
            db::migrate(&mut conn)?;
            let outcome = match what {
                ImportKind::Schools { file } => import::schools_file(&mut conn, &file),
                ImportKind::Users { file, invite } => {
                    import::users_file(&mut conn, &file, invite.invite().as_ref())
                }
                ImportKind::District { file } => {
                    let opened = std::fs::File::open(&file)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                    match campus_visits::export::read_district(&mut conn, opened) {
                        Ok(counts) => {
                            let summary = counts
                                .iter()
                                .map(|(table, n)| format!("{table} {n}"))
                                .collect::<Vec<_>>()
                                .join(", ");
                            println!("imported: {summary}");
                            let event = db::audit::NewEvent::new("district.imported")
                                .detail(format!("command line: {summary}"));
                            db::audit::record(&mut conn, &event)?;
                            return Ok(ExitCode::SUCCESS);
                        }
                        Err(error) => {
                            eprintln!("{}: {error}", file.display());
                            return Ok(ExitCode::FAILURE);
                        }
                    }
                }
                ImportKind::Catalogue { file, sessions } => {
                    match import::catalogue_file(&mut conn, &file, sessions.as_deref()) {
                        Ok(summary) => {
                            println!("{summary}");
                            return Ok(ExitCode::SUCCESS);
                        }
                        Err(error) => {
                            eprintln!("{error}");
                            return Ok(ExitCode::FAILURE);
                        }
                    }
                }
                ImportKind::Framework {
                    file,
                    name,
                    version,
                } => match import::framework_file(&mut conn, &file, name, version) {
                    Ok(summary) => {
                        println!("{summary}");
                        return Ok(ExitCode::SUCCESS);
                    }
                    Err(error) => {
                        eprintln!("{error}");
                        return Ok(ExitCode::FAILURE);
                    }
                },
            };
            match outcome {
                Ok(summary) => println!("{summary}"),
                Err(error) => {
                    eprintln!("{error}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
