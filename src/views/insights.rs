//! The district overview, a campus over time, a department across campuses,
//! and the impact of items on the look-fors behind them.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::charts::{self, Bar, TrendPoint};
use super::{page, pager, query_value, Ctx, Section};
use crate::domain::action_item::Status;
use crate::domain::insights::{Band, ImpactSummary, Movement, Share};
use crate::domain::paging::Page;
use crate::domain::read::insights::{Campus, Department, ImpactRow, ItemCounts, Overview};
use crate::domain::read::items::Item;
use crate::domain::school::{School, SchoolLevel};
use crate::domain::user::Link;

/// The overview's filters exactly as given, to refill the form and links.
#[derive(Debug, Clone, Default)]
pub struct OverviewForm {
    pub level: String,
    pub program: String,
    pub from: String,
    pub to: String,
    /// `need` (weakest evidence first) or `name`.
    pub sort: String,
}

impl OverviewForm {
    /// The list's address with these filters, ready for `page=`.
    pub fn base(&self) -> String {
        format!(
            "/overview?level={}&program={}&from={}&to={}&sort={}&",
            query_value(&self.level),
            query_value(&self.program),
            query_value(&self.from),
            query_value(&self.to),
            query_value(&self.sort)
        )
    }
}

fn cell(share: Option<&Share>, campus: &str, look_for: &str) -> Markup {
    match share.copied().and_then(|s| Band::of(s).map(|b| (s, b))) {
        Some((share, band)) => html! {
            td class={ "heat band-" (band.as_str()) } title={ (campus) ", " (look_for) ": " (share.in_words()) } {
                (share.percent().unwrap_or(0)) "%"
                span.visually-hidden { " (" (share.observed) " of " (share.applicable) ")" }
            }
        },
        None => html! {
            td.heat.none title={ (campus) ", " (look_for) ": no evidence" } { "–" span.visually-hidden { "no evidence" } }
        },
    }
}

fn date_or_dash(day: Option<NaiveDate>) -> Markup {
    html! {
        @match day { Some(day) => { time datetime=(day) { (day.format("%b %-d, %Y")) } }, None => { "—" } }
    }
}

fn counts_table(caption: &str, first: &str, rows: &[(Markup, &ItemCounts)]) -> Markup {
    let shown: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| *s != Status::Proposed)
        .collect();
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(caption) {
            table.counts {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (first) }
                    @for status in &shown { th scope="col" class="num" { (status.label()) } }
                    th scope="col" class="num" { "Overdue" }
                    th scope="col" class="num" { "All" }
                } }
                tbody {
                    @for (name, counts) in rows {
                        tr {
                            th scope="row" { (name) }
                            @for status in &shown {
                                td.num { (counts.by_status.get(status).copied().unwrap_or(0)) }
                            }
                            td.num { @if counts.overdue > 0 { strong { (counts.overdue) } } @else { "0" } }
                            td.num { (counts.total()) }
                        }
                    }
                }
            }
        }
    }
}

fn legend() -> Markup {
    html! {
        ul.legend aria-label="How to read the shading" {
            @for band in Band::ALL {
                li { span class={ "swatch heat band-" (band.as_str()) } aria-hidden="true" { "00%" } " " (band.label()) }
            }
            li { span.swatch.heat.none aria-hidden="true" { "–" } " No evidence" }
        }
    }
}

/// The district overview: heat map with coverage, and items by department.
pub fn overview(
    ctx: &Ctx,
    data: &Overview,
    shown: &[crate::domain::read::insights::CampusRow],
    campuses: &Page<usize>,
    form: &OverviewForm,
    learning: &WeakLearning,
) -> Markup {
    let levels = SchoolLevel::ALL;
    html! {
        (page(ctx, "District overview", Section::Overview, html! {
            h1 { "District overview" }
            p.lede {
                "Each cell is the share of snapshots in which a look-for was observed at the campus's latest visit with evidence "
                "(partly observed does not count; snapshots where it did not apply are left out)."
            }
            form.search method="get" action="/overview" {
                div.field {
                    label for="level" { "School level" }
                    select #level name="level" {
                        option value="" selected[form.level.is_empty()] { "All levels" }
                        @for level in levels {
                            option value=(level.as_str()) selected[form.level == level.as_str()] { (level.label()) }
                        }
                    }
                }
                div.field {
                    label for="program" { "Program" }
                    select #program name="program" {
                        option value="" selected[form.program.is_empty()] { "All programs" }
                        @for program in &data.programs {
                            option value=(program) selected[&form.program == program] { (program) }
                        }
                    }
                }
                div.field {
                    label for="from" { "Visits from" }
                    input #from type="date" name="from" value=(form.from);
                }
                div.field {
                    label for="to" { "Visits to" }
                    input #to type="date" name="to" value=(form.to);
                }
                div.field {
                    label for="sort" { "Order" }
                    select #sort name="sort" {
                        option value="need" selected[form.sort != "name"] { "Weakest evidence first" }
                        option value="name" selected[form.sort == "name"] { "Campus name" }
                    }
                }
                button type="submit" { "Show" }
            }
            h2 #heat-map { "Look-fors at each campus's latest visit" }
            (legend())
            div.table-wrap tabindex="0" role="region" aria-label="Look-fors at each campus’s latest visit" {
                table.heat-map {
                    caption { "Campuses (" (campuses.total) "), when each was last and will next be visited, and its look-fors" }
                    thead { tr {
                        th scope="col" { "Campus" }
                        th scope="col" { "Last visit" }
                        th scope="col" { "Next visit" }
                        th scope="col" { "Evidence from" }
                        @for column in &data.columns {
                            th scope="col" class="look-for" { abbr title=(column.title) { (column.code) } }
                        }
                    } }
                    tbody {
                        @for row in shown {
                            tr {
                                th scope="row" { a href={ "/schools/" (row.school.id) } { (row.school.name) } }
                                td { (date_or_dash(row.last_visit)) }
                                td { (date_or_dash(row.next_visit)) }
                                td { (date_or_dash(row.evidence_visit.map(|(_, day)| day))) }
                                @for column in &data.columns {
                                    (cell(row.cells.get(&column.code), &row.school.name, &column.title))
                                }
                            }
                        }
                    }
                }
            }
            (pager(campuses, &form.base()))
            h2 { "Look-fors" }
            dl.look-fors {
                @for column in &data.columns {
                    dt { (column.code) }
                    dd { (column.title) @if let Some(d) = &column.department { " — " (d.name) } }
                }
            }
            h2 #items { "Action items by department and status" }
            @let rows: Vec<(Markup, &ItemCounts)> = data.items.iter().map(|c| (match &c.department {
                Some(d) => html! { a href={ "/departments/" (d.id) } { (d.name) } },
                None => html! { "Campus action steps" },
            }, c)).collect();
            @if rows.is_empty() { p { "No published action items yet." } }
            @else { (counts_table("Published items; overdue counts open items past their due day", "Department", &rows)) }
            p { a href="/impact" { "Did the support help? The impact of items on their look-fors →" } }
            (super::learning::weak_look_for_sessions(&learning.rows, learning.weak_share))
        }))
    }
}

/// The sessions to come for the weak look-fors, and the share below which
/// a look-for is weak.
pub struct WeakLearning {
    pub rows: Vec<crate::domain::read::learning::WeakLookForLearning>,
    pub weak_share: i64,
}

/// What a campus page shows beside its numbers.
pub struct CampusPage<'a> {
    pub school: &'a School,
    pub campus: &'a Campus,
    pub items: &'a [Item],
    pub today: NaiveDate,
    pub weak_share: i64,
}

/// A campus over time: its look-fors at every visit, its visits, its items
/// and what later visits found.
pub fn campus(ctx: &Ctx, data: &CampusPage) -> Markup {
    let school = data.school;
    let title = school.name.clone();
    html! {
        (page(ctx, &title, Section::Overview, html! {
            h1 { (school.name) }
            p.lede {
                (school.level.label()) " · " (school.code)
                @if !school.program.is_empty() { " · " (school.program) }
            }
            p { a href={ "/schools/" (school.id) "/items" } { "Action steps and items for this campus" } }
            h2 #look-fors { "Look-fors across visits" }
            p.hint { "Share of snapshots in which each look-for was observed, at each visit with evidence. The dashed line is the district's weak share (" (data.weak_share) "%)." }
            @if data.campus.trends.is_empty() {
                p { "No observations have been recorded at this campus yet." }
            }
            ul.trends {
                @for (n, trend) in data.campus.trends.iter().enumerate() {
                    @let points: Vec<TrendPoint> = trend.points.iter().map(|p| TrendPoint { label: p.visit_date.format("%b %Y").to_string(), share: p.share }).collect();
                    li {
                        h3 { (trend.column.code) " " (trend.column.title) }
                        (charts::trend(&format!("trend-{n}"), &format!("{} {}: share observed at each visit", trend.column.code, trend.column.title), &points, Some(data.weak_share)))
                        details {
                            summary { "Numbers" }
                            table {
                                thead { tr { th scope="col" { "Visit" } th scope="col" { "Observed" } } }
                                tbody {
                                    @for point in &trend.points {
                                        tr {
                                            td { a href={ "/visits/" (point.visit_id) } { (point.visit_date.format("%b %-d, %Y")) } }
                                            td.share { (point.share.in_words()) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 #visits { "Visits" }
            @if data.campus.visits.is_empty() { p { "No visits yet." } }
            @else {
                div.table-wrap tabindex="0" role="region" aria-label="Visits" { table {
                    thead { tr { th scope="col" { "Date" } th scope="col" { "Status" } th scope="col" { "Lead" } th scope="col" class="num" { "Snapshots" } th scope="col" { "Report" } } }
                    tbody {
                        @for visit in &data.campus.visits {
                            tr {
                                td { a href={ "/visits/" (visit.id) } { (visit.visit_date.format("%b %-d, %Y")) } }
                                td { (visit.status.parse::<crate::domain::visit::VisitStatus>().map(|s| s.label()).unwrap_or("")) }
                                td { (visit.lead.as_deref().unwrap_or("—")) }
                                td.num { (visit.snapshots) }
                                td { a href={ "/visits/" (visit.id) "/report" } { "Printable report" } }
                            }
                        }
                    }
                } }
            }
            h2 #items { "Action items and what later visits found" }
            @if data.items.is_empty() { p { "No published action items." } }
            @else {
                div.table-wrap tabindex="0" role="region" aria-label="Action items and what later visits found" { table {
                    thead { tr {
                        th scope="col" { "Item" } th scope="col" { "For" } th scope="col" { "Raised" }
                        th scope="col" { "Status" } th scope="col" { "Checked at later visits" }
                    } }
                    tbody {
                        @for item in data.items {
                            tr {
                                td { a href={ "/items/" (item.id) } { (item.title) } }
                                td { @match &item.department { Some(d) => { (d.name) }, None => { "School" } } }
                                td { (item.visit_date.format("%b %-d, %Y")) }
                                td { (super::items::status_badge(item, data.today)) }
                                td {
                                    @match data.campus.checks.get(&item.id) {
                                        Some(checks) => {
                                            ul.plain { @for check in checks {
                                                li { (check.visit_date.format("%b %-d, %Y")) ": " strong { (check_label(&check.result)) }
                                                    @if !check.note.is_empty() { " — " (check.note) } }
                                            } }
                                        },
                                        None => { "Not checked yet" },
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }))
    }
}

fn check_label(result: &str) -> &str {
    match result {
        "verified" => "Verified",
        "still_open" => "Still open",
        "not_started" => "Not started",
        other => other,
    }
}

/// A department across campuses: workload, overdue items, pace, and its
/// weakest look-fors.
pub fn department(
    ctx: &Ctx,
    department: &Link,
    data: &Department,
    workload: &Page<usize>,
    today: NaiveDate,
    learning: &WeakLearning,
) -> Markup {
    let title = department.name.clone();
    html! {
        (page(ctx, &title, Section::Overview, html! {
            h1 { (department.name) }
            p { a href={ "/departments/" (department.id) "/items" } { "All of the department's items" } " · "
                a href={ "/impact?department=" (department.id) } { "Impact of its items" } }
            dl.figures {
                dt { "Published items" } dd { (data.totals.total()) }
                dt { "Overdue" } dd { (data.overdue_total) }
                dt { "Median days from visit to done" }
                dd { @match data.median_days_to_done {
                    Some(days) => { (format_days(days)) " (over " (super::count(data.done_count, "item", "items")) " done)" },
                    None => { "None done yet" },
                } }
            }
            h2 #weakest { "Its look-fors across the district" }
            p.hint { "At each campus's latest visit with evidence, weakest first." }
            @if data.look_fors.is_empty() { p { "The department owns no look-for with evidence yet." } }
            @else {
                @let bars: Vec<Bar> = data.look_fors.iter().map(|l| Bar { label: l.code.clone(), share: l.share }).collect();
                (charts::bars("owned", &format!("{}: share observed for each look-for it owns", department.name), &bars))
                table {
                    thead { tr { th scope="col" { "Look-for" } th scope="col" { "Observed" } th scope="col" class="num" { "Campuses" } } }
                    tbody {
                        @for look_for in &data.look_fors {
                            tr { td { (look_for.code) " " (look_for.title) } td.share { (look_for.share.in_words()) } td.num { (look_for.campuses) } }
                        }
                    }
                }
            }
            (super::learning::weak_look_for_sessions(&learning.rows, learning.weak_share))
            h2 #workload { "Workload by campus" }
            @let rows: Vec<(Markup, &ItemCounts)> = workload.items.iter().map(|&i| {
                let (school, counts) = &data.workload[i];
                (html! { a href={ "/departments/" (department.id) "/items?school=" (school.id) } { (school.name) } }, counts)
            }).collect();
            @if rows.is_empty() { p { "No published items yet." } }
            @else { (counts_table("Most overdue first", "Campus", &rows)) }
            (pager(workload, &format!("/departments/{}?", department.id)))
            h2 #overdue { "Overdue items" }
            @if data.overdue.is_empty() { p { "Nothing is overdue." } }
            @else {
                p.hint { "The oldest " (data.overdue.len()) " of " (data.overdue_total) ", by due day." }
                table {
                    thead { tr { th scope="col" { "Item" } th scope="col" { "Campus" } th scope="col" { "Due" } th scope="col" { "Days late" } } }
                    tbody {
                        @for item in &data.overdue {
                            tr {
                                td { a href={ "/items/" (item.id) } { (item.title) } }
                                td { (item.school.name) }
                                td { (item.due_on.format("%b %-d, %Y")) }
                                td.num { ((today - item.due_on).num_days()) }
                            }
                        }
                    }
                }
            }
        }))
    }
}

fn format_days(days: f64) -> String {
    if days.fract() == 0.0 {
        format!("{days:.0} days")
    } else {
        format!("{days:.1} days")
    }
}

/// The impact page: per department, how the look-fors behind its items
/// moved by the next visit; then the items.
pub fn impact(
    ctx: &Ctx,
    summaries: &[(Option<Link>, ImpactSummary)],
    rows: &Page<&ImpactRow>,
    base: &str,
) -> Markup {
    html! {
        (page(ctx, "Impact of action items", Section::Overview, html! {
            h1 { "Did the support help?" }
            p.lede {
                "For each published item tied to look-fors: the look-for's share at the visit that raised it, "
                "and at the next visit to the campus with evidence of it."
            }
            @if summaries.is_empty() { p { "No published item is tied to a look-for with evidence yet." } }
            @else {
                div.table-wrap tabindex="0" role="region" aria-label="Items × look-fors, per department" { table.counts {
                    caption { "Items × look-fors, per department" }
                    thead { tr {
                        th scope="col" { "Department" }
                        th scope="col" class="num" { "Improved" }
                        th scope="col" class="num" { "No change" }
                        th scope="col" class="num" { "Declined" }
                        th scope="col" class="num" { "Not yet measured" }
                        th scope="col" class="num" { "Mean change" }
                    } }
                    tbody {
                        @for (department, s) in summaries {
                            tr {
                                th scope="row" { @match department { Some(d) => { (d.name) }, None => { "Campus action steps" } } }
                                td.num { (s.improved) }
                                td.num { (s.same) }
                                td.num { (s.declined) }
                                td.num { (s.not_yet) }
                                td.num { @match s.mean_change() {
                                    Some(points) => { (format!("{points:+.1}")) " points" },
                                    None => { "—" },
                                } }
                            }
                        }
                    }
                } }
            }
            h2 { "Items" }
            div.table-wrap tabindex="0" role="region" aria-label="Items and their look-fors at the next visit" { table {
                thead { tr {
                    th scope="col" { "Item" } th scope="col" { "Campus" } th scope="col" { "Look-for" }
                    th scope="col" { "When raised" } th scope="col" { "At the next visit" } th scope="col" { "Movement" }
                } }
                tbody {
                    @for row in &rows.items {
                        @let movement = Movement::between(row.before, row.after);
                        tr {
                            td { a href={ "/items/" (row.item_id) } { (row.title) } }
                            td { (row.school.name) }
                            td { (row.code) " " (row.look_for) }
                            td.share { (row.visit_date.format("%b %-d, %Y")) ": " (row.before.in_words()) }
                            td.share { @match (row.next_visit, row.after) {
                                (Some(day), Some(after)) => { (day.format("%b %-d, %Y")) ": " (after.in_words()) },
                                (Some(day), None) => { (day.format("%b %-d, %Y")) ": no evidence" },
                                _ => { "No later visit yet" },
                            } }
                            td { span class={ "movement " (format!("{movement:?}").to_lowercase()) } { (movement.label()) } }
                        }
                    }
                }
            } }
            (pager(rows, base))
        }))
    }
}
