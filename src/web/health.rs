use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::db::Db;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: &'static str,
    /// The database engine: `sqlite` or `postgresql`.
    pub database: &'static str,
}

/// 200 with the engine's name when the database answers within two
/// seconds, 503 when it does not.
pub async fn healthz(db: web::Data<Db>) -> HttpResponse {
    let database = db.engine().name();
    if db.ping(Duration::from_secs(2)).await {
        HttpResponse::Ok().json(Health {
            status: "ok",
            database,
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
            database,
        })
    }
}
