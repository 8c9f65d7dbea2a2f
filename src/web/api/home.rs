//! The start page's content for the signed-in person, by role.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::items::ItemOut;
use super::users::LinkOut;
use super::visits::VisitSummaryOut;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::read::home::{self, Rows};
use crate::domain::read::items::Item;
use crate::domain::read::visits::ListItem;
use crate::error::{ApiError, ErrorBody};

/// The first items of a list, and how many there are in all.
#[derive(Serialize, ToSchema)]
pub struct ItemRowsOut {
    pub items: Vec<ItemOut>,
    pub total: i64,
}

impl From<Rows<Item>> for ItemRowsOut {
    fn from(rows: Rows<Item>) -> Self {
        Self {
            items: rows.rows.into_iter().map(ItemOut::from).collect(),
            total: rows.total,
        }
    }
}

/// The first visits of a list, and how many there are in all.
#[derive(Serialize, ToSchema)]
pub struct VisitRowsOut {
    pub items: Vec<VisitSummaryOut>,
    pub total: i64,
}

impl From<Rows<ListItem>> for VisitRowsOut {
    fn from(rows: Rows<ListItem>) -> Self {
        Self {
            items: rows.rows.into_iter().map(VisitSummaryOut::from).collect(),
            total: rows.total,
        }
    }
}

/// A school leader's campus.
#[derive(Serialize, ToSchema)]
pub struct CampusOut {
    pub school: LinkOut,
    /// The campus's action steps still awaiting their owner.
    pub open_steps: ItemRowsOut,
    /// Departments' open items concerning the campus.
    pub department_items: ItemRowsOut,
    pub next_visit: Option<VisitSummaryOut>,
    /// The latest visit whose report is published.
    pub last_report: Option<VisitSummaryOut>,
}

/// The next visit to a campus where the department has open items.
#[derive(Serialize, ToSchema)]
pub struct CampusVisitOut {
    pub school: LinkOut,
    #[schema(value_type = String, example = "2026-12-03")]
    pub date: NaiveDate,
    pub open_items: i64,
}

/// A department head's department.
#[derive(Serialize, ToSchema)]
pub struct DepartmentOut {
    pub department: LinkOut,
    pub overdue: ItemRowsOut,
    /// Open items due within 14 days.
    pub due_soon: ItemRowsOut,
    pub next_visits: Vec<CampusVisitOut>,
}

/// A visit lead's rotation.
#[derive(Serialize, ToSchema)]
pub struct RotationOut {
    pub upcoming: VisitRowsOut,
    pub awaiting_publish: VisitRowsOut,
}

/// The directory's counts, for administrators.
#[derive(Serialize, ToSchema)]
pub struct DirectoryOut {
    pub schools: i64,
    pub departments: i64,
    pub users: i64,
}

/// What the start page shows: one part per role held (absent otherwise).
#[derive(Serialize, ToSchema)]
pub struct HomeOut {
    #[schema(value_type = String, example = "2026-12-03")]
    pub today: NaiveDate,
    pub campus: Option<CampusOut>,
    pub department: Option<DepartmentOut>,
    pub rotation: Option<RotationOut>,
    /// The coming visits whose team the person is on.
    pub my_visits: Option<VisitRowsOut>,
    pub directory: Option<DirectoryOut>,
}

impl From<home::Home> for HomeOut {
    fn from(h: home::Home) -> Self {
        Self {
            today: h.today,
            campus: h.campus.map(|c| CampusOut {
                school: c.school.into(),
                open_steps: c.open_steps.into(),
                department_items: c.department_items.into(),
                next_visit: c.next_visit.map(Into::into),
                last_report: c.last_report.map(Into::into),
            }),
            department: h.department.map(|d| DepartmentOut {
                department: d.department.into(),
                overdue: d.overdue.into(),
                due_soon: d.due_soon.into(),
                next_visits: d
                    .next_visits
                    .into_iter()
                    .map(|n| CampusVisitOut {
                        school: n.school.into(),
                        date: n.date,
                        open_items: n.open_items,
                    })
                    .collect(),
            }),
            rotation: h.rotation.map(|r| RotationOut {
                upcoming: r.upcoming.into(),
                awaiting_publish: r.awaiting_publish.into(),
            }),
            my_visits: h.my_visits.map(Into::into),
            directory: h.directory.map(|d| DirectoryOut {
                schools: d.schools,
                departments: d.departments,
                users: d.users,
            }),
        }
    }
}

/// The signed-in person's work, as their start page shows it.
#[utoipa::path(security(("bearer" = [])), tag = "session", responses(
    (status = 200, body = HomeOut),
    (status = 401, body = ErrorBody),
))]
#[get("/home")]
pub async fn show(user: CurrentUser, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let data = crate::web::home::load(&user, &db).await?;
    Ok(HttpResponse::Ok().json(HomeOut::from(data)))
}
