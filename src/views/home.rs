//! The start page: each person's work first, one panel per role they hold.

use maud::{html, Markup};

use super::visits::{Day, Status};
use super::{page, Ctx, Section};
use crate::domain::read::home::{Campus, Department, Directory, Home, Rotation, Rows};
use crate::domain::read::items::Item;
use crate::domain::read::visits::ListItem;

pub fn home(ctx: &Ctx, data: &Home) -> Markup {
    let empty = data.campus.is_none()
        && data.department.is_none()
        && data.rotation.is_none()
        && data.my_visits.is_none()
        && data.directory.is_none();
    page(
        ctx,
        "Start",
        Section::Home,
        html! {
            h1 { "Your work" }
            p.lede { "Today is " (Day(data.today)) "." }
            @if let Some(campus) = &data.campus { (campus_panel(data, campus)) }
            @if let Some(department) = &data.department { (department_panel(data, department)) }
            @if let Some(rotation) = &data.rotation { (rotation_panel(rotation)) }
            @if let Some(visits) = &data.my_visits { (my_visits_panel(visits)) }
            @if let Some(directory) = &data.directory { (directory_panel(directory)) }
            @if empty {
                p { "You have no role with work to show yet. An administrator grants roles on the people page." }
                p { a href="/visits" { "Visits you can see" } }
            }
        },
    )
}

/// "Showing 12 of 30 — see all" under a list that is cut short.
fn more<T>(rows: &Rows<T>, href: &str, what: &str) -> Markup {
    html! {
        @if rows.total > rows.rows.len() as i64 {
            p { "Showing " (rows.rows.len()) " of " (rows.total) ". " a href=(href) { "All " (what) } }
        }
    }
}

fn items(data: &Home, rows: &Rows<Item>, caption: &str, show_campus: bool) -> Markup {
    super::items::table(&rows.rows, data.today, caption, show_campus)
}

fn visit_line(visit: &ListItem) -> Markup {
    html! {
        a href={ "/visits/" (visit.id) } { (Day(visit.date)) } " — " (visit.school.name) " · " (Status(visit.status))
    }
}

fn campus_panel(data: &Home, campus: &Campus) -> Markup {
    let steps = format!("/schools/{}/items", campus.school.id);
    html! {
        section.panel aria-labelledby="home-campus" {
            h2 #home-campus { (campus.school.name) }
            dl.facts {
                dt { "Next visit" }
                dd { @match &campus.next_visit { Some(v) => (visit_line(v)), None => "None planned yet." } }
                dt { "Last report" }
                dd { @match &campus.last_report {
                    Some(v) => { a href={ "/visits/" (v.id) "/report" } { "Report of " (Day(v.date)) } }
                    None => "No published report yet.",
                } }
            }
            h3 { "Open action steps (" (campus.open_steps.total) ")" }
            (items(data, &campus.open_steps, "The campus's open action steps, by due date", false))
            (more(&campus.open_steps, &steps, "action steps"))
            h3 { "Department items concerning the campus (" (campus.department_items.total) ")" }
            (items(data, &campus.department_items, "Departments' open items for the campus, by due date", false))
            (more(&campus.department_items, &steps, "items"))
            p { a.button.secondary href=(steps) { "All action steps and items" } }
        }
    }
}

fn department_panel(data: &Home, department: &Department) -> Markup {
    let board = format!("/departments/{}/items", department.department.id);
    html! {
        section.panel aria-labelledby="home-department" {
            h2 #home-department { (department.department.name) }
            h3 { "Overdue (" (department.overdue.total) ")" }
            (items(data, &department.overdue, "The department's overdue items", true))
            (more(&department.overdue, &format!("{board}?overdue=1"), "overdue items"))
            h3 { "Due in the next " (crate::domain::home::DUE_SOON_DAYS) " days (" (department.due_soon.total) ")" }
            (items(data, &department.due_soon, "The department's items due soon", true))
            (more(&department.due_soon, &board, "items"))
            h3 { "Next visits to campuses with the department's items" }
            @if department.next_visits.is_empty() { p { "No visit is planned to a campus with open items." } }
            @else {
                ul {
                    @for next in &department.next_visits {
                        li {
                            (Day(next.date)) " — " a href={ (board) "?school=" (next.school.id) } { (next.school.name) }
                            " · " (super::count(next.open_items as usize, "open item", "open items")) " to report on"
                        }
                    }
                }
            }
            p { a.button.secondary href=(board) { "The department's board" } }
        }
    }
}

fn rotation_panel(rotation: &Rotation) -> Markup {
    html! {
        section.panel aria-labelledby="home-rotation" {
            h2 #home-rotation { "The rotation" }
            h3 { "Debriefs awaiting publication (" (rotation.awaiting_publish.total) ")" }
            @if rotation.awaiting_publish.rows.is_empty() { p { "None: every debriefed visit is published." } }
            @else {
                ul {
                    @for visit in &rotation.awaiting_publish.rows {
                        li { (visit_line(visit)) " · " a href={ "/visits/" (visit.id) "/items" } { "Review and publish" } }
                    }
                }
            }
            (more(&rotation.awaiting_publish, "/visits?when=all", "visits"))
            h3 { "Coming visits (" (rotation.upcoming.total) ")" }
            @if rotation.upcoming.rows.is_empty() { p { "No visit is planned." } }
            @else { ul { @for visit in &rotation.upcoming.rows { li { (visit_line(visit)) } } } }
            (more(&rotation.upcoming, "/visits", "coming visits"))
            p { a.button href="/visits/plan" { "Plan the rotation" } }
        }
    }
}

fn my_visits_panel(visits: &Rows<ListItem>) -> Markup {
    html! {
        section.panel aria-labelledby="home-visits" {
            h2 #home-visits { "Your next visits" }
            @if visits.rows.is_empty() { p { "You are on no coming visit's team." } }
            @else {
                ul {
                    @for visit in &visits.rows {
                        li {
                            (visit_line(visit))
                            " · " a.button.secondary href={ "/visits/" (visit.id) "/observe" } { "Capture observations" span.visually-hidden { " at " (visit.school.name) } }
                        }
                    }
                }
            }
            (more(visits, "/visits", "your visits"))
        }
    }
}

fn directory_panel(counts: &Directory) -> Markup {
    html! {
        section.panel aria-labelledby="home-directory" {
            h2 #home-directory { "The directory" }
            ul.cards {
                li { h3 { a href="/admin/schools" { "Schools" } } p { (counts.schools) " active campuses" } }
                li { h3 { a href="/admin/departments" { "Departments" } } p { (counts.departments) " central-office departments" } }
                li { h3 { a href="/admin/users" { "People" } } p { (counts.users) " active people" } }
            }
        }
    }
}
