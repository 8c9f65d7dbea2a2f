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
        program -> Text,
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
        sso_subject -> Nullable<Text>,
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
    invitations (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        invited_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        spent_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    campus_responses (visit_id) {
        visit_id -> BigInt,
        agreement -> Text,
        context -> Text,
        author_id -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campus_response_needs (id) {
        id -> BigInt,
        visit_id -> BigInt,
        department_id -> BigInt,
        need -> Text,
        position -> Integer,
        item_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    step_acknowledgements (item_id) {
        item_id -> BigInt,
        user_id -> BigInt,
        acknowledged_at -> Timestamp,
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

diesel::table! {
    outbox_messages (id) {
        id -> BigInt,
        kind -> Text,
        recipient -> Text,
        recipient_id -> Nullable<BigInt>,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        dedupe_key -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        list_unsubscribe -> Nullable<Text>,
    }
}

diesel::table! {
    mail_opt_outs (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
    }
}

diesel::joinable!(users -> schools (school_id));
diesel::joinable!(users -> departments (department_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(audit_events -> users (actor_id));

diesel::table! {
    frameworks (id) {
        id -> BigInt,
        name -> Text,
        version -> Integer,
        frozen_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        label -> Text,
    }
}

diesel::table! {
    framework_domains (id) {
        id -> BigInt,
        framework_id -> BigInt,
        position -> Integer,
        name -> Text,
    }
}

diesel::table! {
    indicators (id) {
        id -> BigInt,
        framework_id -> BigInt,
        domain_id -> BigInt,
        position -> Integer,
        code -> Text,
        title -> Text,
        description -> Nullable<Text>,
        department_id -> Nullable<BigInt>,
        entry_point -> Nullable<Text>,
    }
}

diesel::table! {
    visits (id) {
        id -> BigInt,
        school_id -> BigInt,
        visit_date -> Date,
        status -> Text,
        lead_id -> Nullable<BigInt>,
        framework_id -> Nullable<BigInt>,
        focus -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        evidence_observed -> Nullable<Integer>,
        evidence_applicable -> Nullable<Integer>,
        rollup_version -> BigInt,
    }
}

diesel::table! {
    visit_members (visit_id, user_id) {
        visit_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    visit_segments (visit_id, segment) {
        visit_id -> BigInt,
        segment -> Text,
    }
}

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    observations (id) {
        id -> BigInt,
        visit_id -> BigInt,
        author_id -> BigInt,
        framework_id -> BigInt,
        setting -> Text,
        room -> Text,
        grade_band -> Text,
        subject -> Text,
        started_at -> Nullable<Text>,
        rating -> Nullable<Integer>,
        notes -> Text,
        idempotency_key -> Text,
        body_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        teacher -> Text,
    }
}

diesel::table! {
    indicator_ticks (observation_id, indicator_id) {
        observation_id -> BigInt,
        indicator_id -> BigInt,
        tick -> Text,
    }
}

diesel::table! {
    debriefs (visit_id) {
        visit_id -> BigInt,
        strengths -> Text,
        alignment_notes -> Text,
        attendees -> Text,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    problems_of_practice (id) {
        id -> BigInt,
        visit_id -> BigInt,
        position -> Integer,
        description -> Text,
    }
}

diesel::table! {
    problem_departments (problem_id, department_id) {
        problem_id -> BigInt,
        department_id -> BigInt,
    }
}

diesel::table! {
    district_settings (id) {
        id -> Integer,
        teacher_field -> Bool,
        weak_share_percent -> Integer,
        weak_min_snapshots -> Integer,
        department_due_days -> Integer,
        school_due_days -> Integer,
        due_soon_days -> Integer,
        time_zone -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    action_items (id) {
        id -> BigInt,
        visit_id -> BigInt,
        school_id -> BigInt,
        kind -> Text,
        department_id -> Nullable<BigInt>,
        title -> Text,
        evidence -> Text,
        source_key -> Nullable<Text>,
        edited -> Bool,
        status -> Text,
        reason -> Text,
        priority -> Text,
        owner_id -> Nullable<BigInt>,
        due_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
        days_to_done -> Nullable<Integer>,
    }
}

diesel::table! {
    rollup_queue (id) {
        id -> BigInt,
        visit_id -> BigInt,
    }
}

diesel::table! {
    item_tallies (department_key, status) {
        department_key -> BigInt,
        status -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    visit_look_for_rollups (visit_id, indicator_id) {
        visit_id -> BigInt,
        indicator_id -> BigInt,
        observed -> Integer,
        partly -> Integer,
        not_observed -> Integer,
        not_applicable -> Integer,
    }
}

diesel::table! {
    action_item_indicators (item_id, indicator_id) {
        item_id -> BigInt,
        indicator_id -> BigInt,
    }
}

diesel::table! {
    action_item_updates (id) {
        id -> BigInt,
        item_id -> BigInt,
        author_id -> Nullable<BigInt>,
        at -> Timestamp,
        status -> Text,
        change -> Text,
        note -> Text,
    }
}

diesel::table! {
    action_item_checks (item_id, visit_id) {
        item_id -> BigInt,
        visit_id -> BigInt,
        result -> Text,
        note -> Text,
        author_id -> Nullable<BigInt>,
        at -> Timestamp,
    }
}

diesel::joinable!(action_items -> visits (visit_id));
diesel::joinable!(visit_look_for_rollups -> visits (visit_id));
diesel::joinable!(visit_look_for_rollups -> indicators (indicator_id));
diesel::joinable!(action_items -> schools (school_id));
diesel::joinable!(action_items -> departments (department_id));
diesel::joinable!(action_items -> users (owner_id));
diesel::joinable!(action_item_indicators -> action_items (item_id));
diesel::joinable!(action_item_indicators -> indicators (indicator_id));
diesel::joinable!(action_item_updates -> action_items (item_id));
diesel::joinable!(action_item_checks -> action_items (item_id));
diesel::joinable!(problem_departments -> problems_of_practice (problem_id));
diesel::joinable!(problem_departments -> departments (department_id));
diesel::joinable!(campus_response_needs -> departments (department_id));
diesel::joinable!(campus_response_needs -> campus_responses (visit_id));
diesel::joinable!(calendar_feeds -> users (user_id));
diesel::joinable!(observations -> visits (visit_id));
diesel::joinable!(observations -> users (author_id));
diesel::joinable!(indicator_ticks -> observations (observation_id));
diesel::joinable!(indicator_ticks -> indicators (indicator_id));
diesel::joinable!(framework_domains -> frameworks (framework_id));
diesel::joinable!(indicators -> framework_domains (domain_id));
diesel::joinable!(indicators -> departments (department_id));
diesel::joinable!(visits -> schools (school_id));
diesel::joinable!(visits -> frameworks (framework_id));
diesel::joinable!(visit_members -> visits (visit_id));
diesel::joinable!(visit_members -> users (user_id));
diesel::joinable!(visit_segments -> visits (visit_id));

diesel::table! {
    ended_sessions (sid) {
        sid -> Text,
        user_id -> BigInt,
        ended_at -> Timestamp,
    }
}

diesel::joinable!(ended_sessions -> users (user_id));

diesel::table! {
    learning_series (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offerings (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        format -> Text,
        department_id -> BigInt,
        audience -> Text,
        credit_tenths -> Integer,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offering_look_fors (offering_id, code) {
        offering_id -> BigInt,
        code -> Text,
    }
}

diesel::table! {
    learning_sessions (id) {
        id -> BigInt,
        offering_id -> BigInt,
        series_id -> Nullable<BigInt>,
        on_date -> Date,
        starts_at -> Text,
        ends_at -> Text,
        place -> Text,
        capacity -> Integer,
        facilitator_id -> Nullable<BigInt>,
        cancelled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_registrations (id) {
        id -> BigInt,
        session_id -> BigInt,
        school_id -> BigInt,
        participants -> Integer,
        names -> Text,
        attended -> Nullable<Integer>,
        registered_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    action_item_learning (item_id, offering_id) {
        item_id -> BigInt,
        offering_id -> BigInt,
        session_id -> Nullable<BigInt>,
        linked_by -> Nullable<BigInt>,
        linked_at -> Timestamp,
    }
}

diesel::joinable!(offerings -> departments (department_id));
diesel::joinable!(offering_look_fors -> offerings (offering_id));
diesel::joinable!(learning_sessions -> offerings (offering_id));
diesel::joinable!(learning_sessions -> learning_series (series_id));
diesel::joinable!(learning_sessions -> users (facilitator_id));
diesel::joinable!(session_registrations -> learning_sessions (session_id));
diesel::joinable!(session_registrations -> schools (school_id));
diesel::joinable!(session_registrations -> users (registered_by));
diesel::joinable!(action_item_learning -> action_items (item_id));
diesel::joinable!(action_item_learning -> offerings (offering_id));
diesel::joinable!(action_item_learning -> learning_sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    learning_series,
    offerings,
    offering_look_fors,
    learning_sessions,
    session_registrations,
    action_item_learning,
    ended_sessions,
    schools,
    departments,
    users,
    user_roles,
    api_tokens,
    invitations,
    campus_responses,
    campus_response_needs,
    step_acknowledgements,
    sign_in_failures,
    audit_events,
    frameworks,
    framework_domains,
    indicators,
    visits,
    visit_members,
    visit_segments,
    calendar_feeds,
    observations,
    indicator_ticks,
    debriefs,
    problems_of_practice,
    problem_departments,
    district_settings,
    action_items,
    action_item_indicators,
    action_item_updates,
    action_item_checks,
    outbox_messages,
    mail_opt_outs,
    visit_look_for_rollups,
    item_tallies,
    rollup_queue,
);
