//! Generated input against every operation of the OpenAPI document, with
//! an administrator's token: bodies, query values and path segments made by
//! proptest strategies from a fixed seed, so a failure repeats. Whatever
//! arrives, the API never answers 5xx, every 4xx is the JSON envelope,
//! every status is one the document declares for the operation, and every
//! 2xx JSON body validates against the schema declared for it.

use std::collections::BTreeSet;

use campus_visits::domain::account::Role;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value};

use crate::helpers::{browser, spawn_app};
use crate::items::{published, story};

/// Cases per operation.
const CASES: usize = 12;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 ._-]{1,12}",
        ".{0,8}",
        Just("a\u{0}b".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("=HYPERLINK(\"x\")".to_owned()),
        Just("x".repeat(5000)),
        Just("0000-01-01".to_owned()),
        Just("2027-02-30".to_owned()),
        Just("2027-03-01".to_owned()),
        Just("proposed".to_owned()),
        Just("open".to_owned()),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::from(1)),
        Just(Value::from(0)),
        Just(Value::from(-1)),
        Just(Value::from(i64::MAX)),
        Just(Value::from(2_147_483_648u64)),
        Just(Value::from(1.5)),
        any::<i32>().prop_map(Value::from),
    ]
}

/// Any JSON, objects keyed mostly by names the document's schemas use.
fn json(names: Vec<String>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    let key = prop_oneof![3 => proptest::sample::select(names), 1 => text()];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1".to_owned()),
        Just("2".to_owned()),
        Just("999999".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("%00".to_owned()),
        Just("%E2%9C%93".to_owned()),
        "[a-z]{1,6}",
    ]
}

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1".to_owned()),
        Just("0".to_owned()),
        Just("2147483648".to_owned()),
        Just("-3".to_owned()),
        Just("true".to_owned()),
        Just("%00".to_owned()),
        Just("2027-01-01".to_owned()),
        Just("0000-01-01".to_owned()),
        "[a-z]{0,6}",
    ]
}

/// A validator for the JSON schema an operation declares for `status`, its
/// `$ref`s resolved against the document's components.
fn response_validator(
    doc: &Value,
    operation: &Value,
    status: &str,
) -> Option<jsonschema::Validator> {
    let schema = operation["responses"][status]["content"]["application/json"]["schema"].clone();
    let Value::Object(mut root) = schema else {
        return None;
    };
    root.insert(
        "$schema".to_owned(),
        Value::from("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("components".to_owned(), doc["components"].clone());
    Some(jsonschema::validator_for(&Value::Object(root)).expect("the document's schema compiles"))
}

fn sample<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).expect("a value").current()
}

/// Every property name the document's schemas declare.
fn property_names(doc: &Value) -> Vec<String> {
    let mut names = BTreeSet::new();
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for schema in schemas.values() {
            if let Some(properties) = schema["properties"].as_object() {
                names.extend(properties.keys().cloned());
            }
        }
    }
    names.into_iter().collect()
}

#[tokio::test]
async fn generated_requests_to_every_operation_get_no_5xx_only_declared_statuses_and_the_envelope()
{
    let app = spawn_app().await;
    let s = story(&app);
    // Records for the ids 1 and 2 to reach: a published visit and its items.
    published(&app, &s, s.school, &[s.visitor.id], &[]);
    let (_, token) = app.token_for(&[Role::Admin]);
    let client = browser();
    let doc: Value = client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The validators are not vacuous: a listing without its items fails.
    let listing = response_validator(&doc, &doc["paths"]["/api/v1/schools"]["get"], "200")
        .expect("the school list declares its body");
    assert!(!listing.is_valid(&serde_json::json!({"total": "many"})));
    let names = property_names(&doc);
    let bodies = json(names);
    let mut runner = TestRunner::deterministic();
    let mut sent = 0;
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().unwrap() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for _ in 0..CASES {
                let mut url = path.clone();
                let mut query = Vec::new();
                for parameter in &parameters {
                    let name = parameter["name"].as_str().unwrap();
                    match parameter["in"].as_str() {
                        Some("path") => {
                            let value = sample(&mut runner, &segment());
                            url = url.replace(&format!("{{{name}}}"), &value);
                        }
                        Some("query") if sample(&mut runner, &any::<bool>()) => {
                            query.push(format!("{name}={}", sample(&mut runner, &query_value())));
                        }
                        _ => {}
                    }
                }
                if !query.is_empty() {
                    url = format!("{url}?{}", query.join("&"));
                }
                let mut request = client
                    .request(method.clone(), app.url(&url))
                    .bearer_auth(&token);
                if sample(&mut runner, &any::<bool>()) {
                    let key = format!("fuzz-{sent}-{}", sample(&mut runner, &"[a-z0-9]{0,40}"));
                    request = request.header("Idempotency-Key", key);
                }
                if !operation["requestBody"].is_null() {
                    let body = sample(&mut runner, &bodies);
                    request = request.json(&body);
                }
                let response = request.send().await.unwrap();
                sent += 1;
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                if operation["responses"][status.as_str()].is_null() {
                    failures.push(format!(
                        "{method} {url}: {status} is not declared for {path}"
                    ));
                }
                if status.is_success() {
                    if let Some(validator) = response_validator(&doc, operation, status.as_str()) {
                        match serde_json::from_str::<Value>(&text) {
                            Ok(body) => {
                                checked += 1;
                                if let Some(error) = validator.iter_errors(&body).next() {
                                    failures.push(format!(
                                        "{method} {url}: {status} body does not match its schema at {}: {error}",
                                        error.instance_path()
                                    ));
                                }
                            }
                            Err(e) => failures
                                .push(format!("{method} {url}: {status} body is not JSON: {e}")),
                        }
                    }
                }
                if status.is_server_error() {
                    failures.push(format!("{method} {url}: {status} {text}"));
                } else if status.is_client_error() {
                    let envelope: Option<Value> = serde_json::from_str(&text).ok();
                    let coded = envelope.as_ref().is_some_and(|e| {
                        e["error"]["code"].is_string() && e["error"]["message"].is_string()
                    });
                    if !coded {
                        failures.push(format!(
                            "{method} {url}: {status} outside the envelope: {text:.200}"
                        ));
                    }
                }
            }
        }
    }
    assert!(sent > 200, "only {sent} requests");
    assert!(
        checked > 40,
        "only {checked} 2xx bodies checked against their schema"
    );
    eprintln!("{sent} requests, {checked} 2xx bodies checked against their schema");
    assert!(
        failures.is_empty(),
        "{} of {sent} requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
