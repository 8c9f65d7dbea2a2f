//! The start page: each person's work, by role.

use actix_web::web;
use maud::Markup;

use crate::auth::CurrentUser;
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::domain::read::home::Home;
use crate::error::AppError;
use crate::views;

/// What `user`'s start page shows today.
pub async fn load(user: &CurrentUser, db: &Db) -> Result<Home, AppError> {
    let viewer = Viewer::from(&user.account);
    let today = super::items::today();
    Ok(db
        .run(move |conn| db::home::load(conn, &viewer, today))
        .await?)
}

pub async fn home(user: CurrentUser, db: web::Data<Db>) -> Result<Markup, AppError> {
    let data = load(&user, &db).await?;
    Ok(views::home::home(&user.ctx(), &data))
}
