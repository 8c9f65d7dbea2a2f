//! The dashboards' numbers against a small district worked out by hand, and
//! who may open each of them.
//!
//! Oak Middle (program "Dual language") and Elm Elementary ("Title I"); the
//! look-fors I1 (Curriculum), I2 (Technology), I3 (no department).
//!
//! | visit | snapshots | I1 | I2 | I3 |
//! | --- | --- | --- | --- | --- |
//! | Oak, 2025-09-10 | 4 | O N N na → 1 of 3 = 33% | O O O P → 3 of 4 = 75% | P N N N → 0 of 4 = 0% |
//! | Oak, 2026-01-20 | 2 | O O → 2 of 2 = 100% | O N → 1 of 2 = 50% | N na → 0 of 1 = 0% |
//! | Elm, 2026-02-01 | 3 | O O N → 2 of 3 = 67% | N N N → 0 of 3 = 0% | O O O → 3 of 3 = 100% |
//!
//! Oak's first visit is published with the generated items: Curriculum's
//! (I1 at 33% is weak) and a school step (I3 at 0%); I2 at 75% is not weak.
//! Curriculum's item is then done; the second visit finds the step still
//! open. Oak's next visit is planned for 2099-03-01.

use std::collections::BTreeSet;

use campus_visits::db;
use campus_visits::db::action_items::{Change, Filter};
use campus_visits::db::visits::Viewer;
use campus_visits::domain::account::Role;
use campus_visits::domain::action_item::{Check, Kind, Status};
use campus_visits::domain::observation::{IdempotencyKey, NewObservation, RawObservation, Tick};
use campus_visits::domain::visit::{NewVisit, VisitStatus};
use chrono::NaiveDate;

use crate::helpers::{spawn_app, TestApp, TestUser};
use crate::items::{signed_in, story, Story};

use Tick::{NotApplicable as NA, NotObserved as N, Observed as O, Partly as P};

fn day(raw: &str) -> NaiveDate {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
}

fn visit_on(app: &TestApp, s: &Story, school: i64, date: &str, team: &TestUser) -> i64 {
    let visit = NewVisit {
        school_id: school,
        date: day(date),
        lead_id: Some(s.lead.id),
        framework_id: Some(s.framework),
        focus: String::new(),
        members: [team.id].into_iter().collect(),
        segments: BTreeSet::new(),
    };
    db::visits::insert(&mut app.conn(), &visit).unwrap()
}

/// One snapshot per column of `ticks` (rows are I1, I2, I3).
fn snapshots(app: &TestApp, s: &Story, visit_id: i64, by: &TestUser, ticks: [&[Tick]; 3]) {
    let mut conn = app.conn();
    for (n, first) in ticks[0].iter().enumerate() {
        let these = [
            (s.indicators[0], *first),
            (s.indicators[1], ticks[1][n]),
            (s.indicators[2], ticks[2][n]),
        ];
        let notes = format!("Note {n}");
        let raw = RawObservation {
            setting: "classroom",
            notes: &notes,
            ..Default::default()
        };
        let observation = NewObservation::parse(&raw, these.into_iter().collect()).unwrap();
        let key = IdempotencyKey::parse(&format!("visit-{visit_id}-snapshot-{n}")).unwrap();
        db::observations::submit(&mut conn, visit_id, by.id, &key, &observation, None).unwrap();
    }
}

pub struct District {
    pub s: Story,
    pub elm: i64,
    pub elm_leader: TestUser,
    pub oak_first: i64,
    pub oak_second: i64,
    pub curriculum_item: i64,
    pub step: i64,
}

pub fn district(app: &TestApp) -> District {
    let s = story(app);
    let mut conn = app.conn();
    let oak = db::schools::find(&mut conn, s.school).unwrap();
    db::schools::update(
        &mut conn,
        s.school,
        &campus_visits::domain::school::NewSchool::parse_with_program(
            &oak.name,
            &oak.code,
            "middle",
            "Dual language",
            true,
        )
        .unwrap(),
    )
    .unwrap();
    let elm = db::schools::insert(
        &mut conn,
        &campus_visits::domain::school::NewSchool::parse_with_program(
            "Elm Elementary",
            "ELM",
            "elementary",
            "Title I",
            true,
        )
        .unwrap(),
    )
    .unwrap();
    let elm_leader = app.create_user(&[Role::SchoolLeader], Some(elm), None);

    let oak_first = visit_on(app, &s, s.school, "2025-09-10", &s.visitor);
    snapshots(
        app,
        &s,
        oak_first,
        &s.visitor,
        [&[O, N, N, NA], &[O, O, O, P], &[P, N, N, N]],
    );
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut conn, oak_first, to).unwrap();
    }
    db::action_items::generate(&mut conn, oak_first, s.lead.id).unwrap();
    db::action_items::publish(&mut conn, oak_first, s.lead.id).unwrap();
    let admin = Viewer {
        user_id: 0,
        roles: [Role::Admin].into_iter().collect(),
        school_id: None,
        department_id: None,
    };
    let items = db::action_items::list(
        &mut conn,
        &admin,
        &Filter {
            visit_id: Some(oak_first),
            ..Filter::default()
        },
    )
    .unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    let (curriculum, step) = crate::items::curriculum_and_step(&items, &s);
    let (curriculum, step) = (curriculum.clone(), step.clone());
    assert_eq!(step.kind, Kind::School);
    assert_eq!(curriculum.look_fors[0].id, s.indicators[0]);
    assert_eq!(step.look_fors[0].id, s.indicators[2]);
    db::action_items::change(
        &mut conn,
        curriculum.id,
        &Change {
            version: curriculum.version,
            title: None,
            evidence: None,
            status: Status::Done,
            reason: String::new(),
            owner_id: curriculum.owner.as_ref().map(|o| o.id),
            due_on: curriculum.due_on,
            priority: curriculum.priority,
            note: "Modelled in three PLCs".into(),
        },
        s.head.id,
    )
    .unwrap();

    let oak_second = visit_on(app, &s, s.school, "2026-01-20", &s.visitor);
    snapshots(
        app,
        &s,
        oak_second,
        &s.visitor,
        [&[O, O], &[O, N], &[N, NA]],
    );
    db::visits::advance(&mut conn, oak_second, VisitStatus::InProgress).unwrap();
    db::action_items::check(
        &mut conn,
        step.id,
        oak_second,
        Check::StillOpen,
        "Targets posted in two rooms",
        s.lead.id,
    )
    .unwrap();
    visit_on(app, &s, s.school, "2099-03-01", &s.visitor);

    let elm_visit = visit_on(app, &s, elm, "2026-02-01", &s.visitor);
    snapshots(
        app,
        &s,
        elm_visit,
        &s.visitor,
        [&[O, O, N], &[N, N, N], &[O, O, O]],
    );
    db::visits::advance(&mut conn, elm_visit, VisitStatus::InProgress).unwrap();
    District {
        s,
        elm,
        elm_leader,
        oak_first,
        oak_second,
        curriculum_item: curriculum.id,
        step: step.id,
    }
}

/// The heat map's cells (their visible text) in the row naming `campus`.
fn heat_row(page: &str, campus: &str) -> Vec<String> {
    let row = page
        .split("<tr>")
        .find(|row| row.contains(&format!(">{campus}</a>")))
        .unwrap_or_else(|| panic!("a row for {campus}"));
    row.split("<td class=\"heat")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find('>').unwrap() + 1..];
            text[..text.find('<').unwrap()].to_owned()
        })
        .collect()
}

fn has_row(page: &str, campus: &str) -> bool {
    page.contains(&format!(">{campus}</a></th>"))
}

#[tokio::test]
async fn the_overview_shows_each_campus_s_latest_evidence_coverage_and_items() {
    let app = spawn_app().await;
    let d = district(&app);
    let lead = signed_in(&app, &d.s.lead).await;

    let page = lead.get_text("/overview?sort=name").await;
    assert_eq!(heat_row(&page, "Oak Middle"), ["100%", "50%", "0%"]);
    assert_eq!(heat_row(&page, "Elm Elementary"), ["67%", "0%", "100%"]);
    // The exact counts, for screen readers and the cell's title.
    assert!(page.contains("Oak Middle, Checks for understanding: 100% (2 of 2)"));
    assert!(page.contains("Elm Elementary, Devices ready: 0% (0 of 3)"));
    // Coverage: the last visit under way or past, the next planned one.
    let oak = page
        .split("<tr>")
        .find(|r| r.contains(">Oak Middle</a>"))
        .unwrap();
    assert!(
        oak.contains("Jan 20, 2026") && oak.contains("Mar 1, 2099"),
        "{oak}"
    );
    let elm = page
        .split("<tr>")
        .find(|r| r.contains(">Elm Elementary</a>"))
        .unwrap();
    assert!(elm.contains("Feb 1, 2026") && elm.contains("—"), "{elm}");
    // Weakest first by default: Elm (5 of 9 = 56%) before Oak (3 of 5 = 60%).
    let page = lead.get_text("/overview").await;
    assert!(page.find(">Elm Elementary</a>").unwrap() < page.find(">Oak Middle</a>").unwrap());

    // Filters: level, program, and a date range that reaches back to Oak's
    // first visit, where Elm has no evidence yet.
    let page = lead.get_text("/overview?level=elementary").await;
    assert!(has_row(&page, "Elm Elementary") && !has_row(&page, "Oak Middle"));
    let page = lead.get_text("/overview?program=Dual+language").await;
    assert!(has_row(&page, "Oak Middle") && !has_row(&page, "Elm Elementary"));
    let page = lead.get_text("/overview?to=2025-12-31&sort=name").await;
    assert_eq!(heat_row(&page, "Oak Middle"), ["33%", "75%", "0%"]);
    assert_eq!(heat_row(&page, "Elm Elementary"), ["–", "–", "–"]);
    let bad = lead.get("/overview?from=yesterday").await;
    assert_eq!(bad.status(), 400);
    let bad = lead.get("/overview?from=2026-02-01&to=2026-01-01").await;
    assert_eq!(bad.status(), 400);

    // Items by department and status: Curriculum's done item (done is not
    // overdue), the campus step open and past its due day.
    let page = lead.get_text("/overview").await;
    let items = &page[page.find("id=\"items\"").unwrap()..];
    let curriculum = items
        .split("<tr>")
        .find(|r| r.contains(">Curriculum</a>"))
        .unwrap();
    let steps = items
        .split("<tr>")
        .find(|r| r.contains("Campus action steps"))
        .unwrap();
    // Columns: open, in progress, done, verified, blocked, dropped, resolved, overdue, all.
    let numbers = |row: &str| -> Vec<String> {
        row.split("<td class=\"num\">")
            .skip(1)
            .map(|c| {
                c[..c.find("</td>").unwrap()]
                    .replace("<strong>", "")
                    .replace("</strong>", "")
            })
            .collect()
    };
    assert_eq!(
        numbers(curriculum),
        ["0", "0", "1", "0", "0", "0", "0", "0", "1"]
    );
    assert_eq!(
        numbers(steps),
        ["1", "0", "0", "0", "0", "0", "0", "1", "1"]
    );
}

#[tokio::test]
async fn the_campus_page_shows_each_look_for_over_time_visits_and_checks() {
    let app = spawn_app().await;
    let d = district(&app);
    let leader = signed_in(&app, &d.s.leader).await;
    let page = leader.get_text(&format!("/schools/{}", d.s.school)).await;
    // Each look-for's chart and its numbers, oldest visit first.
    let trend = |code: &str| -> String {
        let start = page.find(&format!("<h3>{code} ")).unwrap();
        page[start..start + page[start..].find("</li>").unwrap()].to_owned()
    };
    let i1 = trend("I1");
    assert!(i1.contains("<svg") && i1.contains("role=\"img\""));
    assert!(
        i1.contains("Sep 2025: 33% (1 of 3); Jan 2026: 100% (2 of 2)"),
        "the chart's description: {i1}"
    );
    assert!(trend("I2").contains("Sep 2025: 75% (3 of 4); Jan 2026: 50% (1 of 2)"));
    assert!(trend("I3").contains("Sep 2025: 0% (0 of 4); Jan 2026: 0% (0 of 1)"));
    // Visits, newest first, with their snapshots.
    let visits = &page[page.find("id=\"visits\"").unwrap()..page.find("id=\"items\"").unwrap()];
    let order: Vec<usize> = ["Mar 1, 2099", "Jan 20, 2026", "Sep 10, 2025"]
        .iter()
        .map(|d| visits.find(d).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{visits}");
    assert!(visits.contains(&format!("/visits/{}/report", d.oak_first)));
    let snaps: Vec<&str> = visits
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| &c[..c.find('<').unwrap()])
        .collect();
    assert_eq!(snaps, ["0", "2", "4"]);
    // Items with what the later visit found.
    let items = &page[page.find("id=\"items\"").unwrap()..];
    let step = items
        .split("<tr>")
        .find(|r| r.contains(&format!("/items/{}\"", d.step)))
        .unwrap();
    assert!(
        step.contains("Jan 20, 2026: <strong>Still open</strong> — Targets posted in two rooms")
    );
    let done = items
        .split("<tr>")
        .find(|r| r.contains(&format!("/items/{}\"", d.curriculum_item)))
        .unwrap();
    assert!(done.contains("Done") && done.contains("Not checked yet") && !done.contains("Overdue"));
    // The second visit is listed; its page links back.
    assert!(page.contains(&format!("/visits/{}", d.oak_second)));
}

#[tokio::test]
async fn the_department_page_shows_workload_pace_and_its_weakest_look_fors() {
    let app = spawn_app().await;
    let d = district(&app);
    let head = signed_in(&app, &d.s.head).await;
    let page = head
        .get_text(&format!("/departments/{}", d.s.curriculum))
        .await;
    // I1 across the latest visits: Oak 2 of 2 and Elm 2 of 3 = 4 of 5.
    let weakest =
        &page[page.find("id=\"weakest\"").unwrap()..page.find("id=\"workload\"").unwrap()];
    assert!(weakest.contains("I1 Checks for understanding</td><td class=\"share\">80% (4 of 5)</td><td class=\"num\">2</td>"), "{weakest}");
    assert!(
        !weakest.contains("I2"),
        "Technology's look-for is not Curriculum's"
    );
    // Workload: Oak has one done item, nothing overdue.
    let workload =
        &page[page.find("id=\"workload\"").unwrap()..page.find("id=\"overdue\"").unwrap()];
    let oak = workload
        .split("<tr>")
        .find(|r| r.contains("Oak Middle"))
        .unwrap();
    assert!(
        oak.ends_with("<td class=\"num\">0</td><td class=\"num\">1</td></tr>")
            || oak.contains("<td class=\"num\">0</td><td class=\"num\">1</td></tr>"),
        "{oak}"
    );
    assert!(page.contains("Nothing is overdue."));
    // Median days from the visit to done: one item, done today.
    let days = (chrono::Utc::now().date_naive() - day("2025-09-10")).num_days();
    assert!(
        page.contains(&format!("{days} days (over 1 item done)")),
        "{page}"
    );

    // Once its due day has passed without it being done, it is overdue.
    let mut conn = app.conn();
    let item = db::action_items::list(
        &mut conn,
        &Viewer {
            user_id: 0,
            roles: [Role::Admin].into_iter().collect(),
            school_id: None,
            department_id: None,
        },
        &Filter {
            id: Some(d.curriculum_item),
            ..Filter::default()
        },
    )
    .unwrap()
    .remove(0);
    db::action_items::change(
        &mut conn,
        item.id,
        &Change {
            version: item.version,
            title: None,
            evidence: None,
            status: Status::InProgress,
            reason: String::new(),
            owner_id: item.owner.as_ref().map(|o| o.id),
            due_on: Some(day("2025-10-10")),
            priority: item.priority,
            note: "Reopened: grade 8 still to do".into(),
        },
        d.s.head.id,
    )
    .unwrap();
    let page = head
        .get_text(&format!("/departments/{}", d.s.curriculum))
        .await;
    let overdue = &page[page.find("id=\"overdue\"").unwrap()..];
    assert!(overdue.contains("The oldest 1 of 1, by due day."));
    assert!(overdue.contains("Oct 10, 2025"));
    // Its first done day still counts for the pace.
    assert!(page.contains(&format!("{days} days (over 1 item done)")));
}

#[tokio::test]
async fn impact_compares_each_item_s_look_for_at_the_next_visit() {
    let app = spawn_app().await;
    let d = district(&app);
    let lead = signed_in(&app, &d.s.lead).await;
    let page = lead.get_text("/impact").await;
    // Curriculum: I1 went from 1 of 3 to 2 of 2 (+66.7 points); the campus
    // step's I3 from 0 of 4 to 0 of 1 (no change).
    let summary = |name: &str| -> String {
        page.split("<tr>")
            .find(|r| r.contains(&format!(">{name}</th>")))
            .unwrap_or_else(|| panic!("a row for {name}"))
            .to_owned()
    };
    assert!(
        summary("Curriculum").contains(
            "<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">+66.7 points</td>"
        ),
        "{}",
        summary("Curriculum")
    );
    assert!(summary("Campus action steps").contains(
        "<td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">+0.0 points</td>"
    ));
    assert!(page.contains("Sep 10, 2025: 33% (1 of 3)"));
    assert!(page.contains("Jan 20, 2026: 100% (2 of 2)"));
    assert!(page.contains("Improved") && page.contains("No change"));

    // A department head sees their own department only.
    let head = signed_in(&app, &d.s.head).await;
    let page = head.get_text("/impact").await;
    assert!(page.contains("+66.7 points") && !page.contains("Campus action steps"));
    let other = head
        .get(&format!("/impact?department={}", d.s.technology))
        .await;
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn each_page_is_for_the_people_it_concerns() {
    let app = spawn_app().await;
    let d = district(&app);
    let oak = d.s.school;
    let curriculum = d.s.curriculum;
    let cases: Vec<(&TestUser, String, u16)> = vec![
        (&d.s.lead, "/overview".into(), 200),
        (&d.s.leader, "/overview".into(), 403),
        (&d.s.head, "/overview".into(), 403),
        (&d.s.visitor, "/overview".into(), 403),
        (&d.s.leader, format!("/schools/{oak}"), 200),
        (&d.elm_leader, format!("/schools/{oak}"), 404),
        (&d.elm_leader, format!("/schools/{}", d.elm), 200),
        (&d.s.head, format!("/schools/{oak}"), 404),
        (&d.s.visitor, format!("/schools/{oak}"), 404),
        (&d.s.lead, format!("/schools/{oak}"), 200),
        (&d.s.head, format!("/departments/{curriculum}"), 200),
        (&d.s.tech_head, format!("/departments/{curriculum}"), 404),
        (&d.s.leader, format!("/departments/{curriculum}"), 404),
        (&d.s.lead, format!("/departments/{curriculum}"), 200),
        (&d.s.leader, "/impact".into(), 403),
        (&d.s.visitor, "/impact".into(), 403),
        (&d.s.tech_head, "/impact".into(), 200),
        (&d.s.lead, "/schools/999999".into(), 404),
        (&d.s.lead, "/departments/999999".into(), 404),
    ];
    for (user, path, expected) in cases {
        let browser = signed_in(&app, user).await;
        let status = browser.get(&path).await.status().as_u16();
        assert_eq!(status, expected, "{} GET {path}", user.email);
    }
    // Elm's leader sees Elm's numbers only: no Oak anywhere on the page.
    let elm = signed_in(&app, &d.elm_leader).await;
    let page = elm.get_text(&format!("/schools/{}", d.elm)).await;
    assert!(!page.contains("Oak Middle"));
}

#[tokio::test]
async fn a_generated_district_fills_every_page() {
    let app = spawn_app().await;
    let scale = campus_visits::scale::Scale {
        campuses: 50,
        years: 1,
        visits_per_year: 3,
        snapshots: 4,
        items: 3,
        offerings: 6,
    };
    let generated = campus_visits::scale::generate(&mut app.conn(), scale)
        .unwrap()
        .expect("an empty database");
    assert_eq!(generated.campuses, 50);
    // Campuses without demo visits get past visits of 4 snapshots of 20
    // look-fors each, and one planned visit.
    assert!(generated.visits >= 6 * 2, "{generated}");
    assert_eq!(generated.observations % 4, 0);
    assert_eq!(generated.ticks, generated.observations * 20);
    assert!(generated.items > 0 && generated.updates >= generated.items);
    // The catalogue: 6 offerings, each with a session a quarter and two to
    // come, each session registered by 8 campuses.
    assert_eq!(generated.offerings, 6);
    assert_eq!(generated.sessions, 6 * (4 + 2));
    assert_eq!(generated.registrations, generated.sessions * 8);
    assert_tallies_match(&app);
    assert!(
        campus_visits::scale::generate(&mut app.conn(), scale)
            .unwrap()
            .is_none(),
        "only into an empty database"
    );

    app.sign_in_as(&[Role::Admin]).await;
    let overview = app.get_text("/overview?sort=name").await;
    assert!(has_row(&overview, "Campus 0050"));
    assert_eq!(heat_row(&overview, "Campus 0050").len(), 20);
    let school = db::schools::find_by_code(&mut app.conn(), "C0050")
        .unwrap()
        .unwrap();
    let campus = app.get_text(&format!("/schools/{}", school.id)).await;
    assert_eq!(campus.matches("<svg").count(), 20, "one chart per look-for");
    let curriculum = db::departments::find_by_name(&mut app.conn(), "Curriculum")
        .unwrap()
        .unwrap();
    let department = app
        .get_text(&format!("/departments/{}", curriculum.id))
        .await;
    assert!(department.contains("Median days from visit to done"));
    assert!(department.contains("Upcoming learning for weak look-fors"));
    assert!(app.get_text("/impact").await.contains("Improved"));
    let catalogue = app.get_text("/learning").await;
    assert!(catalogue.contains("practice, part 1"), "{catalogue}");
    let learning = app.get_text("/insights/learning").await;
    assert!(learning.contains("practice, part 1"), "{learning}");
}

#[derive(diesel::QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Tally {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    department_key: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The tallies the triggers keep are the items counted afresh.
pub fn assert_tallies_match(app: &TestApp) {
    use campus_visits::db::raw::load;
    let mut conn = app.conn();
    let mut kept: Vec<Tally> = load(
        &mut conn,
        "SELECT department_key, status, n FROM item_tallies WHERE n <> 0",
        &[],
    )
    .unwrap();
    let mut counted: Vec<Tally> = load(
        &mut conn,
        "SELECT COALESCE(department_id, 0) AS department_key, status, COUNT(*) AS n \
         FROM action_items GROUP BY COALESCE(department_id, 0), status",
        &[],
    )
    .unwrap();
    kept.sort();
    counted.sort();
    assert_eq!(kept, counted);
}

#[derive(diesel::QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RollupRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    visit_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    indicator_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    observed: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    partly: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    not_observed: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    not_applicable: i64,
}

#[derive(diesel::QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Totals {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    observed: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    applicable: Option<i64>,
}

fn kept_evidence(app: &TestApp) -> (Vec<RollupRow>, Vec<Totals>) {
    use campus_visits::db::raw::load;
    let mut conn = app.conn();
    let mut rollups: Vec<RollupRow> = load(
        &mut conn,
        "SELECT visit_id, indicator_id, CAST(observed AS BIGINT) AS observed, \
         CAST(partly AS BIGINT) AS partly, CAST(not_observed AS BIGINT) AS not_observed, \
         CAST(not_applicable AS BIGINT) AS not_applicable FROM visit_look_for_rollups",
        &[],
    )
    .unwrap();
    let mut totals: Vec<Totals> = load(
        &mut conn,
        "SELECT id, CAST(evidence_observed AS BIGINT) AS observed, \
         CAST(evidence_applicable AS BIGINT) AS applicable FROM visits",
        &[],
    )
    .unwrap();
    rollups.sort();
    totals.sort();
    (rollups, totals)
}

/// The roll-ups and totals kept as snapshots arrive are those rebuilt from
/// every tick.
fn assert_evidence_kept_exactly(app: &TestApp) {
    campus_visits::db::insights::bring_up_to_date(&mut app.conn()).unwrap();
    let kept = kept_evidence(app);
    assert!(!kept.0.is_empty());
    campus_visits::db::insights::rebuild_rollups(&mut app.conn()).unwrap();
    assert_eq!(kept_evidence(app), kept);
}

#[tokio::test]
async fn snapshots_stored_at_once_keep_the_roll_up_exact() {
    let app = spawn_app().await;
    let d = district(&app);
    assert_evidence_kept_exactly(&app);
    // Eight people store snapshots of one visit at the same time, each on
    // a connection of their own.
    let visit = visit_on(&app, &d.s, d.elm, "2026-03-03", &d.s.visitor);
    let people: Vec<TestUser> = (0..8)
        .map(|_| app.create_user(&[Role::Visitor], None, None))
        .collect();
    let mut conn = app.conn();
    for person in &people {
        campus_visits::db::raw::execute(
            &mut conn,
            "INSERT INTO visit_members (visit_id, user_id) VALUES (?, ?)",
            &[
                campus_visits::db::raw::Param::Int(visit),
                campus_visits::db::raw::Param::Int(person.id),
            ],
        )
        .unwrap();
    }
    drop(conn);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(people.len()));
    let threads: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(p, person)| {
            let mut conn = app.conn();
            let barrier = barrier.clone();
            let (author, indicators) = (person.id, d.s.indicators.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for n in 0..5 {
                    let ticks = [
                        (indicators[0], if (p + n) % 2 == 0 { O } else { N }),
                        (indicators[1], if n % 3 == 0 { P } else { O }),
                        (indicators[2], NA),
                    ];
                    let raw = RawObservation {
                        setting: "classroom",
                        ..Default::default()
                    };
                    let observation =
                        NewObservation::parse(&raw, ticks.into_iter().collect()).unwrap();
                    let key = IdempotencyKey::parse(&format!("together-{p}-{n}")).unwrap();
                    db::observations::submit(&mut conn, visit, author, &key, &observation, None)
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("every snapshot stored");
    }
    let queued = campus_visits::db::insights::bring_up_to_date(&mut app.conn()).unwrap();
    assert_eq!(queued, 1, "the one visit, however many snapshots");
    let (rollups, totals) = kept_evidence(&app);
    let of_visit: Vec<&RollupRow> = rollups.iter().filter(|r| r.visit_id == visit).collect();
    assert_eq!(of_visit.len(), 3);
    assert!(of_visit
        .iter()
        .all(|r| r.observed + r.partly + r.not_observed + r.not_applicable == 40));
    let total = totals.iter().find(|t| t.id == visit).unwrap();
    assert_eq!(total.applicable, Some(80), "I1 and I2 in 40 snapshots");
    assert_evidence_kept_exactly(&app);
}
