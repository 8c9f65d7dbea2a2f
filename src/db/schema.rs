//! The one schema both engines share. Kept by hand: `diesel print-schema`
//! reads one engine, and SQLite reports its 64-bit row ids as `Integer`.

diesel::table! {
    schools (id) {
        id -> BigInt,
        name -> Text,
        code -> Text,
        level -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    departments (id) {
        id -> BigInt,
        name -> Text,
        contact_email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        email -> Text,
        active -> Bool,
        school_id -> Nullable<BigInt>,
        department_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(users -> schools (school_id));
diesel::joinable!(users -> departments (department_id));

diesel::allow_tables_to_appear_in_same_query!(schools, departments, users);
