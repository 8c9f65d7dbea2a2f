//! A large district for measuring the dashboards: the demo district grown to
//! `campuses` campuses, each visited about `visits_per_year` times a year
//! for `years` school years, with `snapshots` observation snapshots per
//! visit (every look-for ticked), a debrief and `items` action items per
//! visit with their updates and checks. Deterministic (a fixed seed), and
//! written with multi-row inserts in one transaction.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::raw::{self, Param};
use crate::db::{DbConn, WriteError};

/// How large a district to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub campuses: usize,
    pub years: usize,
    pub visits_per_year: usize,
    pub snapshots: usize,
    pub items: usize,
    /// Offerings in the learning catalogue, each with sessions every
    /// quarter of each year and some to come, each session registered by
    /// about 8 campuses (attendance marked once held).
    pub offerings: usize,
}

impl Scale {
    /// 1,000 campuses, 5 years, 4 visits a year, 15 snapshots, 8 items,
    /// 40 offerings.
    pub const LARGE: Scale = Scale {
        campuses: 1000,
        years: 5,
        visits_per_year: 4,
        snapshots: 15,
        items: 8,
        offerings: 40,
    };
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub campuses: usize,
    pub visits: usize,
    pub observations: usize,
    pub ticks: usize,
    pub items: usize,
    pub updates: usize,
    pub checks: usize,
    pub offerings: usize,
    pub sessions: usize,
    pub registrations: usize,
}

impl std::fmt::Display for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} campuses, {} visits, {} snapshots, {} ticks, {} action items, {} updates, {} checks, {} offerings, {} sessions, {} registrations",
            self.campuses,
            self.visits,
            self.observations,
            self.ticks,
            self.items,
            self.updates,
            self.checks,
            self.offerings,
            self.sessions,
            self.registrations
        )
    }
}

const PROGRAMS: [&str; 5] = ["", "Title I", "Dual language", "STEM", "Early college"];
const BATCH: usize = 400;

/// Collects rows of one table and inserts them many at a time.
struct Batch {
    table: &'static str,
    columns: &'static [&'static str],
    /// Which columns are dates or times (PostgreSQL casts the text).
    casts: &'static [Option<&'static str>],
    rows: Vec<Vec<Param>>,
    written: usize,
}

impl Batch {
    fn new(
        table: &'static str,
        columns: &'static [&'static str],
        casts: &'static [Option<&'static str>],
    ) -> Self {
        Self {
            table,
            columns,
            casts,
            rows: Vec::with_capacity(BATCH),
            written: 0,
        }
    }

    /// Rows wait until `flush_all!` writes every table in the order of
    /// their references.
    fn push(&mut self, row: Vec<Param>) {
        self.rows.push(row);
    }

    fn flush(&mut self, conn: &mut DbConn) -> QueryResult<()> {
        while !self.rows.is_empty() {
            let per_statement = (BATCH * 8 / self.columns.len()).max(1);
            let rest = self.rows.split_off(self.rows.len().min(per_statement));
            self.flush_some(conn)?;
            self.rows = rest;
        }
        Ok(())
    }

    fn flush_some(&mut self, conn: &mut DbConn) -> QueryResult<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let postgres = matches!(conn, DbConn::Postgres(_));
        let one = format!(
            "({})",
            self.casts
                .iter()
                .map(|cast| match (postgres, cast) {
                    (true, Some(ty)) => format!("CAST(? AS {ty})"),
                    _ => "?".to_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            self.columns.join(", "),
            vec![one; self.rows.len()].join(", ")
        );
        let params: Vec<Param> = self.rows.drain(..).flatten().collect();
        raw::execute(conn, &sql, &params)?;
        self.written += params.len() / self.columns.len();
        Ok(())
    }
}

fn day(d: NaiveDate) -> Param {
    Param::Text(d.format("%Y-%m-%d").to_string())
}

fn time(t: NaiveDateTime) -> Param {
    Param::Text(t.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn ids(conn: &mut DbConn, sql: &str) -> QueryResult<Vec<i64>> {
    Ok(raw::load::<Id>(conn, sql, &[])?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

fn max_id(conn: &mut DbConn, table: &str) -> QueryResult<i64> {
    Ok(ids(
        conn,
        &format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}"),
    )?[0])
}

/// Grows an empty database into a large district: the demo district first
/// (its people sign in as usual), then campuses up to `scale.campuses` and
/// their history. Refuses a database that already has schools.
pub fn generate(conn: &mut DbConn, scale: Scale) -> Result<Option<Generated>, WriteError> {
    if crate::demo::load_if_empty(conn)?.is_none() {
        return Ok(None);
    }
    let outcome = crate::db::write_transaction(conn, |conn| grow(conn, scale));
    let generated = outcome?;
    if matches!(conn, DbConn::Postgres(_)) {
        crate::export::reset_identities(conn)?;
        // What autovacuum would do after a bulk load: statistics for the
        // planner and the visibility map for index-only scans.
        raw::execute(conn, "VACUUM ANALYZE", &[])?;
    }
    Ok(Some(generated))
}

fn grow(conn: &mut DbConn, scale: Scale) -> Result<Generated, WriteError> {
    let mut rng = StdRng::seed_from_u64(2026);
    let today = Utc::now().date_naive();
    let now = Utc::now().naive_utc();
    let mut generated = Generated::default();

    // Campuses up to the number asked for, with programs.
    let existing = ids(conn, "SELECT id FROM schools ORDER BY id")?.len();
    let mut schools = Batch::new(
        "schools",
        &[
            "name",
            "code",
            "level",
            "program",
            "active",
            "created_at",
            "updated_at",
        ],
        &[
            None,
            None,
            None,
            None,
            None,
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
        ],
    );
    for n in existing..scale.campuses {
        let level = ["elementary", "elementary", "middle", "high"][n % 4];
        schools.push(vec![
            Param::Text(format!("Campus {:04}", n + 1)),
            Param::Text(format!("C{:04}", n + 1)),
            Param::Text(level.to_owned()),
            Param::Text(PROGRAMS[n % PROGRAMS.len()].to_owned()),
            Param::Bool(true),
            time(now),
            time(now),
        ]);
    }
    schools.flush(conn)?;
    for (n, id) in ids(conn, "SELECT id FROM schools ORDER BY id")?
        .into_iter()
        .enumerate()
    {
        raw::execute(
            conn,
            "UPDATE schools SET program = ? WHERE id = ? AND program = ''",
            &[
                Param::Text(PROGRAMS[n % PROGRAMS.len()].to_owned()),
                Param::Int(id),
            ],
        )?;
    }
    let school_ids = ids(
        conn,
        "SELECT id FROM schools s WHERE NOT EXISTS \
         (SELECT 1 FROM visits v WHERE v.school_id = s.id) ORDER BY id",
    )?;
    generated.campuses = ids(conn, "SELECT id FROM schools")?.len();

    let framework = ids(conn, "SELECT MAX(id) AS id FROM frameworks")?[0];
    #[derive(QueryableByName)]
    struct LookFor {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
        department_id: Option<i64>,
    }
    let look_fors: Vec<LookFor> = raw::load(
        conn,
        "SELECT id, department_id FROM indicators WHERE framework_id = ? ORDER BY id",
        &[Param::Int(framework)],
    )?;
    let visitors = ids(
        conn,
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = 'visitor' ORDER BY u.id",
    )?;
    let lead = ids(
        conn,
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = 'visit_lead' ORDER BY u.id",
    )?[0];

    let mut visit_id = max_id(conn, "visits")?;
    let mut observation_id = max_id(conn, "observations")?;
    let mut item_id = max_id(conn, "action_items")?;
    let mut visits = Batch::new(
        "visits",
        &[
            "id",
            "school_id",
            "visit_date",
            "status",
            "lead_id",
            "framework_id",
            "focus",
            "created_at",
            "updated_at",
        ],
        &[
            None,
            None,
            Some("DATE"),
            None,
            None,
            None,
            None,
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
        ],
    );
    let mut members = Batch::new("visit_members", &["visit_id", "user_id"], &[None, None]);
    let mut observations = Batch::new(
        "observations",
        &[
            "id",
            "visit_id",
            "author_id",
            "framework_id",
            "setting",
            "idempotency_key",
            "body_hash",
            "created_at",
            "updated_at",
        ],
        &[
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
        ],
    );
    let mut ticks = Batch::new(
        "indicator_ticks",
        &["observation_id", "indicator_id", "tick"],
        &[None, None, None],
    );
    let mut debriefs = Batch::new(
        "debriefs",
        &[
            "visit_id",
            "strengths",
            "alignment_notes",
            "attendees",
            "updated_at",
        ],
        &[None, None, None, None, Some("TIMESTAMP")],
    );
    let mut items = Batch::new(
        "action_items",
        &[
            "id",
            "visit_id",
            "school_id",
            "kind",
            "department_id",
            "title",
            "evidence",
            "status",
            "priority",
            "due_on",
            "created_at",
            "updated_at",
            "done_at",
            "days_to_done",
        ],
        &[
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some("DATE"),
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
            None,
        ],
    );
    let mut item_look_fors = Batch::new(
        "action_item_indicators",
        &["item_id", "indicator_id"],
        &[None, None],
    );
    let mut updates = Batch::new(
        "action_item_updates",
        &["item_id", "author_id", "at", "status", "change", "note"],
        &[None, None, Some("TIMESTAMP"), None, None, None],
    );
    let mut checks = Batch::new(
        "action_item_checks",
        &["item_id", "visit_id", "result", "note", "author_id", "at"],
        &[None, None, None, None, None, Some("TIMESTAMP")],
    );

    let start = today - Duration::days(365 * scale.years as i64);
    macro_rules! flush_all {
        () => {
            for batch in [
                &mut visits,
                &mut members,
                &mut observations,
                &mut ticks,
                &mut debriefs,
                &mut items,
                &mut item_look_fors,
                &mut updates,
                &mut checks,
            ] {
                batch.flush(conn)?;
            }
        };
    }
    let spacing = 365 / scale.visits_per_year.max(1) as i64;
    for &school in &school_ids {
        if ticks.rows.len() >= BATCH * 20 {
            flush_all!();
        }
        // Each campus's own strengths, improving a little visit by visit.
        let base: Vec<f64> = look_fors
            .iter()
            .map(|_| rng.random_range(0.15..0.75))
            .collect();
        let mut dates: Vec<NaiveDate> = (0..scale.years * scale.visits_per_year)
            .map(|n| start + Duration::days(n as i64 * spacing + rng.random_range(0..30)))
            .filter(|d| *d < today)
            .collect();
        dates.push(today + Duration::days(rng.random_range(7..120)));
        let mut previous: Vec<(i64, &'static str)> = Vec::new();
        for (n, date) in dates.iter().enumerate() {
            visit_id += 1;
            let planned = *date >= today;
            let status = if planned {
                "planned"
            } else if n + 2 < dates.len() {
                "closed"
            } else {
                "published"
            };
            let at = date.and_hms_opt(15, 0, 0).unwrap_or(now);
            visits.push(vec![
                Param::Int(visit_id),
                Param::Int(school),
                day(*date),
                Param::Text(status.to_owned()),
                Param::Int(lead),
                Param::Int(framework),
                Param::Text(String::new()),
                time(at),
                time(at),
            ]);
            generated.visits += 1;
            let team: Vec<i64> = (0..4)
                .map(|k| visitors[(school as usize + n + k) % visitors.len()])
                .collect();
            let mut team_sorted = team.clone();
            team_sorted.sort_unstable();
            team_sorted.dedup();
            for member in &team_sorted {
                members.push(vec![Param::Int(visit_id), Param::Int(*member)]);
            }
            // Checks of the previous visit's items.
            for (item, status) in previous.drain(..) {
                let result = match status {
                    "verified" => "verified",
                    "open" => "not_started",
                    _ => "still_open",
                };
                checks.push(vec![
                    Param::Int(item),
                    Param::Int(visit_id),
                    Param::Text(result.to_owned()),
                    Param::Text(String::new()),
                    Param::Int(lead),
                    time(at),
                ]);
            }
            if planned {
                continue;
            }
            let mut seen = vec![(0u32, 0u32); look_fors.len()];
            for s in 0..scale.snapshots {
                observation_id += 1;
                observations.push(vec![
                    Param::Int(observation_id),
                    Param::Int(visit_id),
                    Param::Int(team[s % team.len()]),
                    Param::Int(framework),
                    Param::Text(
                        if s % 5 == 4 {
                            "collaboration"
                        } else {
                            "classroom"
                        }
                        .to_owned(),
                    ),
                    Param::Text(format!("generated-{visit_id}-{s}")),
                    Param::Text(String::new()),
                    time(at),
                    time(at),
                ]);
                for (l, look_for) in look_fors.iter().enumerate() {
                    let p = (base[l] + 0.02 * n as f64).min(0.95);
                    let roll: f64 = rng.random();
                    let tick = if roll < 0.05 {
                        "not_applicable"
                    } else if roll < 0.05 + p * 0.95 {
                        "observed"
                    } else if roll < 0.05 + p * 0.95 + (1.0 - p) * 0.35 {
                        "partly"
                    } else {
                        "not_observed"
                    };
                    if tick != "not_applicable" {
                        seen[l].1 += 1;
                        if tick == "observed" {
                            seen[l].0 += 1;
                        }
                    }
                    ticks.push(vec![
                        Param::Int(observation_id),
                        Param::Int(look_for.id),
                        Param::Text(tick.to_owned()),
                    ]);
                }
            }
            generated.observations += scale.snapshots;
            debriefs.push(vec![
                Param::Int(visit_id),
                Param::Text("Routines are consistent across classrooms.".to_owned()),
                Param::Text(String::new()),
                Param::Text("Principal; assistant principals".to_owned()),
                time(at),
            ]);
            // Items for the weakest look-fors of this visit.
            let mut order: Vec<usize> = (0..look_fors.len()).collect();
            order.sort_by(|a, b| {
                let share = |i: usize| f64::from(seen[i].0) / f64::from(seen[i].1.max(1));
                share(*a).total_cmp(&share(*b))
            });
            let age = (today - *date).num_days();
            for (k, &l) in order.iter().take(scale.items).enumerate() {
                item_id += 1;
                let look_for = &look_fors[l];
                let (kind, department) = match look_for.department_id {
                    Some(d) if k >= 2 => ("department", Some(d)),
                    _ => ("school", None),
                };
                let roll: f64 = rng.random();
                let status = if age > 150 {
                    match roll {
                        r if r < 0.55 => "verified",
                        r if r < 0.75 => "done",
                        r if r < 0.85 => "in_progress",
                        r if r < 0.92 => "open",
                        r if r < 0.96 => "blocked",
                        _ => "dropped",
                    }
                } else {
                    match roll {
                        r if r < 0.4 => "open",
                        r if r < 0.7 => "in_progress",
                        r if r < 0.9 => "done",
                        _ => "blocked",
                    }
                };
                let due = *date + Duration::days(if kind == "school" { 14 } else { 30 });
                let done_at = matches!(status, "done" | "verified").then(|| {
                    (*date + Duration::days(rng.random_range(3..90).min(age.max(1))))
                        .and_hms_opt(10, 0, 0)
                        .unwrap_or(now)
                });
                items.push(vec![
                    Param::Int(item_id),
                    Param::Int(visit_id),
                    Param::Int(school),
                    Param::Text(kind.to_owned()),
                    department.map_or(Param::NullInt, Param::Int),
                    Param::Text(format!("Strengthen look-for {}", l + 1)),
                    Param::Text(format!("seen in {} of {}", seen[l].0, seen[l].1)),
                    Param::Text(status.to_owned()),
                    Param::Text("normal".to_owned()),
                    day(due),
                    time(at),
                    time(done_at.unwrap_or(at)),
                    done_at.map_or(Param::NullText, time),
                    done_at.map_or(Param::NullInt, |d| {
                        Param::Int(crate::domain::insights::days_to_done(*date, d.date()))
                    }),
                ]);
                item_look_fors.push(vec![Param::Int(item_id), Param::Int(look_for.id)]);
                updates.push(vec![
                    Param::Int(item_id),
                    Param::Int(lead),
                    time(at),
                    Param::Text("open".to_owned()),
                    Param::Text("Published".to_owned()),
                    Param::Text(String::new()),
                ]);
                if status != "open" {
                    updates.push(vec![
                        Param::Int(item_id),
                        Param::Int(lead),
                        time(done_at.unwrap_or(at + Duration::days(7))),
                        Param::Text(status.to_owned()),
                        Param::Text(format!("Status: {status}")),
                        Param::Text(String::new()),
                    ]);
                }
                if matches!(
                    status,
                    "open" | "in_progress" | "done" | "blocked" | "verified"
                ) {
                    previous.push((item_id, status));
                }
            }
        }
    }
    flush_all!();
    generated.ticks = ticks.written;
    generated.items = items.written;
    generated.updates = updates.written;
    generated.checks = checks.written;
    grow_catalogue(conn, scale, &mut rng, today, &mut generated)?;
    crate::db::insights::rebuild_rollups(conn)?;
    Ok(generated)
}

/// The learning catalogue: `scale.offerings` offerings of the departments
/// owning the look-fors they address (two each), sessions every quarter
/// for `scale.years` years and two to come, in two series, each session
/// registered by about 8 campuses, with attendance once held.
fn grow_catalogue(
    conn: &mut DbConn,
    scale: Scale,
    rng: &mut StdRng,
    today: NaiveDate,
    generated: &mut Generated,
) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Code {
        #[diesel(sql_type = diesel::sql_types::Text)]
        code: String,
        #[diesel(sql_type = BigInt)]
        department_id: i64,
    }
    let codes: Vec<Code> = raw::load(
        conn,
        "SELECT code, department_id FROM indicators WHERE department_id IS NOT NULL \
         AND framework_id = (SELECT MAX(id) FROM frameworks) ORDER BY id",
        &[],
    )?;
    let campuses = ids(conn, "SELECT id FROM schools ORDER BY id")?;
    if codes.is_empty() || campuses.is_empty() {
        return Ok(());
    }
    let now = Utc::now().naive_utc();
    let stamp = time(now);
    let mut series_id = max_id(conn, "learning_series")?;
    let mut series = Batch::new(
        "learning_series",
        &["id", "name", "description", "created_at", "updated_at"],
        &[None, None, None, Some("TIMESTAMP"), Some("TIMESTAMP")],
    );
    let mut series_ids = Vec::new();
    for name in ["Wednesday training (district)", "Summer series (district)"] {
        series_id += 1;
        series_ids.push(series_id);
        series.push(vec![
            Param::Int(series_id),
            Param::Text(name.to_owned()),
            Param::Text(String::new()),
            stamp.clone(),
            stamp.clone(),
        ]);
    }
    let mut offering_id = max_id(conn, "offerings")?;
    let mut offerings = Batch::new(
        "offerings",
        &[
            "id",
            "title",
            "description",
            "format",
            "department_id",
            "audience",
            "credit_tenths",
            "active",
            "created_at",
            "updated_at",
        ],
        &[
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
        ],
    );
    let mut look_fors = Batch::new(
        "offering_look_fors",
        &["offering_id", "code"],
        &[None, None],
    );
    let mut session_id = max_id(conn, "learning_sessions")?;
    let mut sessions = Batch::new(
        "learning_sessions",
        &[
            "id",
            "offering_id",
            "series_id",
            "on_date",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "cancelled",
            "created_at",
            "updated_at",
        ],
        &[
            None,
            None,
            None,
            Some("DATE"),
            None,
            None,
            None,
            None,
            None,
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
        ],
    );
    let mut registrations = Batch::new(
        "session_registrations",
        &[
            "session_id",
            "school_id",
            "participants",
            "names",
            "attended",
            "created_at",
            "updated_at",
        ],
        &[
            None,
            None,
            None,
            None,
            None,
            Some("TIMESTAMP"),
            Some("TIMESTAMP"),
        ],
    );
    let formats = ["on_site", "online", "blended"];
    let audiences = ["teachers", "leaders", "both"];
    let first = today - Duration::days(365 * scale.years as i64);
    for n in 0..scale.offerings {
        offering_id += 1;
        let code = &codes[n % codes.len()];
        let other = &codes[(n + 7) % codes.len()];
        offerings.push(vec![
            Param::Int(offering_id),
            Param::Text(format!(
                "{} practice, part {}",
                code.code,
                n / codes.len() + 1
            )),
            Param::Text("Generated for the large district.".to_owned()),
            Param::Text(formats[n % formats.len()].to_owned()),
            Param::Int(code.department_id),
            Param::Text(audiences[n % audiences.len()].to_owned()),
            Param::Int(rng.random_range(5..40)),
            Param::Bool(true),
            stamp.clone(),
            stamp.clone(),
        ]);
        look_fors.push(vec![
            Param::Int(offering_id),
            Param::Text(code.code.clone()),
        ]);
        if other.code != code.code {
            look_fors.push(vec![
                Param::Int(offering_id),
                Param::Text(other.code.clone()),
            ]);
        }
        let held = scale.years * 4;
        for k in 0..held + 2 {
            session_id += 1;
            let on = first
                + Duration::days(
                    (k as i64) * 365 * scale.years as i64 / held as i64 + rng.random_range(0..60),
                );
            let on = if k >= held {
                today + Duration::days(rng.random_range(3..90))
            } else {
                on.min(today - Duration::days(1))
            };
            sessions.push(vec![
                Param::Int(session_id),
                Param::Int(offering_id),
                Param::Int(series_ids[k % series_ids.len()]),
                day(on),
                Param::Text("13:30".to_owned()),
                Param::Text("16:00".to_owned()),
                Param::Text(format!("Central Office, room {}", n % 12 + 1)),
                Param::Int(40),
                Param::Bool(false),
                stamp.clone(),
                stamp.clone(),
            ]);
            let mut chosen = std::collections::BTreeSet::new();
            while chosen.len() < 8.min(campuses.len()) {
                chosen.insert(campuses[rng.random_range(0..campuses.len())]);
            }
            for school in chosen {
                let participants: i64 = rng.random_range(1..6);
                let attended = if on < today {
                    Param::Int(rng.random_range(0..=participants))
                } else {
                    Param::NullInt
                };
                registrations.push(vec![
                    Param::Int(session_id),
                    Param::Int(school),
                    Param::Int(participants),
                    Param::Text(String::new()),
                    attended,
                    stamp.clone(),
                    stamp.clone(),
                ]);
            }
        }
    }
    for batch in [
        &mut series,
        &mut offerings,
        &mut look_fors,
        &mut sessions,
        &mut registrations,
    ] {
        batch.flush(conn)?;
    }
    generated.offerings = offerings.written;
    generated.sessions = sessions.written;
    generated.registrations = registrations.written;
    Ok(())
}
