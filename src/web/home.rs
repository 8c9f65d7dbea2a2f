use actix_web::web;
use maud::Markup;

use crate::auth::CurrentUser;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::views;

pub async fn home(user: CurrentUser, db: web::Data<Db>) -> Result<Markup, AppError> {
    let counts = db
        .run(|conn| -> crate::db::QueryResult<_> {
            Ok(views::home::Counts {
                schools: db::schools::count_active(conn)?,
                departments: db::departments::count_active(conn)?,
                users: db::users::count_active(conn)?,
            })
        })
        .await?;
    Ok(views::home::home(&user.ctx(), &counts))
}
