//! Builds the server from a `Config`: migrations, the pool, and the one
//! routing table. `main` and the tests both start the app through here.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::{scope, AppExt};

use crate::config::Config;
use crate::db::{self, Db};
use crate::error::{self, AppError};
use crate::web;

/// A running server and the port it listens on.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Applies pending migrations, opens the pool and binds the listener.
    /// Bind to port 0 to get a free port (see [`Application::port`]).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let url = config.database_url.clone();
        let demo = config.demo;
        let loaded =
            actix_web::web::block(move || -> anyhow::Result<Option<crate::demo::Loaded>> {
                let mut conn = db::connect(&url)?;
                let applied = db::migrate(&mut conn)?;
                if !applied.is_empty() {
                    tracing::info!(count = applied.len(), "applied migrations");
                }
                if demo {
                    return Ok(crate::demo::load_if_empty(&mut conn)?);
                }
                Ok(None)
            })
            .await??;
        if let Some(loaded) = loaded {
            tracing::info!(
                schools = loaded.schools,
                users = loaded.users,
                "loaded the demo district"
            );
        }

        let db = Db::new(&config.database_url, config.db_pool_size, config.db_timeout);
        let listener = TcpListener::bind(&config.bind)?;
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        let config = Arc::new(config);
        let server = HttpServer::new(move || {
            let (app, api) = App::new()
                .into_utoipa_app()
                .app_data(actix_web::web::Data::new(db.clone()))
                .app_data(actix_web::web::Data::from(config.clone()))
                .app_data(
                    actix_web::web::JsonConfig::default()
                        .limit(256 * 1024)
                        .error_handler(error::extractors::json),
                )
                .app_data(
                    actix_web::web::FormConfig::default()
                        .limit(256 * 1024)
                        .error_handler(error::extractors::form),
                )
                .app_data(
                    actix_web::web::PathConfig::default().error_handler(error::extractors::path),
                )
                .app_data(
                    actix_web::web::QueryConfig::default().error_handler(error::extractors::query),
                )
                // Before the API scope, which answers 404 for anything
                // under /api/v1 that it does not know.
                .map(|app| app.service(openapi_json))
                .service(scope("/api/v1").configure(web::api::configure))
                .split_for_parts();
            let openapi = actix_web::web::Data::new(web::api::describe(api));
            app.app_data(openapi)
                .configure(routes)
                .default_service(actix_web::web::to(not_found))
                .wrap(security_headers())
                .wrap(Compress::default())
                .wrap(TracingLogger::default())
        })
        .workers(workers)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere (tests, signal handlers).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the process is told to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The routing table of every page (the API's is in `web::api::configure`).
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(web::health::healthz)
        .service(web::assets::asset)
        .service(web::home::home)
        .service(web::schools::list)
        .service(web::schools::new)
        .service(web::schools::create)
        .service(web::schools::edit)
        .service(web::schools::update)
        .service(web::schools::deactivate)
        .service(web::schools::activate)
        .service(web::departments::list)
        .service(web::departments::new)
        .service(web::departments::create)
        .service(web::departments::edit)
        .service(web::departments::update)
        .service(web::departments::deactivate)
        .service(web::departments::activate)
        .service(web::users::list)
        .service(web::users::new)
        .service(web::users::create)
        .service(web::users::edit)
        .service(web::users::update)
        .service(web::users::deactivate)
        .service(web::users::activate);
    #[cfg(feature = "bench")]
    cfg.service(web::bench::baseline);
}

/// The OpenAPI 3 document of the JSON API.
#[actix_web::get("/api/v1/openapi.json")]
async fn openapi_json(api: actix_web::web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(api.get_ref())
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    Err(error::for_request(&req, AppError::not_found()))
}

/// Headers every response carries. No page uses inline script or style,
/// so the policy allows neither.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
}
