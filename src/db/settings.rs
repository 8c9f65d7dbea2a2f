//! The district's settings: one row, the defaults until an administrator
//! saves some.

use diesel::prelude::*;

use super::schema::district_settings;
use super::{now, DbConn};
use crate::domain::action_item::Rules;

pub use crate::domain::read::settings::Settings;

impl Default for Settings {
    fn default() -> Self {
        Self {
            teacher_field: false,
            rules: Rules::default(),
            due_soon_days: 3,
            time_zone: chrono_tz::UTC,
        }
    }
}

pub fn find(conn: &mut DbConn) -> QueryResult<Settings> {
    let row = district_settings::table
        .find(1)
        .select((
            district_settings::teacher_field,
            district_settings::weak_share_percent,
            district_settings::weak_min_snapshots,
            district_settings::department_due_days,
            district_settings::school_due_days,
            district_settings::due_soon_days,
            district_settings::time_zone,
        ))
        .first::<(bool, i32, i32, i32, i32, i32, String)>(conn)
        .optional()?;
    Ok(match row {
        None => Settings::default(),
        Some((teacher_field, share, min, dept_days, school_days, soon, zone)) => Settings {
            teacher_field,
            due_soon_days: i64::from(soon.max(1)),
            time_zone: zone.parse().unwrap_or(chrono_tz::UTC),
            rules: Rules {
                weak_share_percent: share.clamp(1, 100) as u32,
                min_snapshots: min.max(1) as u32,
                department_due_days: i64::from(dept_days.max(1)),
                school_due_days: i64::from(school_days.max(1)),
            },
        },
    })
}

pub fn save(conn: &mut DbConn, settings: &Settings) -> QueryResult<()> {
    let values = (
        district_settings::teacher_field.eq(settings.teacher_field),
        district_settings::weak_share_percent.eq(settings.rules.weak_share_percent as i32),
        district_settings::weak_min_snapshots.eq(settings.rules.min_snapshots as i32),
        district_settings::department_due_days.eq(settings.rules.department_due_days as i32),
        district_settings::school_due_days.eq(settings.rules.school_due_days as i32),
        district_settings::due_soon_days.eq(settings.due_soon_days as i32),
        district_settings::time_zone.eq(settings.time_zone.name()),
        district_settings::updated_at.eq(now()),
    );
    super::write_transaction(conn, |conn| {
        let updated = diesel::update(district_settings::table.find(1))
            .set(values)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(district_settings::table)
                .values((district_settings::id.eq(1), values))
                .execute(conn)?;
        }
        Ok(())
    })
}
