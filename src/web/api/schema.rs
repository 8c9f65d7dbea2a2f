//! What the checks of `domain` accept, written into the OpenAPI document,
//! so that a client generated from it sends what the server takes: every
//! text field says how long it may be and what it may hold, every date its
//! window, every header its form.

use utoipa::openapi::path::Parameter;
use utoipa::openapi::schema::{Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{KnownFormat, OpenApi, RefOr};

use crate::domain::fields::patterns;

/// How a field is checked.
#[derive(Clone, Copy)]
enum Rule {
    /// A required line of at most so many characters, trimmed.
    Line(usize),
    /// Optional text of at most so many characters, trimmed.
    Text(usize),
    /// Required text (lines allowed) of at most so many characters.
    Required(usize),
    /// A pattern.
    Pattern(&'static str),
    /// One of these words, blank around it trimmed; in any case or exactly.
    Words(&'static [&'static str], bool),
    /// A calendar day.
    Day,
    /// A list that may not be empty.
    Some,
    /// A whole number from 1 to this.
    UpTo(usize),
}

/// Blank that the checks trim from either end.
const BLANK: &str = r"[ \t\n\r]*";
/// Characters no line holds.
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";
/// Characters no text holds (tab and line breaks it may).
const CONTROL_BUT_BREAKS: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";

/// The rule of each (schema, property) the server checks beyond its type.
const RULES: &[(&str, &str, Rule)] = &[
    ("DepartmentIn", "name", Rule::Line(120)),
    (
        "DepartmentIn",
        "contact_email",
        Rule::Pattern(patterns::EMAIL_OR_EMPTY),
    ),
    ("SchoolIn", "name", Rule::Line(200)),
    ("SchoolIn", "code", Rule::Pattern(patterns::SCHOOL_CODE)),
    (
        "SchoolIn",
        "level",
        Rule::Words(
            &["elementary", "es", "middle", "ms", "high", "hs", "other"],
            true,
        ),
    ),
    ("SchoolIn", "program", Rule::Text(100)),
    ("UserIn", "name", Rule::Line(200)),
    ("UserIn", "email", Rule::Pattern(patterns::EMAIL)),
    ("VisitIn", "date", Rule::Day),
    ("VisitIn", "focus", Rule::Text(2000)),
    ("VisitPatch", "date", Rule::Day),
    ("VisitPatch", "focus", Rule::Text(2000)),
    (
        "ObservationIn",
        "setting",
        Rule::Words(&["classroom", "collaboration", "planning", "tour"], false),
    ),
    ("ObservationIn", "rating", Rule::UpTo(4)),
    ("ObservationIn", "room", Rule::Text(60)),
    ("ObservationIn", "grade_band", Rule::Text(30)),
    ("ObservationIn", "subject", Rule::Text(60)),
    (
        "ObservationIn",
        "started_at",
        Rule::Pattern(patterns::TIME_OR_EMPTY),
    ),
    ("ObservationIn", "notes", Rule::Text(10_000)),
    ("ObservationIn", "teacher", Rule::Text(80)),
    ("DebriefIn", "strengths", Rule::Text(10_000)),
    ("DebriefIn", "alignment_notes", Rule::Text(10_000)),
    ("DebriefIn", "attendees", Rule::Text(10_000)),
    ("ProblemIn", "description", Rule::Required(10_000)),
    ("ItemIn", "title", Rule::Line(300)),
    ("ItemIn", "evidence", Rule::Text(10_000)),
    ("ItemIn", "due_on", Rule::Day),
    ("ItemChangeIn", "title", Rule::Line(300)),
    ("ItemChangeIn", "evidence", Rule::Text(10_000)),
    ("ItemChangeIn", "reason", Rule::Text(2000)),
    ("ItemChangeIn", "note", Rule::Text(2000)),
    ("ItemChangeIn", "due_on", Rule::Day),
    ("CheckIn", "note", Rule::Text(2000)),
    ("FrameworkDoc", "name", Rule::Line(200)),
    ("FrameworkDoc", "domains", Rule::Some),
    ("DomainDoc", "name", Rule::Line(200)),
    ("DomainDoc", "indicators", Rule::Some),
    (
        "IndicatorDoc",
        "code",
        Rule::Pattern(r"^[ \t\n\r]*[A-Za-z0-9._-]{1,20}[ \t\n\r]*$"),
    ),
    ("IndicatorDoc", "title", Rule::Line(300)),
    ("IndicatorDoc", "description", Rule::Text(2000)),
    ("IndicatorDoc", "entry_point", Rule::Text(2000)),
];

/// The rule of each parameter, by name, the server checks beyond its type.
const PARAMETERS: &[(&str, Rule)] = &[
    ("Idempotency-Key", Rule::Pattern(patterns::IDEMPOTENCY_KEY)),
    ("from", Rule::Day),
    (
        "page",
        Rule::UpTo(crate::domain::paging::PageRequest::MAX_PAGE as usize),
    ),
];

/// The pattern of a rule on text, if it is one.
fn pattern(rule: Rule) -> Option<String> {
    Some(match rule {
        // Trimmed, then 1 to `max` characters without a control character.
        Rule::Line(max) => format!(
            r"^{BLANK}[^\s{CONTROL}]([^{CONTROL}]{{0,{}}}[^\s{CONTROL}])?{BLANK}$",
            max.saturating_sub(2)
        ),
        Rule::Text(max) => format!(r"^{BLANK}[^{CONTROL_BUT_BREAKS}]{{0,{max}}}{BLANK}$"),
        Rule::Required(max) => format!(
            r"^{BLANK}[^\s{CONTROL_BUT_BREAKS}][^{CONTROL_BUT_BREAKS}]{{0,{}}}$",
            max.saturating_sub(1)
        ),
        Rule::Pattern(pattern) => pattern.to_owned(),
        Rule::Words(words, any_case) => {
            let word = |w: &str| -> String {
                if any_case {
                    w.chars()
                        .map(|c| format!("[{}{}]", c, c.to_ascii_uppercase()))
                        .collect()
                } else {
                    w.to_owned()
                }
            };
            let words: Vec<String> = words.iter().map(|w| word(w)).collect();
            format!("^{BLANK}({}){BLANK}$", words.join("|"))
        }
        Rule::Day => patterns::DAY.to_owned(),
        Rule::Some | Rule::UpTo(_) => return None,
    })
}

fn apply(schema: &mut Schema, rule: Rule) {
    match (schema, rule) {
        (Schema::Array(array), Rule::Some) => array.min_items = Some(1),
        (Schema::Object(object), Rule::UpTo(max)) => {
            object.minimum = Some(utoipa::Number::UInt(1));
            object.maximum = Some(utoipa::Number::UInt(max));
        }
        (Schema::Object(object), rule) => {
            object.pattern = pattern(rule);
            if matches!(rule, Rule::Pattern(p) if p == patterns::EMAIL || p == patterns::EMAIL_OR_EMPTY)
            {
                object.max_length = Some(254);
            }
            if matches!(rule, Rule::Day) {
                object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Date));
            }
            if matches!(rule, Rule::Line(_) | Rule::Required(_)) {
                object.min_length = Some(1);
            }
        }
        _ => panic!("a rule that does not fit its schema"),
    }
}

fn is_text(types: &SchemaType) -> bool {
    match types {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    }
}

/// Every text without a rule of its own holds no control character, as
/// every request is checked (`web::guard`).
fn plain_text(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            if is_text(&object.schema_type)
                && object.pattern.is_none()
                && object.format.is_none()
                && object.enum_values.is_none()
            {
                object.pattern = Some(patterns::PLAIN_TEXT.to_owned());
            }
            object.properties.values_mut().for_each(plain_text);
            if let Some(utoipa::openapi::schema::AdditionalProperties::RefOr(more)) =
                object.additional_properties.as_deref_mut()
            {
                plain_text(more);
                // A map's keys are text too (look-for codes in `ticks`).
                let unchecked = match object.property_names.as_deref() {
                    None => true,
                    Some(Schema::Object(names)) => names.pattern.is_none(),
                    Some(_) => false,
                };
                if unchecked {
                    object.property_names = Some(Box::new(Schema::Object(
                        utoipa::openapi::schema::ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(patterns::PLAIN_TEXT))
                            .build(),
                    )));
                }
            }
        }
        Schema::Array(array) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut array.items {
                plain_text(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(plain_text),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(plain_text),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(plain_text),
        _ => {}
    }
}

fn parameter(parameter: &mut Parameter) {
    let Some(RefOr::T(schema)) = parameter.schema.as_mut() else {
        return;
    };
    if let Some((_, rule)) = PARAMETERS.iter().find(|(n, _)| *n == parameter.name) {
        apply(schema, *rule);
    }
    if let Some(schema) = parameter.schema.as_mut() {
        plain_text(schema);
    }
}

/// `PUT /visits/{id}` replaces the whole plan: its body is the plan with
/// every field required (`null` for no lead or framework).
fn whole_plan(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(plan))) = components.schemas.get("VisitIn") else {
        panic!("the document has no schema VisitIn");
    };
    let mut whole = plan.clone();
    whole.required = super::visits::WHOLE_PLAN
        .iter()
        .map(|f| f.to_string())
        .collect();
    whole.description = Some("The whole plan of a visit, as `PUT` replaces it.".to_owned());
    components
        .schemas
        .insert("VisitPlan".to_owned(), RefOr::T(Schema::Object(whole)));
    let put = api
        .paths
        .paths
        .get_mut("/api/v1/visits/{id}")
        .and_then(|item| item.put.as_mut())
        .and_then(|put| put.request_body.as_mut())
        .expect("PUT /api/v1/visits/{id} has a body");
    for content in put.content.values_mut() {
        content.schema = Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
            "VisitPlan",
        )));
    }
}

/// Writes the rules into `api`'s schemas and parameters.
pub fn constrain(api: &mut OpenApi) {
    if let Some(components) = api.components.as_mut() {
        for (name, property, rule) in RULES {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) else {
                panic!("the document has no schema {name}");
            };
            let Some(RefOr::T(schema)) = object.properties.get_mut(*property) else {
                panic!("the schema {name} has no property {property}");
            };
            apply(schema, *rule);
        }
        components.schemas.values_mut().for_each(plain_text);
    }
    for item in api.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            operation
                .parameters
                .iter_mut()
                .flatten()
                .for_each(parameter);
        }
    }
    whole_plan(api);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::{plain_text, required_text};

    fn matches(rule: Rule, text: &str) -> bool {
        regex_lite::Regex::new(&pattern(rule).unwrap())
            .unwrap()
            .is_match(text)
    }

    #[test]
    fn the_patterns_of_the_rules_accept_what_the_checks_accept() {
        let samples = [
            "", " ", "a", " a ", "abcde", "abcdef", " abcde\n", "a b", "a\nb", "a\tb", "a\u{0}b",
            "\u{1b}x", "é", "  \t ",
        ];
        for text in samples {
            assert_eq!(
                matches(Rule::Line(5), text),
                required_text(text, 5, "empty").is_ok(),
                "line {text:?}"
            );
            let optional = plain_text(text).is_ok() && text.trim().chars().count() <= 5;
            assert_eq!(matches(Rule::Text(5), text), optional, "text {text:?}");
        }
        for level in ["high", " HIGH ", "Es", "other", "", "highs", "hi gh"] {
            assert_eq!(
                matches(
                    Rule::Words(
                        &["elementary", "es", "middle", "ms", "high", "hs", "other"],
                        true
                    ),
                    level
                ),
                level.parse::<crate::domain::school::SchoolLevel>().is_ok(),
                "{level:?}"
            );
        }
    }
}
