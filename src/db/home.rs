//! The start page's reads: a few bounded queries per panel.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::action_items::{self, Filter};
use super::schema::{action_items as items, schools, visit_members, visits};
use super::visits::{ListItem, Viewer};
use super::{DbConn, MultiBackend};
use crate::domain::action_item::Kind;
use crate::domain::home::{self, Panel, LIST_LIMIT};
use crate::domain::read::home::{Campus, CampusVisit, Department, Directory, Home, Rotation, Rows};
use crate::domain::user::Link;
use crate::domain::visit::VisitStatus;

/// Everything `viewer`'s start page shows on `today`.
pub fn load(conn: &mut DbConn, viewer: &Viewer, today: NaiveDate) -> QueryResult<Home> {
    let mut page = Home {
        today,
        campus: None,
        department: None,
        rotation: None,
        my_visits: None,
        directory: None,
    };
    for panel in home::panels(&viewer.roles, viewer.school_id, viewer.department_id) {
        match panel {
            Panel::Campus => {
                if let Some(school_id) = viewer.school_id {
                    page.campus = Some(campus(conn, viewer, school_id, today)?);
                }
            }
            Panel::Department => {
                if let Some(department_id) = viewer.department_id {
                    page.department = Some(department(conn, viewer, department_id, today)?);
                }
            }
            Panel::Rotation => page.rotation = Some(rotation(conn, today)?),
            Panel::MyVisits => {
                page.my_visits = Some(visit_rows(
                    conn,
                    Which::Team(viewer.user_id),
                    Some(today),
                    &upcoming(),
                    Order::Soonest,
                )?)
            }
            Panel::Directory => {
                page.directory = Some(Directory {
                    schools: super::schools::count_active(conn)?,
                    departments: super::departments::count_active(conn)?,
                    users: super::users::count_active(conn)?,
                })
            }
        }
    }
    Ok(page)
}

fn upcoming() -> Vec<VisitStatus> {
    VisitStatus::ALL
        .into_iter()
        .filter(|s| home::is_upcoming(*s))
        .collect()
}

/// The first `LIST_LIMIT` items `filter` picks, and how many in all.
fn item_rows(
    conn: &mut DbConn,
    viewer: &Viewer,
    filter: Filter,
) -> QueryResult<Rows<super::action_items::Item>> {
    let total = action_items::count(conn, viewer, &filter)?;
    let rows = action_items::list(
        conn,
        viewer,
        &Filter {
            limit: Some(LIST_LIMIT),
            without_look_fors: true,
            ..filter
        },
    )?;
    Ok(Rows { rows, total })
}

fn campus(
    conn: &mut DbConn,
    viewer: &Viewer,
    school_id: i64,
    today: NaiveDate,
) -> QueryResult<Campus> {
    let open = |kind| Filter {
        school_id: Some(school_id),
        kind: Some(kind),
        statuses: home::open_statuses(),
        published_only: true,
        ..Filter::default()
    };
    let name = super::schools::find(conn, school_id)?.name;
    let reported: Vec<VisitStatus> = VisitStatus::ALL
        .into_iter()
        .filter(|s| home::has_report(*s))
        .collect();
    Ok(Campus {
        school: Link {
            id: school_id,
            name,
        },
        open_steps: item_rows(conn, viewer, open(Kind::School))?,
        department_items: item_rows(conn, viewer, open(Kind::Department))?,
        next_visit: first(visit_rows(
            conn,
            Which::School(school_id),
            Some(today),
            &upcoming(),
            Order::Soonest,
        )?),
        last_report: first(visit_rows(
            conn,
            Which::School(school_id),
            None,
            &reported,
            Order::Latest,
        )?),
    })
}

fn first(rows: Rows<ListItem>) -> Option<ListItem> {
    rows.rows.into_iter().next()
}

fn department(
    conn: &mut DbConn,
    viewer: &Viewer,
    department_id: i64,
    today: NaiveDate,
) -> QueryResult<Department> {
    let name = super::departments::find(conn, department_id)?.name;
    let mine = Filter {
        department_id: Some(department_id),
        published_only: true,
        ..Filter::default()
    };
    let overdue = item_rows(
        conn,
        viewer,
        Filter {
            overdue_on: Some(today),
            ..mine.clone()
        },
    )?;
    let due_soon = item_rows(
        conn,
        viewer,
        Filter {
            statuses: home::open_statuses(),
            due_from: Some(today),
            due_before: Some(home::due_soon_until(today)),
            ..mine
        },
    )?;
    // The campuses where the department has open items, with how many.
    let open: Vec<&str> = home::open_statuses().iter().map(|s| s.as_str()).collect();
    let counts: HashMap<i64, i64> = items::table
        .filter(items::department_id.eq(department_id))
        .filter(items::status.eq_any(open))
        .group_by(items::school_id)
        .select((items::school_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let campuses: Vec<i64> = counts.keys().copied().collect();
    // The next visit to each: the soonest upcoming visit per campus.
    let mut next: Vec<CampusVisit> = Vec::new();
    for chunk in campuses.chunks(500) {
        let rows = visits::table
            .inner_join(schools::table)
            .filter(visits::school_id.eq_any(chunk))
            .filter(visits::visit_date.ge(today))
            .filter(
                visits::status.eq_any(upcoming().iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            )
            .group_by(schools::id)
            .select((
                schools::id,
                schools::name,
                diesel::dsl::min(visits::visit_date),
            ))
            .load::<(i64, String, Option<NaiveDate>)>(conn)?;
        next.extend(rows.into_iter().filter_map(|(id, name, date)| {
            Some(CampusVisit {
                open_items: counts.get(&id).copied().unwrap_or(0),
                school: Link { id, name },
                date: date?,
            })
        }));
    }
    next.sort_by(|a, b| (a.date, &a.school.name).cmp(&(b.date, &b.school.name)));
    next.truncate(LIST_LIMIT as usize);
    Ok(Department {
        department: Link {
            id: department_id,
            name,
        },
        overdue,
        due_soon,
        next_visits: next,
    })
}

fn rotation(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Rotation> {
    Ok(Rotation {
        upcoming: visit_rows(conn, Which::All, Some(today), &upcoming(), Order::Soonest)?,
        awaiting_publish: visit_rows(
            conn,
            Which::All,
            None,
            &[VisitStatus::Debriefed],
            Order::Soonest,
        )?,
    })
}

/// Whose visits a list reads.
enum Which {
    All,
    School(i64),
    /// The visits whose team the person is on, or leads.
    Team(i64),
}

enum Order {
    Soonest,
    Latest,
}

/// The visits `which` picks, from `from` on, in these statuses: the first
/// `LIST_LIMIT` in `order`, and how many in all.
fn visit_rows(
    conn: &mut DbConn,
    which: Which,
    from: Option<NaiveDate>,
    statuses: &[VisitStatus],
    order: Order,
) -> QueryResult<Rows<ListItem>> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let filtered = || {
        let mut query = visits::table
            .inner_join(schools::table)
            .filter(visits::status.eq_any(statuses.clone()))
            .into_boxed::<MultiBackend>();
        match which {
            Which::All => {}
            Which::School(id) => query = query.filter(visits::school_id.eq(id)),
            Which::Team(user_id) => {
                query = query.filter(
                    visits::id
                        .eq_any(
                            visit_members::table
                                .filter(visit_members::user_id.eq(user_id))
                                .select(visit_members::visit_id),
                        )
                        .or(visits::lead_id.eq(user_id).assume_not_null()),
                )
            }
        }
        if let Some(from) = from {
            query = query.filter(visits::visit_date.ge(from));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let query = match order {
        Order::Soonest => filtered().order((visits::visit_date.asc(), visits::id.asc())),
        Order::Latest => filtered().order((visits::visit_date.desc(), visits::id.desc())),
    };
    let rows = query
        .limit(LIST_LIMIT)
        .select((
            visits::id,
            schools::id,
            schools::name,
            visits::visit_date,
            visits::status,
            visits::focus,
        ))
        .load::<(i64, i64, String, NaiveDate, String, String)>(conn)?
        .into_iter()
        .map(
            |(id, school_id, school_name, date, status, focus)| ListItem {
                id,
                school: Link {
                    id: school_id,
                    name: school_name,
                },
                date,
                status: status.parse().unwrap_or(VisitStatus::Planned),
                focus,
            },
        )
        .collect();
    Ok(Rows { rows, total })
}
