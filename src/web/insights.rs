//! The district overview, campus and department pages, and impact.
//! Who may open each is decided here: the overview and the district-wide
//! impact are for administrators and visit leads; a campus page also for its
//! school leaders; a department page also for its heads (and its impact).
//! Anyone else gets 404 for a campus or department, 403 for the overview.

use actix_web::web;
use chrono::NaiveDate;
use maud::Markup;
use serde::Deserialize;

use crate::auth::{CurrentUser, Planner};
use crate::db::action_items::Filter;
use crate::db::insights::OverviewFilter;
use crate::db::visits::Viewer;
use crate::db::{self, Db};
use crate::domain::account::Role;
use crate::domain::insights::ImpactSummary;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::school::SchoolLevel;
use crate::domain::user::Link;
use crate::error::AppError;
use crate::views;
use crate::views::insights::{CampusPage, OverviewForm};
use crate::web::items::today;

/// Rows per page of the heat map, the workload table and the impact list.
const PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub sort: String,
    pub page: Option<u32>,
}

fn day(raw: &str, name: &str) -> Result<Option<NaiveDate>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "use a date like 2026-09-14.".to_owned())
        .and_then(crate::domain::fields::calendar_day)
        .map(Some)
        .map_err(|why| AppError::bad_request(format!("{name}: {why}")))
}

impl OverviewQuery {
    fn filter(&self) -> Result<OverviewFilter, AppError> {
        let level = match self.level.trim() {
            "" => None,
            raw => Some(
                raw.parse::<SchoolLevel>()
                    .map_err(|e| AppError::bad_request(format!("level: {e}")))?,
            ),
        };
        let from = day(&self.from, "from")?;
        let to = day(&self.to, "to")?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(AppError::bad_request(
                    "from: the first day comes after the last.",
                ));
            }
        }
        Ok(OverviewFilter {
            level,
            program: Some(self.program.trim().to_owned()).filter(|p| !p.is_empty()),
            from,
            to,
        })
    }
}

/// A page of indexes `0..total`, for lists paged after they are ordered.
fn page_of(total: usize, page: Option<u32>) -> Page<usize> {
    let request = PageRequest::new(page, Some(PER_PAGE));
    let start = (request.offset() as usize).min(total);
    let end = (start + request.limit() as usize).min(total);
    Page {
        items: (start..end).collect(),
        request,
        total: total as i64,
    }
}

/// The district overview (administrators and visit leads).
pub async fn overview(
    Planner(user): Planner,
    db: web::Data<Db>,
    query: web::Query<OverviewQuery>,
) -> Result<Markup, AppError> {
    let filter = query.filter()?;
    let today = today();
    db.run(db::insights::bring_up_to_date).await?;
    let mut data = db
        .run(move |conn| db::insights::overview(conn, &filter, today))
        .await?;
    let form = OverviewForm {
        level: query.level.trim().to_owned(),
        program: query.program.trim().to_owned(),
        from: query.from.trim().to_owned(),
        to: query.to.trim().to_owned(),
        sort: if query.sort == "name" { "name" } else { "need" }.to_owned(),
    };
    if form.sort == "need" {
        // Campuses with evidence, weakest overall share first; then those
        // without evidence, by name (the stable sort keeps name order).
        data.campuses.sort_by(|a, b| {
            let (a, b) = (a.overall, b.overall);
            match (a.percent().is_some(), b.percent().is_some()) {
                (true, true) => a.compare(b).unwrap_or(std::cmp::Ordering::Equal),
                (a_has, b_has) => b_has.cmp(&a_has),
            }
        });
    }
    let campuses = page_of(data.campuses.len(), query.page);
    let mut shown: Vec<_> = campuses
        .items
        .iter()
        .map(|&i| data.campuses[i].clone())
        .collect();
    let visits: Vec<i64> = data
        .campuses
        .iter()
        .filter_map(|c| c.evidence_visit.map(|(id, _)| id))
        .collect();
    let (shown, columns, learning) = db
        .run(move |conn| {
            let columns = db::insights::fill_cells(conn, &mut shown)?;
            let learning = weak_learning(conn, &visits, None, today)?;
            Ok::<_, crate::db::QueryError>((shown, columns, learning))
        })
        .await?;
    data.columns = columns;
    Ok(views::insights::overview(
        &user.ctx(),
        &data,
        &shown,
        &campuses,
        &form,
        &learning,
    ))
}

/// The sessions to come for the look-fors weak at `visits` (of one
/// department's, or all).
fn weak_learning(
    conn: &mut crate::db::DbConn,
    visits: &[i64],
    department_id: Option<i64>,
    today: NaiveDate,
) -> crate::db::QueryResult<views::insights::WeakLearning> {
    let rules = db::settings::find(conn)?.rules;
    Ok(views::insights::WeakLearning {
        rows: db::learning::weak_look_for_learning(conn, visits, department_id, today, &rules)?,
        weak_share: i64::from(rules.weak_share_percent),
    })
}

/// A campus over time: planners, and the campus's school leaders.
pub async fn campus(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<Markup, AppError> {
    let school_id = id.into_inner();
    let viewer = Viewer::from(&user.account);
    let own_school = user.has(Role::SchoolLeader) && user.account.school_id == Some(school_id);
    if !(viewer.sees_all_visits() || own_school) {
        return Err(AppError::not_found());
    }
    db.run(db::insights::bring_up_to_date).await?;
    let (school, campus, items, weak_share) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let school = db::schools::find(conn, school_id)?;
            let campus = db::insights::campus(conn, school_id)?;
            let items = db::action_items::list(
                conn,
                &viewer,
                &Filter {
                    school_id: Some(school_id),
                    published_only: true,
                    without_look_fors: true,
                    ..Filter::default()
                },
            )?;
            let weak = db::settings::find(conn)?.rules.weak_share_percent;
            Ok((school, campus, items, i64::from(weak)))
        })
        .await?;
    Ok(views::insights::campus(
        &user.ctx(),
        &CampusPage {
            school: &school,
            campus: &campus,
            items: &items,
            today: today(),
            weak_share,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub department: Option<String>,
}

/// A department across campuses: planners, and the department's heads.
pub async fn department(
    user: CurrentUser,
    db: web::Data<Db>,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<Markup, AppError> {
    let department_id = id.into_inner();
    let viewer = Viewer::from(&user.account);
    let own = user.has(Role::DepartmentHead) && user.account.department_id == Some(department_id);
    if !(viewer.sees_all_visits() || own) {
        return Err(AppError::not_found());
    }
    let today = today();
    db.run(db::insights::bring_up_to_date).await?;
    let (department, data, learning) = db
        .run(move |conn| -> crate::db::QueryResult<_> {
            let department = db::departments::find(conn, department_id)?;
            let data = db::insights::department(conn, department_id, today)?;
            let learning = weak_learning(conn, &data.evidence_visits, Some(department_id), today)?;
            Ok((department, data, learning))
        })
        .await?;
    let workload = page_of(data.workload.len(), query.page);
    Ok(views::insights::department(
        &user.ctx(),
        &Link {
            id: department.id,
            name: department.name,
        },
        &data,
        &workload,
        today,
        &learning,
    ))
}

/// The impact of items on their look-fors: planners see every department
/// (or one, `?department=`); a department head sees their own.
pub async fn impact(
    user: CurrentUser,
    req: actix_web::HttpRequest,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<Markup, AppError> {
    let viewer = Viewer::from(&user.account);
    let asked = match query.department.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::bad_request("department: use a department's number."))?,
        ),
    };
    // `None` inside: every department; `Some(None)`: a head without a
    // department, who has nothing to see.
    let scope: Option<Option<i64>> = if viewer.sees_all_visits() {
        Some(asked)
    } else if user.has(Role::DepartmentHead) {
        let own = user.account.department_id;
        if asked.is_some() && asked != own {
            return Err(AppError::not_found());
        }
        own.map(Some)
    } else {
        return Err(crate::auth::extract::deny(&req, &user).await);
    };
    let department = scope.flatten();
    db.run(db::insights::bring_up_to_date).await?;
    let rows = match scope {
        Some(department) => {
            db.run(move |conn| db::insights::impact(conn, department))
                .await?
        }
        None => Vec::new(),
    };
    let mut summaries: Vec<(Option<Link>, ImpactSummary)> = Vec::new();
    for row in &rows {
        let index = match summaries.iter().position(|(d, _)| *d == row.department) {
            Some(index) => index,
            None => {
                summaries.push((row.department.clone(), ImpactSummary::default()));
                summaries.len() - 1
            }
        };
        summaries[index].1.add(row.before, row.after);
    }
    let indexes = page_of(rows.len(), query.page);
    let shown = Page {
        items: indexes.items.iter().map(|&i| &rows[i]).collect(),
        request: indexes.request,
        total: indexes.total,
    };
    let base = match department {
        Some(id) => format!("/impact?department={id}&"),
        None => "/impact?".to_owned(),
    };
    Ok(views::insights::impact(
        &user.ctx(),
        &summaries,
        &shown,
        &base,
    ))
}
