//! Hand-written SQL for the few queries the query builder cannot say on
//! both engines (window functions, common table expressions, grouped
//! conditional sums). Statements are written once with `?` placeholders;
//! PostgreSQL gets them numbered (`$1`, `$2`, …).

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_query;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text};
use diesel::sqlite::Sqlite;

use super::DbConn;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(i64),
    Text(String),
    Date(NaiveDate),
    Bool(bool),
    NullInt,
    NullText,
    NullBool,
}

/// `?` → `$1`, `$2`, … (no statement here has a `?` inside a string).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param.clone() {
                Param::Int(v) => query.bind::<BigInt, _>(v),
                Param::Text(v) => query.bind::<Text, _>(v),
                Param::Date(v) => query.bind::<Date, _>(v),
                Param::Bool(v) => query.bind::<Bool, _>(v),
                Param::NullInt => query.bind::<Nullable<BigInt>, _>(None::<i64>),
                Param::NullText => query.bind::<Nullable<Text>, _>(None::<String>),
                Param::NullBool => query.bind::<Nullable<Bool>, _>(None::<bool>),
            };
        }
        query
    }};
}

fn sqlite_query<'a>(
    sql: &str,
    params: &[Param],
) -> BoxedSqlQuery<'a, Sqlite, diesel::query_builder::SqlQuery> {
    bind_all!(sql_query(sql).into_boxed::<Sqlite>(), params)
}

fn pg_query<'a>(
    sql: &str,
    params: &[Param],
) -> BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery> {
    bind_all!(sql_query(numbered(sql)).into_boxed::<Pg>(), params)
}

/// Runs a query and reads its rows by column name.
pub fn load<T>(conn: &mut DbConn, sql: &str, params: &[Param]) -> QueryResult<Vec<T>>
where
    T: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
{
    match conn {
        DbConn::Sqlite(c) => sqlite_query(sql, params).load(c),
        DbConn::Postgres(c) => pg_query(sql, params).load(c),
    }
}

/// Runs a statement; the number of rows it touched.
pub fn execute(conn: &mut DbConn, sql: &str, params: &[Param]) -> QueryResult<usize> {
    match conn {
        DbConn::Sqlite(c) => sqlite_query(sql, params).execute(c),
        DbConn::Postgres(c) => pg_query(sql, params).execute(c),
    }
}

/// A row of one integer column named `n`: a count, a day count, an id.
#[derive(Debug, QueryableByName)]
pub struct Number {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// `?, ?, ?` for `n` values; `NULL` for none, so `IN (…)` stays valid and
/// matches nothing.
pub fn placeholders(n: usize) -> String {
    if n == 0 {
        return "NULL".to_owned();
    }
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            numbered("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(placeholders(3), "?, ?, ?");
        assert_eq!(placeholders(0), "NULL");
    }
}
