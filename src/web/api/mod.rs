//! The JSON API under `/api/v1/`. Handlers are registered through
//! `utoipa-actix-web`, so the OpenAPI document is built from the very routes
//! that are served and cannot drift from them.

pub mod departments;
pub mod frameworks;
pub mod home;
pub mod items;
pub mod learning;
pub mod responses;
pub mod schema;
pub mod schools;
pub mod session;
pub mod users;
pub mod visits;

use actix_web::{http::header, HttpResponse};
use serde::Serialize;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every API handler under the `/api/v1` scope.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(session::show)
        .service(home::show)
        .service(schools::list)
        .service(schools::create)
        .service(schools::show)
        .service(schools::update)
        .service(departments::list)
        .service(departments::create)
        .service(departments::show)
        .service(departments::update)
        .service(users::list)
        .service(users::create)
        .service(users::show)
        .service(users::update)
        .service(users::send_invitation)
        .service(users::revoke_invitation)
        .service(frameworks::list)
        .service(frameworks::show)
        .service(frameworks::import)
        .service(visits::list)
        .service(visits::create)
        .service(visits::show)
        .service(visits::replace)
        .service(visits::amend)
        .service(visits::advance)
        .service(visits::show_debrief)
        .service(visits::save_debrief)
        .service(responses::show)
        .service(responses::save)
        .service(responses::acknowledge)
        .service(responses::need_item)
        .service(visits::create_observation)
        .service(visits::observations)
        .service(items::for_visit)
        .service(items::generate)
        .service(items::add)
        .service(items::merge)
        .service(items::publish)
        .service(items::check)
        .service(items::list)
        .service(items::show)
        .service(items::update)
        .service(learning::list_offerings)
        .service(learning::create_offering)
        .service(learning::show_offering)
        .service(learning::update_offering)
        .service(learning::list_series)
        .service(learning::create_series)
        .service(learning::update_series)
        .service(learning::list_sessions)
        .service(learning::create_session)
        .service(learning::show_session)
        .service(learning::update_session)
        .service(learning::register)
        .service(learning::withdraw)
        .service(learning::attendance)
        .service(learning::item_learning)
        .service(learning::link_item)
        .service(learning::unlink_item)
        .service(learning::impact)
        .service(learning::credits)
        .service(learning::export_catalogue)
        .service(learning::export_offerings_csv)
        .service(learning::export_sessions_csv)
        .service(learning::import_catalogue)
        .service(learning::import_catalogue_csv);
}

/// Fills in the document's title and description.
pub fn describe(mut api: OpenApi) -> OpenApi {
    api.info = utoipa::openapi::InfoBuilder::new()
        .title("campus-visits API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Every resource the pages show. Errors answer {\"error\": {\"code\", \"message\", \"fields\"}}.",
        ))
        .build();
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        utoipa::openapi::security::SecurityScheme::Http(
            utoipa::openapi::security::HttpBuilder::new()
                .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
                .description(Some(
                    "An API token from the account page or `campus-visits token create`.",
                ))
                .build(),
        ),
    );
    declare_common_errors(&mut api);
    schema::constrain(&mut api);
    api
}

/// Declares on every operation the errors any of them can answer, in the
/// one envelope: 400 (an address or body not understood), 401 and 403
/// (who is asking), 404 for an operation on a record, 413, 415 and 422 for
/// one with a body, 503 (the database not answering). An operation's own
/// declaration of a status is kept.
fn declare_common_errors(api: &mut OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in api.paths.paths.iter_mut() {
        let on_record = path.contains('{');
        for (read, operation) in [
            (true, &mut item.get),
            (false, &mut item.post),
            (false, &mut item.put),
            (false, &mut item.patch),
            (false, &mut item.delete),
        ]
        .into_iter()
        .filter_map(|(read, operation)| operation.as_mut().map(|o| (read, o)))
        {
            let has_body = operation.request_body.is_some();
            let has_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
            let mut common = vec![
                ("400", "The address or the body could not be read (a query value, a control character, JSON that does not parse)."),
                ("401", "No valid token."),
                ("403", "The token's owner may not do this."),
                ("503", "The database is not answering; try again."),
            ];
            if on_record {
                common.push(("404", "No such record, or not one the caller may see."));
            }
            if has_query && !has_body {
                common.push((
                    "422",
                    "A query value is out of range (`page`, `per_page`); `fields` says which.",
                ));
            }
            if !read {
                common.push((
                    "409",
                    "Well formed, but what the district holds refuses it: a record it names does not exist or is inactive, a name is taken, a version is stale, or the record's state does not allow it; `fields` says which.",
                ));
            }
            if has_body {
                common.push(("413", "The body is larger than 256 KiB."));
                common.push(("415", "The body is not sent as application/json."));
                common.push((
                    "422",
                    "A field is missing, unknown or invalid; `fields` says which.",
                ));
            }
            for (status, description) in common {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description).into());
            }
        }
    }
}

/// A `201 Created` answer with the new record and where it lives.
pub fn created<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(body)
}

/// A page of records as the API returns it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Listing<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T: utoipa::ToSchema> Listing<T> {
    pub fn of<D>(page: crate::domain::paging::Page<D>, to: impl Fn(D) -> T) -> Self {
        Self {
            page: page.request.page,
            per_page: page.request.per_page,
            total: page.total,
            items: page.items.into_iter().map(to).collect(),
        }
    }
}

/// The page of a list to answer.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1 to 1,000,000; outside that, 422.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Rows per page (1–200, default 50); outside that, 422.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

impl PageQuery {
    /// The first page, as long as pages go.
    pub fn everything() -> Self {
        Self {
            page: None,
            per_page: Some(crate::domain::paging::PageRequest::MAX_PER_PAGE),
        }
    }
}

/// For a field that may be sent as `null`: `Some(None)` when it was,
/// `None` (with `#[serde(default)]`) when it was left out.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

fn yes() -> bool {
    true
}

/// A JSON request body, read but not yet parsed: handlers parse it after
/// their access check has passed, so a caller without access learns nothing
/// about what the body should look like.
pub struct JsonBody {
    bytes: actix_web::web::Bytes,
    is_json: bool,
}

impl actix_web::FromRequest for JsonBody {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        use actix_web::HttpMessage;
        let content_type = req.content_type();
        let is_json = content_type == "application/json" || content_type.ends_with("+json");
        let bytes = actix_web::web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                let too_large = e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
                let refusal = if too_large {
                    crate::error::AppError::too_large(crate::error::BODY_LIMIT / 1024)
                } else {
                    crate::error::AppError::bad_request("The request body could not be read whole.")
                };
                crate::error::for_request(&req, refusal)
            })?;
            Ok(JsonBody { bytes, is_json })
        })
    }
}

/// JSON has one number type: `2.0` is the integer 2 to the schema, so an
/// integer field takes it as 2.
fn whole_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                // `as` saturates; the range check keeps only exact values.
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

impl JsonBody {
    /// The body as `T`: 415 if it is not sent as JSON, 400 if it is not
    /// JSON, 422 if it lacks fields or has the wrong types.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::error::ApiError> {
        use crate::error::{AppError, ErrorCode};
        if !self.is_json {
            return Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "Send a JSON body with Content-Type: application/json.",
            )
            .into());
        }
        let parsed = match serde_json::from_slice::<serde_json::Value>(&self.bytes) {
            Ok(mut value) => {
                if let Some((at, why)) = super::guard::check_json(&value, "") {
                    let message =
                        format!("The field \u{201c}{at}\u{201d} cannot be accepted: {why}");
                    return Err(AppError::new(ErrorCode::ValidationFailed, message)
                        .with_fields(crate::domain::FieldErrors::single(&at, why))
                        .into());
                }
                whole_numbers(&mut value);
                serde_json::from_value(value)
            }
            Err(e) => Err(e),
        };
        parsed.map_err(|e| {
            if e.is_data() {
                let mut fields = crate::domain::FieldErrors::new();
                let text = e.to_string();
                for (start, message) in [
                    ("unknown field `", "This field is not part of the request."),
                    ("missing field `", "This field is required."),
                ] {
                    if let Some(name) = text
                        .strip_prefix(start)
                        .and_then(|rest| rest.split('`').next())
                    {
                        fields.add(name, message);
                    }
                }
                AppError::new(
                    ErrorCode::ValidationFailed,
                    format!("The JSON does not have the expected fields: {e}."),
                )
                .with_fields(fields)
                .into()
            } else {
                AppError::bad_request("The request body is not valid JSON.").into()
            }
        })
    }

    /// 422 naming each of `names` the body's JSON object lacks (a body that
    /// replaces a whole record must carry every field).
    pub fn require(&self, names: &[&str]) -> Result<(), crate::error::ApiError> {
        use crate::error::{AppError, ErrorCode};
        let Ok(serde_json::Value::Object(object)) =
            serde_json::from_slice::<serde_json::Value>(&self.bytes)
        else {
            // `parse` says what is wrong with the body.
            return Ok(());
        };
        let mut fields = crate::domain::FieldErrors::new();
        for name in names.iter().filter(|n| !object.contains_key(**n)) {
            fields.add(
                name,
                "This field is required: PUT replaces the whole record (send null for none); PATCH changes some fields.",
            );
        }
        if fields.is_empty() {
            return Ok(());
        }
        Err(AppError::new(
            ErrorCode::ValidationFailed,
            "The request lacks required fields.",
        )
        .with_fields(fields)
        .into())
    }
}
