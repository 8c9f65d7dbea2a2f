//! The demo district: 44 campuses, the central-office departments and a few
//! people, so that a new user sees a working product at once.

use crate::db::{self, DbConn, WriteError};
use crate::domain::account::Role;
use crate::domain::department::NewDepartment;
use crate::domain::school::NewSchool;
use crate::domain::user::NewUser;

/// How much the demo loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub schools: usize,
    pub departments: usize,
    pub users: usize,
}

const ELEMENTARY: [&str; 24] = [
    "Alder",
    "Bluebonnet",
    "Cedar Ridge",
    "Dogwood",
    "Eastside",
    "Fairview",
    "Garfield",
    "Hillcrest",
    "Ivy Park",
    "Jefferson",
    "Kingsley",
    "Lakeview",
    "Maplewood",
    "Northgate",
    "Oak Grove",
    "Pecan Valley",
    "Quail Run",
    "Riverside",
    "Sunnyslope",
    "Travis Heights",
    "Union Hill",
    "Valley View",
    "Westwood",
    "Willow Creek",
];
const MIDDLE: [&str; 11] = [
    "Bowie",
    "Carver",
    "Dobie",
    "Fulmore",
    "Lamar",
    "Mendez",
    "Murchison",
    "O. Henry",
    "Paredes",
    "Webb",
    "Kealing",
];
const HIGH: [&str; 9] = [
    "Anderson",
    "Crockett",
    "Eastside Early College",
    "Lanier",
    "McCallum",
    "Northeast",
    "Reagan",
    "Travis",
    "Westlake",
];

/// The departments every Communities of Practice team draws from.
pub const DEPARTMENTS: [(&str, &str); 7] = [
    ("Curriculum", "curriculum@district.example.org"),
    ("Special Education", "sped@district.example.org"),
    ("Multilingual", "multilingual@district.example.org"),
    ("Research", "research@district.example.org"),
    ("Leader Development", "leaders@district.example.org"),
    ("Instructional Technology", "instech@district.example.org"),
    ("IT", "it-help@district.example.org"),
];

/// The demo's look-for framework, written for this project; also an example
/// of the JSON import format.
pub const DEMO_FRAMEWORK: &str = include_str!("demo-framework.json");

/// The password of every demo account. Documented in the README; the demo
/// is for trying the product, never for real records.
pub const DEMO_PASSWORD: &str = "visits-demo-2026";

type Person = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static [Role],
);

/// The demo's people: name, email, school code, department, roles.
const PEOPLE: [Person; 10] = [
    (
        "Avery Admin",
        "admin@district.example.org",
        None,
        None,
        &[Role::Admin],
    ),
    (
        "Lena Ortiz",
        "lena.ortiz@district.example.org",
        None,
        Some("Leader Development"),
        &[Role::VisitLead, Role::Visitor],
    ),
    (
        "Marcus Bell",
        "marcus.bell@district.example.org",
        None,
        Some("Curriculum"),
        &[Role::DepartmentHead, Role::Visitor],
    ),
    (
        "Priya Raman",
        "priya.raman@district.example.org",
        None,
        Some("Special Education"),
        &[Role::DepartmentHead, Role::Visitor],
    ),
    (
        "Tomás Aguilar",
        "tomas.aguilar@district.example.org",
        None,
        Some("Multilingual"),
        &[Role::Visitor],
    ),
    (
        "Grace Kim",
        "grace.kim@district.example.org",
        None,
        Some("Research"),
        &[Role::Visitor],
    ),
    (
        "Dev Patel",
        "dev.patel@district.example.org",
        None,
        Some("IT"),
        &[Role::Visitor],
    ),
    (
        "Jordan Reyes",
        "jordan.reyes@district.example.org",
        None,
        Some("Instructional Technology"),
        &[Role::Visitor],
    ),
    (
        "Hannah Brooks",
        "hannah.brooks@district.example.org",
        Some("E101"),
        None,
        &[Role::SchoolLeader],
    ),
    (
        "Samuel Okafor",
        "samuel.okafor@district.example.org",
        Some("M201"),
        None,
        &[Role::SchoolLeader],
    ),
];

/// How to sign in to the demo, one account per role.
pub fn sign_in_help(base_url: &str) -> String {
    let mut help = format!(
        "demo district ready at {base_url}; every demo account's password is {DEMO_PASSWORD}"
    );
    for (name, email, _, _, roles) in PEOPLE {
        let roles: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        help.push_str(&format!("\n  {email:<38} {name} ({})", roles.join(", ")));
    }
    help
}

/// The demo's schools: (code, name, level).
pub fn schools() -> Vec<(String, String, &'static str)> {
    let mut schools = Vec::with_capacity(44);
    for (i, name) in ELEMENTARY.iter().enumerate() {
        schools.push((
            format!("E{}", 101 + i),
            format!("{name} Elementary"),
            "elementary",
        ));
    }
    for (i, name) in MIDDLE.iter().enumerate() {
        schools.push((
            format!("M{}", 201 + i),
            format!("{name} Middle School"),
            "middle",
        ));
    }
    for (i, name) in HIGH.iter().enumerate() {
        schools.push((
            format!("H{}", 301 + i),
            format!("{name} High School"),
            "high",
        ));
    }
    schools
}

fn invalid(what: &str) -> impl Fn(crate::domain::FieldErrors) -> WriteError + '_ {
    move |errors| {
        tracing::error!(record = what, ?errors, "demo data is invalid");
        WriteError::Invalid(errors)
    }
}

/// Loads the demo district in one transaction, unless the database already
/// has schools (then nothing is written and `None` returned).
pub fn load_if_empty(conn: &mut DbConn) -> Result<Option<Loaded>, WriteError> {
    let loaded = db::write_transaction(conn, |conn| -> Result<Option<Loaded>, WriteError> {
        if db::schools::count_all(conn)? > 0 {
            return Ok(None);
        }
        let schools = schools();
        for (code, name, level) in &schools {
            let school = NewSchool::parse(name, code, level, true).map_err(invalid("school"))?;
            db::schools::insert(conn, &school)?;
        }
        for (name, email) in DEPARTMENTS {
            let department =
                NewDepartment::parse(name, email, true).map_err(invalid("department"))?;
            if db::departments::find_by_name(conn, name)?.is_none() {
                db::departments::insert(conn, &department)?;
            }
        }
        // One hash serves every demo account: they share the demo password.
        let hash = crate::auth::password::hash(DEMO_PASSWORD);
        for (name, email, school, department, roles) in PEOPLE {
            let school_id = match school {
                Some(code) => db::schools::find_by_code(conn, code)?.map(|s| s.id),
                None => None,
            };
            let department_id = match department {
                Some(name) => db::departments::find_by_name(conn, name)?.map(|d| d.id),
                None => None,
            };
            let user = NewUser::parse(name, email, true, school_id, department_id)
                .map_err(invalid("user"))?;
            if db::users::find_by_email(conn, email)?.is_none() {
                let id = db::users::insert(conn, &user)?;
                db::accounts::set_password_hash(conn, id, &hash)?;
                db::accounts::set_roles(conn, id, &roles.iter().copied().collect())?;
            }
        }
        let departments = db::frameworks::department_ids(conn)?;
        let framework = crate::domain::framework::from_json(DEMO_FRAMEWORK, &|name| {
            departments.get(&name.to_lowercase()).copied()
        })
        .map_err(|problems| WriteError::field("framework", problems[0].to_string()))?;
        let framework_id = db::frameworks::import(conn, &framework)?.id();
        plan_demo_visits(conn, framework_id)?;
        demo_learning(conn)?;
        Ok(Some(Loaded {
            schools: schools.len(),
            departments: DEPARTMENTS.len(),
            users: PEOPLE.len(),
        }))
    })?;
    // The demo's snapshots, rolled up for the dashboards.
    db::insights::bring_up_to_date(conn)?;
    Ok(loaded)
}

/// The demo's visits: last week's (debriefed) and the rotation for the
/// coming eight weeks, planned the way a lead would with the planner.
fn plan_demo_visits(conn: &mut DbConn, framework_id: i64) -> Result<(), WriteError> {
    use crate::domain::planner::{propose, PlanRequest};
    use crate::domain::visit::{NewVisit, Segment, VisitStatus};

    let email_id = |conn: &mut DbConn, email: &str| -> Result<Option<i64>, WriteError> {
        Ok(db::users::find_by_email(conn, email)?.map(|u| u.id))
    };
    let lead = email_id(conn, "lena.ortiz@district.example.org")?;
    let mut team = std::collections::BTreeSet::new();
    for email in [
        "marcus.bell@district.example.org",
        "priya.raman@district.example.org",
        "tomas.aguilar@district.example.org",
        "dev.patel@district.example.org",
    ] {
        team.extend(email_id(conn, email)?);
    }
    team.extend(lead);
    let all_segments: std::collections::BTreeSet<Segment> = Segment::ALL.into_iter().collect();
    let today = chrono::Utc::now().date_naive();
    let visit = |school_id, date: chrono::NaiveDate, focus: &str| NewVisit {
        school_id,
        date,
        lead_id: lead,
        framework_id: Some(framework_id),
        focus: focus.to_owned(),
        members: team.clone(),
        segments: all_segments.clone(),
    };

    // Two past visits to the demo school leader's campus: one nine weeks
    // ago, published, whose items have moved on since; and last week's,
    // debriefed, with its proposals under review and the earlier items
    // checked. And one published visit to Samuel Okafor's campus.
    let mut past = Vec::new();
    // An earlier visit to the middle school, before this year's training.
    if let Some(school) = db::schools::find_by_code(conn, "M201")? {
        let id = db::visits::insert(
            conn,
            &visit(
                school.id,
                today - chrono::Duration::days(70),
                "Math routines",
            ),
        )?;
        db::visits::advance(conn, id, VisitStatus::InProgress)?;
        observe_demo_visit(conn, id, framework_id, lead.unwrap_or_default(), 3)?;
    }
    for (code, days_ago, focus) in [
        ("E101", 63, "Small-group reading instruction"),
        ("M201", 35, "Student discourse in math"),
        ("E101", 7, "Checking for understanding in reading blocks"),
    ] {
        if let Some(school) = db::schools::find_by_code(conn, code)? {
            let id = db::visits::insert(
                conn,
                &visit(school.id, today - chrono::Duration::days(days_ago), focus),
            )?;
            for status in [VisitStatus::InProgress, VisitStatus::Debriefed] {
                db::visits::advance(conn, id, status)?;
            }
            past.push(id);
        }
    }
    if let [earlier, other, last_week] = past[..] {
        let author = lead.unwrap_or_default();
        for (n, id) in [earlier, other, last_week].into_iter().enumerate() {
            observe_demo_visit(conn, id, framework_id, author, n)?;
            debrief_demo_visit(conn, id, author, n)?;
            db::action_items::generate(conn, id, author)?;
        }
        for id in [earlier, other] {
            resolve_first_problem_item(conn, id, author)?;
            db::action_items::publish(conn, id, author)?;
        }
        move_demo_items(conn, earlier, author)?;
        move_demo_items(conn, other, author)?;
        // Last week's team checked some of the earlier visit's items.
        let carried =
            db::action_items::carried_over(conn, &db::visits::Viewer::everyone(), last_week)?;
        for (item, _) in &carried {
            use crate::domain::action_item::{Check, Status};
            let result = match item.status {
                Status::InProgress => Check::Verified,
                Status::Open => Check::StillOpen,
                _ => continue,
            };
            db::action_items::check(
                conn,
                item.id,
                last_week,
                result,
                "Seen on the walk-through",
                author,
            )?;
        }
    }
    let campuses = db::visits::campuses_for_planning(conn)?;
    let request = PlanRequest {
        start: today + chrono::Duration::days(1),
        weekday: chrono::Weekday::Wed,
        weeks: 8,
        closed: std::collections::BTreeSet::new(),
    };
    for proposal in propose(&campuses, &request) {
        db::visits::insert(conn, &visit(proposal.school_id, proposal.date, ""))?;
    }
    Ok(())
}

/// The demo's catalogue: a summer series, the Wednesday training and a
/// personalised-learning training of 22 seats; the elementary campus sent
/// six teachers to a Wednesday session on checks for understanding six
/// weeks ago (and its item from the visit before is linked to it), the
/// middle school registered for the personalised-learning training.
fn demo_learning(conn: &mut DbConn) -> Result<(), WriteError> {
    use crate::domain::learning::{Audience, Format, NewOffering, NewSeries, NewSession};
    let today = chrono::Utc::now().date_naive();
    let day = |n: i64| today + chrono::Duration::days(n);
    let time = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let department = |conn: &mut DbConn, name: &str| -> Result<i64, WriteError> {
        db::departments::find_by_name(conn, name)?
            .map(|d| d.id)
            .ok_or_else(|| WriteError::field("department", name.to_owned()))
    };
    let person = |conn: &mut DbConn, email: &str| -> Result<Option<i64>, WriteError> {
        Ok(db::users::find_by_email(conn, email)?.map(|u| u.id))
    };
    let summer = db::learning::insert_series(
        conn,
        &NewSeries {
            name: "Summer Professional Learning Series".into(),
            description:
                "Three days of sessions for campus leaders and teachers, on site and online.".into(),
        },
    )?;
    let wednesday = db::learning::insert_series(
        conn,
        &NewSeries {
            name: "Wednesday extended-day training".into(),
            description: "Every Wednesday afternoon, run with the central-office departments."
                .into(),
        },
    )?;
    // (title, description, format, department, audience, credit tenths, look-fors)
    type Offering<'a> = (
        &'a str,
        &'a str,
        Format,
        &'a str,
        Audience,
        i32,
        &'a [&'a str],
    );
    let offerings: [Offering; 4] = [
        (
            "Checks for understanding that reach every student",
            "Whiteboards, cold calls and exit tickets, planned before the lesson and used in it.",
            Format::OnSite,
            "Curriculum",
            Audience::Teachers,
            30,
            &["CU1", "CU2"],
        ),
        (
            "Personalised learning: one device, many paths",
            "At most 22 teachers: the same elements are the teachers' entry points and the observers' look-fors.",
            Format::Blended,
            "Instructional Technology",
            Audience::Teachers,
            60,
            &["SE4", "LE3"],
        ),
        (
            "Language objectives in every lesson",
            "Writing and using a language objective with sentence frames.",
            Format::Online,
            "Multilingual",
            Audience::Both,
            15,
            &["LG4", "SE2"],
        ),
        (
            "Leading PLCs that look at student work",
            "For campus leaders: protocols for looking at student work together.",
            Format::OnSite,
            "Leader Development",
            Audience::Leaders,
            20,
            &["CP1", "CP4"],
        ),
    ];
    let mut ids = Vec::new();
    for (title, description, format, dept, audience, credit, codes) in offerings {
        let department_id = department(conn, dept)?;
        ids.push(db::learning::insert_offering(
            conn,
            &NewOffering {
                title: title.into(),
                description: description.into(),
                format,
                department_id,
                audience,
                credit_tenths: credit,
                look_fors: codes.iter().map(|c| c.to_string()).collect(),
                active: true,
            },
        )?);
    }
    let curriculum_staff = person(conn, "marcus.bell@district.example.org")?;
    let tech = person(conn, "dev.patel@district.example.org")?;
    let session = |conn: &mut DbConn,
                   offering: i64,
                   series: Option<i64>,
                   on: i64,
                   (from, to): ((u32, u32), (u32, u32)),
                   place: &str,
                   capacity: i32,
                   facilitator: Option<i64>|
     -> Result<i64, WriteError> {
        db::learning::insert_session(
            conn,
            offering,
            &NewSession {
                series_id: series,
                on_date: day(on),
                starts_at: time(from.0, from.1),
                ends_at: time(to.0, to.1),
                place: place.into(),
                capacity,
                facilitator_id: facilitator,
                cancelled: false,
            },
        )
    };
    let afternoon = ((13, 30), (16, 0));
    let held = session(
        conn,
        ids[0],
        Some(wednesday),
        -42,
        afternoon,
        "Central Office, room 4",
        22,
        curriculum_staff,
    )?;
    let next_cfu = session(
        conn,
        ids[0],
        Some(wednesday),
        9,
        afternoon,
        "Central Office, room 4",
        22,
        curriculum_staff,
    )?;
    let personalised = session(
        conn,
        ids[1],
        Some(wednesday),
        16,
        afternoon,
        "Innovation Lab, Lincoln High",
        22,
        tech,
    )?;
    session(
        conn,
        ids[1],
        Some(wednesday),
        30,
        afternoon,
        "Innovation Lab, Lincoln High",
        22,
        tech,
    )?;
    session(
        conn,
        ids[2],
        Some(summer),
        200,
        ((9, 0), (12, 0)),
        "https://meet.district.example.org/language",
        60,
        None,
    )?;
    session(
        conn,
        ids[3],
        Some(summer),
        201,
        ((9, 0), (15, 0)),
        "Lincoln High library",
        40,
        None,
    )?;

    let campus = |conn: &mut DbConn, code: &str| -> Result<Option<i64>, WriteError> {
        Ok(db::schools::find_by_code(conn, code)?.map(|s| s.id))
    };
    let leader = person(conn, "hannah.brooks@district.example.org")?.unwrap_or_default();
    let other_leader = person(conn, "samuel.okafor@district.example.org")?.unwrap_or(leader);
    let (Some(elementary), Some(middle)) = (campus(conn, "E101")?, campus(conn, "M201")?) else {
        return Ok(());
    };
    // Registered while the session was ahead; it has since taken place.
    for (session_id, school, n, attended) in [
        (held, elementary, 6, Some(6)),
        (next_cfu, elementary, 4, None),
        (personalised, elementary, 6, None),
        (personalised, middle, 10, None),
    ] {
        let by = if school == middle {
            other_leader
        } else {
            leader
        };
        db::learning::register(conn, session_id, school, n, "", by, day(-60))?;
        if let Some(attended) = attended {
            db::learning::mark_attendance(conn, session_id, &[(school, attended)], today)?;
        }
    }
    // The elementary campus's Curriculum item from the visit before the
    // session is linked to it.
    let items = db::action_items::list(
        conn,
        &db::visits::Viewer::everyone(),
        &db::action_items::Filter {
            school_id: Some(elementary),
            published_only: true,
            ..Default::default()
        },
    )?;
    if let Some(item) = items
        .iter()
        .find(|i| i.look_fors.iter().any(|l| l.code.starts_with("CU")))
    {
        db::learning::link_item(conn, item.id, None, Some(held), leader)?;
    }
    Ok(())
}

/// Nine snapshots across settings, ticked in a fixed pattern that leaves
/// some look-fors weak and others strong (`salt` varies it per visit).
fn observe_demo_visit(
    conn: &mut DbConn,
    visit_id: i64,
    framework_id: i64,
    author: i64,
    salt: usize,
) -> Result<(), WriteError> {
    use crate::domain::observation::{IdempotencyKey, NewObservation, RawObservation, Tick};
    let indicators: Vec<i64> = db::frameworks::load(conn, framework_id)?
        .domains
        .iter()
        .flat_map(|d| d.indicators.iter().map(|i| i.id))
        .collect();
    let settings = [
        "classroom",
        "classroom",
        "classroom",
        "collaboration",
        "planning",
    ];
    for n in 0..9 {
        let ticks = indicators
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let tick = match (n * 7 + k * 3 + salt * 5) % 10 {
                    0..=3 if k % 4 != 1 => Tick::Observed,
                    0..=5 => Tick::Partly,
                    6..=8 => Tick::NotObserved,
                    _ => Tick::NotApplicable,
                };
                // Last week's visit to the campus that took the training
                // on checks for understanding (CU1) sees it more often.
                let tick = if salt == 2 && k == 4 && tick == Tick::Partly {
                    Tick::Observed
                } else {
                    tick
                };
                (*id, tick)
            })
            .collect();
        let room = format!("{}{}", ["A", "B", "C"][n % 3], 100 + n);
        let raw = RawObservation {
            setting: settings[n % settings.len()],
            room: &room,
            grade_band: ["K-2", "3-5", "6-8"][n % 3],
            notes: "Students worked in pairs; the teacher circulated with a checklist.",
            ..Default::default()
        };
        let observation = NewObservation::parse(&raw, ticks).map_err(invalid("observation"))?;
        let key = IdempotencyKey::parse(&format!("demo-{visit_id}-{n}"))
            .map_err(|m| WriteError::field("key", m))?;
        db::observations::submit(conn, visit_id, author, &key, &observation, None)?;
    }
    Ok(())
}

fn debrief_demo_visit(
    conn: &mut DbConn,
    visit_id: i64,
    author: i64,
    salt: usize,
) -> Result<(), WriteError> {
    let tag =
        |conn: &mut DbConn, name: &str| -> Result<std::collections::BTreeSet<i64>, WriteError> {
            Ok(db::departments::find_by_name(conn, name)?
                .map(|d| d.id)
                .into_iter()
                .collect())
        };
    let problems = [
        (
            "Intervention time is not planned from data".to_owned(),
            tag(conn, "Special Education")?,
        ),
        (
            if salt == 1 {
                "Projectors in the math wing fail".to_owned()
            } else {
                "Laptop carts are not charged before first period".to_owned()
            },
            tag(conn, "IT")?,
        ),
    ];
    let debrief = crate::domain::debrief::NewDebrief::parse(
        "Warm, orderly classrooms; students know the routines.",
        "Reading curriculum pacing matches the district calendar.",
        "Principal, assistant principal, two team leads",
        &problems,
    )
    .map_err(invalid("debrief"))?;
    db::debriefs::save(conn, visit_id, author, &debrief)
}

/// The IT item of the visit's problems: fixed during the visit.
fn resolve_first_problem_item(
    conn: &mut DbConn,
    visit_id: i64,
    author: i64,
) -> Result<(), WriteError> {
    use crate::domain::action_item::Status;
    let items = visit_items(conn, visit_id)?;
    if let Some(item) = items
        .iter()
        .rfind(|i| i.department.is_some() && i.look_fors.is_empty())
    {
        change_demo_item(
            conn,
            item,
            Status::Resolved,
            "",
            "Dev Patel fixed it on the spot.",
            author,
        )?;
    }
    Ok(())
}

fn visit_items(
    conn: &mut DbConn,
    visit_id: i64,
) -> Result<Vec<db::action_items::Item>, WriteError> {
    Ok(db::action_items::list(
        conn,
        &db::visits::Viewer::everyone(),
        &db::action_items::Filter {
            visit_id: Some(visit_id),
            ..Default::default()
        },
    )?)
}

fn change_demo_item(
    conn: &mut DbConn,
    item: &db::action_items::Item,
    status: crate::domain::action_item::Status,
    reason: &str,
    note: &str,
    author: i64,
) -> Result<(), WriteError> {
    let change = db::action_items::Change {
        version: item.version,
        title: None,
        evidence: None,
        status,
        reason: reason.to_owned(),
        owner_id: item.owner.as_ref().map(|o| o.id),
        due_on: item.due_on,
        priority: item.priority,
        note: note.to_owned(),
    };
    db::action_items::change(conn, item.id, &change, author)?;
    Ok(())
}

/// Moves the earlier visit's open items along, one to each status.
fn move_demo_items(conn: &mut DbConn, visit_id: i64, author: i64) -> Result<(), WriteError> {
    use crate::domain::action_item::Status;
    let steps = [
        (
            Status::InProgress,
            "",
            "Coaching cycle started with grade 2.",
        ),
        (Status::Done, "", "New schedule posted in every room."),
        (
            Status::Blocked,
            "Waiting for the new assessment licences",
            "",
        ),
        (Status::Dropped, "Covered by the district-wide rollout", ""),
    ];
    let open: Vec<_> = visit_items(conn, visit_id)?
        .into_iter()
        .filter(|i| i.status == Status::Open)
        .collect();
    for (item, (status, reason, note)) in open.iter().zip(steps) {
        change_demo_item(conn, item, status, reason, note, author)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::school::SchoolLevel;

    #[test]
    fn demo_has_44_valid_campuses_of_every_level() {
        let schools = schools();
        assert_eq!(schools.len(), 44);
        let mut codes: Vec<_> = schools.iter().map(|s| s.0.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 44, "codes are unique");
        for level in [
            SchoolLevel::Elementary,
            SchoolLevel::Middle,
            SchoolLevel::High,
        ] {
            assert!(schools.iter().any(|s| s.2 == level.as_str()));
        }
        for (code, name, level) in schools {
            assert!(
                NewSchool::parse(&name, &code, level, true).is_ok(),
                "{code}"
            );
        }
    }
}
