//! Builds the server from a `Config`: migrations, the pool, and the one
//! routing table. `main` and the tests both start the app through here.

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::body::MessageBody;
use actix_web::cookie::{time::Duration as CookieDuration, Key, SameSite};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, Compress, DefaultHeaders, Next};
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
    demo_loaded: bool,
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
        let demo_loaded = loaded.is_some();
        if let Some(loaded) = loaded {
            tracing::info!(
                schools = loaded.schools,
                users = loaded.users,
                "loaded the demo district"
            );
        }

        let db = Db::new(&config.database_url, config.db_pool_size, config.db_timeout);
        if config.mail.worker {
            let worker = config.mail.worker(db.clone())?;
            tracing::info!(to = %worker.delivers_to(), "mail worker started");
            actix_web::rt::spawn(worker.run(std::time::Duration::from_secs(2)));
        }
        let sso = actix_web::web::Data::new(web::auth::SsoSlot(
            config
                .oidc
                .as_ref()
                .map(|oidc| {
                    crate::auth::oidc::Sso::new(oidc, &config.base_url, &config.district_name)
                })
                .transpose()?,
        ));
        let listener = TcpListener::bind(&config.bind)?;
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        let config = Arc::new(config);
        let server = HttpServer::new(move || {
            let (app, api) = App::new()
                .into_utoipa_app()
                .app_data(actix_web::web::Data::new(db.clone()))
                .app_data(sso.clone())
                .app_data(actix_web::web::Data::new(config.web_settings()))
                .app_data(actix_web::web::PayloadConfig::new(error::BODY_LIMIT))
                .app_data(
                    actix_web::web::FormConfig::default()
                        .limit(error::BODY_LIMIT)
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
            let openapi = web::api::describe(api);
            let methods = actix_web::web::Data::new(RouteMethods::new(&openapi));
            app.app_data(actix_web::web::Data::new(openapi))
                .app_data(methods)
                .configure(routes)
                .default_service(actix_web::web::to(not_found))
                .wrap(from_fn(web::guard::plain_text_only))
                .wrap(from_fn(crate::auth::csrf::protect))
                .wrap(session_middleware(&config))
                .wrap(from_fn(cache_and_transport_headers))
                .wrap(security_headers())
                .wrap(Compress::default())
                .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
        })
        .workers(workers)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            demo_loaded,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether this start loaded the demo district.
    pub fn demo_loaded(&self) -> bool {
        self.demo_loaded
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

/// Declares the page routes once: `PAGE_ROUTES` lists them (the access
/// matrix test walks it) and `routes` registers exactly those.
macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every page route as (method, path pattern).
        pub const PAGE_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// The routing table of every page (the API's is `web::api::configure`).
        pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
            $(cfg.route($path, actix_web::web::$method().to($handler));)*
            #[cfg(feature = "bench")]
            cfg.route("/bench/baseline", actix_web::web::get().to(web::bench::baseline));
        }
    };
}

route_table! {
    get "/healthz" => web::health::healthz;
    get "/static/{name}" => web::assets::asset;
    get "/sw.js" => web::assets::service_worker;
    get "/favicon.ico" => web::assets::favicon;
    get "/sign-in" => web::auth::sign_in_page;
    post "/sign-in" => web::auth::sign_in;
    get "/sign-in/sso" => web::auth::sso_start;
    get "/sign-in/sso/callback" => web::auth::sso_callback;
    post "/sign-out" => web::auth::sign_out;
    post "/account/sign-out-everywhere" => web::auth::sign_out_everywhere;
    get "/" => web::home::home;
    get "/account" => web::account::show;
    post "/account/tokens" => web::account::create_token;
    post "/account/tokens/{id}/revoke" => web::account::revoke_token;
    post "/account/calendar" => web::calendar::create_link;
    get "/account/mail" => web::mail::preferences;
    get "/password/forgot" => web::password::forgot_page;
    post "/password/forgot" => web::password::forgot;
    get "/password/reset/{token}" => web::password::reset_page;
    post "/password/reset/{token}" => web::password::reset;
    get "/invitations/{token}" => web::invitations::page;
    post "/invitations/{token}" => web::invitations::accept;
    post "/account/mail" => web::mail::save_preferences;
    get "/unsubscribe/{user}/{kind}/{signature}" => web::mail::unsubscribe_page;
    post "/unsubscribe/{user}/{kind}/{signature}" => web::mail::unsubscribe;
    get "/calendar/{token}" => web::calendar::feed;
    get "/visits" => web::visits::list;
    get "/visits/new" => web::visits::new;
    post "/visits" => web::visits::create;
    get "/visits/plan" => web::visits::plan;
    post "/visits/plan" => web::visits::confirm_plan;
    get "/visits/{id}" => web::visits::show;
    get "/visits/{id}/edit" => web::visits::edit;
    post "/visits/{id}" => web::visits::update;
    post "/visits/{id}/status" => web::visits::advance;
    get "/visits/{id}/observe" => web::observations::capture;
    post "/visits/{id}/observations" => web::observations::submit;
    get "/visits/{visit}/observations/{id}/edit" => web::observations::edit;
    post "/visits/{visit}/observations/{id}" => web::observations::save;
    get "/visits/{id}/debrief" => web::debriefs::show;
    get "/visits/{id}/report" => web::debriefs::report;
    post "/visits/{id}/debrief" => web::debriefs::save;
    post "/visits/{id}/response" => web::debriefs::respond;
    post "/visits/{visit}/steps/{id}/acknowledge" => web::debriefs::acknowledge;
    post "/visits/{visit}/response/needs/{id}/item" => web::debriefs::need_item;
    get "/visits/{id}/items" => web::items::for_visit;
    post "/visits/{id}/items/generate" => web::items::generate;
    post "/visits/{id}/items" => web::items::add;
    post "/visits/{id}/items/merge" => web::items::merge;
    post "/visits/{id}/publish" => web::items::publish;
    post "/visits/{visit}/checks/{id}" => web::items::check;
    get "/overview" => web::insights::overview;
    get "/exports" => web::exports::index;
    get "/exports/{name}" => web::exports::download;
    get "/impact" => web::insights::impact;
    get "/schools/{id}" => web::insights::campus;
    get "/departments/{id}" => web::insights::department;
    get "/items" => web::items::mine;
    get "/items/{id}" => web::items::show;
    post "/items/{id}" => web::items::update;
    get "/schools/{id}/items" => web::items::for_school;
    get "/departments/{id}/items" => web::items::for_department;
    post "/items/{id}/learning" => web::learning::link_item;
    post "/items/{id}/learning/{offering}/remove" => web::learning::unlink_item;
    get "/learning" => web::learning::catalogue;
    get "/learning/catalogue" => web::learning::catalogue_file;
    post "/learning/catalogue" => web::learning::import_catalogue_file;
    get "/learning/catalogue.json" => web::learning::export_catalogue_json;
    get "/learning/offerings.csv" => web::learning::export_offerings_csv;
    get "/learning/sessions.csv" => web::learning::export_sessions_csv;
    post "/learning/series" => web::learning::create_series;
    get "/learning/offerings/new" => web::learning::new_offering;
    post "/learning/offerings" => web::learning::create_offering;
    get "/learning/offerings/{id}" => web::learning::show_offering;
    get "/learning/offerings/{id}/edit" => web::learning::edit_offering;
    post "/learning/offerings/{id}" => web::learning::update_offering;
    get "/learning/offerings/{id}/sessions/new" => web::learning::new_session;
    post "/learning/offerings/{id}/sessions" => web::learning::create_session;
    get "/learning/sessions/{id}" => web::learning::show_session;
    get "/learning/sessions/{id}/edit" => web::learning::edit_session;
    post "/learning/sessions/{id}" => web::learning::update_session;
    post "/learning/sessions/{id}/register" => web::learning::register;
    post "/learning/sessions/{id}/withdraw" => web::learning::withdraw;
    post "/learning/sessions/{id}/attendance" => web::learning::attendance;
    get "/insights/learning" => web::learning::impact;
    get "/admin/audit" => web::audit::list;
    get "/admin/mail" => web::mail::list;
    post "/admin/mail/{id}/retry" => web::mail::retry;
    get "/admin/settings" => web::settings::show;
    post "/admin/settings" => web::settings::save;
    get "/admin/schools" => web::schools::list;
    get "/admin/schools/new" => web::schools::new;
    post "/admin/schools" => web::schools::create;
    get "/admin/schools/{id}/edit" => web::schools::edit;
    post "/admin/schools/{id}" => web::schools::update;
    post "/admin/schools/{id}/deactivate" => web::schools::deactivate;
    post "/admin/schools/{id}/activate" => web::schools::activate;
    post "/admin/schools/{id}/delete" => web::schools::delete;
    get "/admin/departments" => web::departments::list;
    get "/admin/departments/new" => web::departments::new;
    post "/admin/departments" => web::departments::create;
    get "/admin/departments/{id}/edit" => web::departments::edit;
    post "/admin/departments/{id}" => web::departments::update;
    post "/admin/departments/{id}/deactivate" => web::departments::deactivate;
    post "/admin/departments/{id}/activate" => web::departments::activate;
    get "/admin/frameworks" => web::frameworks::list;
    get "/admin/frameworks/import" => web::frameworks::import_form;
    post "/admin/frameworks/import" => web::frameworks::import;
    get "/admin/frameworks/{id}" => web::frameworks::show;
    get "/admin/frameworks/{id}/export.json" => web::frameworks::export_json;
    get "/admin/frameworks/{id}/export.csv" => web::frameworks::export_csv;
    post "/admin/frameworks/{id}/new-version" => web::frameworks::new_version;
    get "/admin/users" => web::users::list;
    get "/admin/users/new" => web::users::new;
    post "/admin/users" => web::users::create;
    get "/admin/users/{id}/edit" => web::users::edit;
    post "/admin/users/{id}" => web::users::update;
    post "/admin/users/{id}/deactivate" => web::users::deactivate;
    post "/admin/users/{id}/activate" => web::users::activate;
    post "/admin/users/{id}/invitation" => web::invitations::send;
    post "/admin/users/{id}/invitation/revoke" => web::invitations::revoke;
}

/// Routes registered outside the two tables: the API document, registered
/// before the API scope.
pub const OTHER_ROUTES: &[(&str, &str)] = &[("get", "/api/v1/openapi.json")];

/// The OpenAPI 3 document of the JSON API.
#[actix_web::get("/api/v1/openapi.json")]
async fn openapi_json(api: actix_web::web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(api.get_ref())
}

/// Every address pattern the app serves with its methods, from the page
/// routes and the API document: built once per worker, read on a 404.
struct RouteMethods(Vec<(actix_web::dev::ResourceDef, &'static str)>);

impl RouteMethods {
    fn new(api: &utoipa::openapi::OpenApi) -> Self {
        use actix_web::dev::ResourceDef;
        let mut routes: Vec<(ResourceDef, &'static str)> = PAGE_ROUTES
            .iter()
            .chain(OTHER_ROUTES)
            .map(|(method, pattern)| {
                let method = match *method {
                    "post" => "POST",
                    "put" => "PUT",
                    "patch" => "PATCH",
                    "delete" => "DELETE",
                    _ => "GET",
                };
                (ResourceDef::new(*pattern), method)
            })
            .collect();
        for (pattern, item) in &api.paths.paths {
            let served = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (method, _) in served.into_iter().filter(|(_, s)| *s) {
                routes.push((ResourceDef::new(pattern.as_str()), method));
            }
        }
        Self(routes)
    }

    /// The methods served at `path`, in order.
    fn at(&self, path: &str) -> Vec<&'static str> {
        let methods: std::collections::BTreeSet<&'static str> = self
            .0
            .iter()
            .filter(|(pattern, _)| pattern.is_match(path))
            .map(|(_, method)| *method)
            .collect();
        methods.into_iter().collect()
    }
}

/// What no route answers: 405 with `Allow` when the address is served for
/// other methods (TRACE on a page, DELETE on a school), 404 otherwise.
async fn not_found(
    req: HttpRequest,
    routes: actix_web::web::Data<RouteMethods>,
) -> Result<HttpResponse, actix_web::Error> {
    let allowed = routes.at(req.path());
    if allowed.is_empty() {
        return Err(error::for_request(&req, AppError::not_found()));
    }
    let allow = allowed.join(", ");
    let refusal = AppError::method_not_allowed(format!(
        "{} is not served at this address; use {allow}.",
        req.method()
    ));
    let mut response = error::for_request(&req, refusal).error_response();
    response.headers_mut().insert(
        header::ALLOW,
        HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET")),
    );
    Ok(response)
}

/// Sessions in a signed and encrypted cookie: `HttpOnly`, `SameSite=Lax`,
/// and over https `Secure` with the `__Host-` prefix (bound to this host,
/// path `/`). The cookie lives at most the session lifetime; the idle limit
/// is checked on every request (`auth::extract`).
fn session_middleware(config: &Config) -> SessionMiddleware<CookieSessionStore> {
    let https = config.is_https();
    SessionMiddleware::builder(
        CookieSessionStore::default(),
        Key::derive_from(config.session_key.as_bytes()),
    )
    .cookie_name(if https {
        "__Host-campus-visits".to_owned()
    } else {
        "campus-visits".to_owned()
    })
    .cookie_secure(https)
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_path("/".to_owned())
    .cookie_content_security(CookieContentSecurity::Private)
    .session_lifecycle(
        PersistentSession::default().session_ttl(CookieDuration::seconds(
            i64::try_from(config.session_lifetime.as_secs()).unwrap_or(i64::MAX),
        )),
    )
    .build()
}

/// `Cache-Control: no-store` on everything but the fingerprinted static
/// files, so no signed-in page is kept by a shared tablet's browser or a
/// proxy; HSTS when the app is served over https.
async fn cache_and_transport_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<actix_web::web::Data<web::Settings>>()
        .is_some_and(|s| s.https);
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(response)
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
