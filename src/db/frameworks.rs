//! Look-for frameworks, their domains and indicators.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{departments, framework_domains, frameworks, indicators};
use super::{lower, now, DbConn, WriteError};
use crate::domain::framework::{next_label, DomainDoc, FrameworkDoc, IndicatorDoc, NewFramework};
use crate::domain::user::Link;

pub use crate::domain::read::frameworks::Summary;

pub use crate::domain::read::frameworks::Framework;

pub use crate::domain::read::frameworks::Domain;

pub use crate::domain::read::frameworks::Indicator;

impl Framework {
    /// The exchange document of this framework.
    pub fn to_doc(&self) -> FrameworkDoc {
        FrameworkDoc {
            name: self.name.clone(),
            version: self.version.clone(),
            domains: self
                .domains
                .iter()
                .map(|d| DomainDoc {
                    name: d.name.clone(),
                    indicators: d
                        .indicators
                        .iter()
                        .map(|i| IndicatorDoc {
                            code: i.code.clone(),
                            title: i.title.clone(),
                            description: i.description.clone(),
                            department: i.department.as_ref().map(|l| l.name.clone()),
                            entry_point: i.entry_point.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Every framework, newest version of each name first (the `version`
/// column orders the versions of a name; `label` is what people call it).
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Summary>> {
    let rows = frameworks::table
        .order((frameworks::name.asc(), frameworks::version.desc()))
        .select((
            frameworks::id,
            frameworks::name,
            frameworks::label,
            frameworks::frozen_at,
            frameworks::created_at,
        ))
        .load::<(i64, String, String, Option<NaiveDateTime>, NaiveDateTime)>(conn)?;
    // One grouped count for all of them, not a query per framework.
    let counts: std::collections::HashMap<i64, i64> = indicators::table
        .group_by(indicators::framework_id)
        .select((indicators::framework_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, name, version, frozen_at, created_at)| Summary {
            id,
            name,
            version,
            frozen: frozen_at.is_some(),
            indicators: counts.get(&id).copied().unwrap_or(0),
            created_at,
        })
        .collect())
}

/// Frameworks as choices for a visit, newest first.
pub fn choices(conn: &mut DbConn) -> QueryResult<Vec<Link>> {
    Ok(list(conn)?
        .into_iter()
        .map(|s| Link {
            id: s.id,
            name: format!("{} (version {})", s.name, s.version),
        })
        .collect())
}

pub fn load(conn: &mut DbConn, id: i64) -> QueryResult<Framework> {
    let (name, version, frozen_at) = frameworks::table
        .find(id)
        .select((frameworks::name, frameworks::label, frameworks::frozen_at))
        .first::<(String, String, Option<NaiveDateTime>)>(conn)?;
    let domain_rows = framework_domains::table
        .filter(framework_domains::framework_id.eq(id))
        .order(framework_domains::position.asc())
        .select((framework_domains::id, framework_domains::name))
        .load::<(i64, String)>(conn)?;
    let indicator_rows = indicators::table
        .left_join(departments::table)
        .filter(indicators::framework_id.eq(id))
        .order((indicators::domain_id.asc(), indicators::position.asc()))
        .select((
            indicators::id,
            indicators::domain_id,
            indicators::code,
            indicators::title,
            indicators::description,
            (departments::id, departments::name).nullable(),
            indicators::entry_point,
        ))
        .load::<(
            i64,
            i64,
            String,
            String,
            Option<String>,
            Option<(i64, String)>,
            Option<String>,
        )>(conn)?;
    let domains = domain_rows
        .into_iter()
        .map(|(domain_id, domain_name)| Domain {
            id: domain_id,
            name: domain_name,
            indicators: indicator_rows
                .iter()
                .filter(|row| row.1 == domain_id)
                .map(
                    |(id, _, code, title, description, department, entry_point)| Indicator {
                        id: *id,
                        code: code.clone(),
                        title: title.clone(),
                        description: description.clone(),
                        department: department.clone().map(|(id, name)| Link { id, name }),
                        entry_point: entry_point.clone(),
                    },
                )
                .collect(),
        })
        .collect();
    Ok(Framework {
        id,
        name,
        version,
        frozen: frozen_at.is_some(),
        domains,
    })
}

/// Department ids by lower-cased name, to resolve a file's department names.
pub fn department_ids(conn: &mut DbConn) -> QueryResult<std::collections::HashMap<String, i64>> {
    Ok(departments::table
        .select((lower(departments::name), departments::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

fn insert_contents(
    conn: &mut DbConn,
    framework_id: i64,
    framework: &NewFramework,
) -> QueryResult<()> {
    for (d, domain) in framework.domains.iter().enumerate() {
        diesel::insert_into(framework_domains::table)
            .values((
                framework_domains::framework_id.eq(framework_id),
                framework_domains::position.eq(d as i32),
                framework_domains::name.eq(&domain.name),
            ))
            .execute(conn)?;
        let domain_id: i64 = framework_domains::table
            .filter(framework_domains::framework_id.eq(framework_id))
            .filter(framework_domains::position.eq(d as i32))
            .select(framework_domains::id)
            .first(conn)?;
        for (i, indicator) in domain.indicators.iter().enumerate() {
            diesel::insert_into(indicators::table)
                .values((
                    indicators::framework_id.eq(framework_id),
                    indicators::domain_id.eq(domain_id),
                    indicators::position.eq(i as i32),
                    indicators::code.eq(&indicator.code),
                    indicators::title.eq(&indicator.title),
                    indicators::description.eq(indicator.description.as_deref()),
                    indicators::department_id.eq(indicator.department_id),
                    indicators::entry_point.eq(indicator.entry_point.as_deref()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created(i64),
    Replaced(i64),
}

impl Imported {
    pub fn id(self) -> i64 {
        match self {
            Imported::Created(id) | Imported::Replaced(id) => id,
        }
    }
}

/// The labels the versions of a name already have.
fn labels(conn: &mut DbConn, name: &str) -> QueryResult<Vec<String>> {
    frameworks::table
        .filter(frameworks::name.eq(name))
        .select(frameworks::label)
        .load(conn)
}

/// Stores a checked framework: a new name or version label is created (as
/// the newest version of its name); an existing version is replaced while no
/// observation uses it, and refused once it is frozen (a change must then be
/// a new version).
pub fn import(conn: &mut DbConn, framework: &NewFramework) -> Result<Imported, WriteError> {
    super::write_transaction(conn, |conn| {
        let existing = frameworks::table
            .filter(frameworks::name.eq(&framework.name))
            .filter(frameworks::label.eq(&framework.version))
            .select((frameworks::id, frameworks::frozen_at))
            .first::<(i64, Option<NaiveDateTime>)>(conn)
            .optional()?;
        match existing {
            Some((_, Some(_))) => {
                let next = next_label(&framework.version, &labels(conn, &framework.name)?);
                Err(WriteError::conflict(
                    "version",
                    format!(
                        "Version {} of {} is in use by observations and can no longer change; import it as a new version, such as {next}.",
                        framework.version, framework.name,
                    ),
                ))
            }
            Some((id, None)) => {
                diesel::delete(indicators::table.filter(indicators::framework_id.eq(id)))
                    .execute(conn)?;
                diesel::delete(
                    framework_domains::table.filter(framework_domains::framework_id.eq(id)),
                )
                .execute(conn)?;
                insert_contents(conn, id, framework)?;
                Ok(Imported::Replaced(id))
            }
            None => {
                let highest: Option<i32> = frameworks::table
                    .filter(frameworks::name.eq(&framework.name))
                    .select(diesel::dsl::max(frameworks::version))
                    .first(conn)?;
                diesel::insert_into(frameworks::table)
                    .values((
                        frameworks::name.eq(&framework.name),
                        frameworks::label.eq(&framework.version),
                        frameworks::version.eq(highest.unwrap_or(0) + 1),
                        frameworks::created_at.eq(now()),
                    ))
                    .execute(conn)?;
                let id: i64 = frameworks::table
                    .filter(frameworks::name.eq(&framework.name))
                    .filter(frameworks::label.eq(&framework.version))
                    .select(frameworks::id)
                    .first(conn)?;
                insert_contents(conn, id, framework)?;
                Ok(Imported::Created(id))
            }
        }
    })
}

/// Copies a framework as a new version of its name, editable again, labelled
/// by counting the last number of its label up.
pub fn new_version(conn: &mut DbConn, id: i64) -> Result<i64, WriteError> {
    super::write_transaction(conn, |conn| {
        let current = load(conn, id)?;
        let taken = labels(conn, &current.name)?;
        let departments = department_ids(conn)?;
        let mut doc = current.to_doc();
        doc.version = next_label(&current.version, &taken);
        let copy = crate::domain::framework::from_doc(&doc, &|name| {
            departments.get(&name.to_lowercase()).copied()
        })
        .map_err(|problems| WriteError::field("version", problems[0].to_string()))?;
        Ok(import(conn, &copy)?.id())
    })
}

/// Freezes a framework: called when an observation first uses it.
pub fn freeze(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(
        frameworks::table
            .find(id)
            .filter(frameworks::frozen_at.is_null()),
    )
    .set(frameworks::frozen_at.eq(now()))
    .execute(conn)?;
    Ok(())
}
