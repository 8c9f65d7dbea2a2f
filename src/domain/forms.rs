//! Forms and query strings exactly as typed: what a page shows again beside
//! its messages when a submission is refused. Handlers parse them into the
//! domain's values; views render them; neither owns the other's types.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::domain::read::visits::Member;
use crate::domain::user::Link;
use crate::domain::visit::Segment;

/// The field of every form that carries its CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// The visit form exactly as typed. Team members and agenda segments are
/// checkboxes named `member_<id>` and `segment_<name>`.
#[derive(Debug, Clone, Default)]
pub struct VisitForm {
    pub school_id: String,
    pub date: String,
    pub lead_id: String,
    pub framework_id: String,
    pub focus: String,
    pub members: BTreeSet<i64>,
    pub segments: BTreeSet<Segment>,
}

/// The planner's form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanQuery {
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub weekday: String,
    #[serde(default)]
    pub weeks: String,
    /// Closed days, one `YYYY-MM-DD` a line (or separated by commas).
    #[serde(default)]
    pub closed: String,
}

/// The person form exactly as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub school_id: String,
    #[serde(default)]
    pub department_id: String,
    pub active: Option<String>,
    pub role_admin: Option<String>,
    pub role_visit_lead: Option<String>,
    pub role_visitor: Option<String>,
    pub role_school_leader: Option<String>,
    pub role_department_head: Option<String>,
    /// Ticked when adding a person: email them an invitation.
    pub invite: Option<String>,
}

/// The schools and departments a person can be linked to.
pub struct UserChoices {
    pub schools: Vec<Link>,
    pub departments: Vec<Link>,
}

/// The query values every directory list understands.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of a name, code or email to look for, in any case.
    pub q: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page (1–200, default 50); outside that, 422 from the API.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
    /// `true` (or `on`) to include deactivated records.
    #[param(value_type = Option<String>)]
    pub inactive: Option<String>,
}

/// The school form exactly as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchoolForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub program: String,
    pub active: Option<String>,
}

/// The import form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImportForm {
    /// `json` or `csv`.
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub content: String,
}

/// The department form exactly as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DepartmentForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact_email: String,
    pub active: Option<String>,
}

/// The audit page's filters, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub record_type: String,
    #[serde(default)]
    pub record_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<u32>,
}

/// The sign-in form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
}
/// What the visit form offers to choose from.
pub struct VisitChoices {
    pub schools: Vec<Link>,
    pub frameworks: Vec<Link>,
    pub people: Vec<Member>,
}

/// The offering form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OfferingForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub credit_hours: String,
    /// Look-for codes, separated by spaces or commas.
    #[serde(default)]
    pub look_fors: String,
    pub active: Option<String>,
}

/// The session form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    pub series_id: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub facilitator_id: String,
    pub cancelled: Option<String>,
}

/// The series form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeriesForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// The catalogue import form as typed: a JSON document, or the offerings
/// CSV with the sessions CSV beside it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CatalogueForm {
    /// `json` or `csv`.
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub sessions: String,
}

/// The registration form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistrationForm {
    /// Chosen by an administrator; a school leader registers their own.
    #[serde(default)]
    pub school_id: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub names: String,
}

/// What to link an item to, as chosen on its page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub offering_id: String,
    #[serde(default)]
    pub session_id: String,
}
