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
        password_hash -> Nullable<Text>,
        session_epoch -> BigInt,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        scope -> Text,
        key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        record_type -> Nullable<Text>,
        record_id -> Nullable<BigInt>,
        client_ip -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(users -> schools (school_id));
diesel::joinable!(users -> departments (department_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(audit_events -> users (actor_id));

diesel::allow_tables_to_appear_in_same_query!(
    schools,
    departments,
    users,
    user_roles,
    api_tokens,
    sign_in_failures,
    audit_events,
);
