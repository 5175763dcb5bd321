//! Diesel's view of the tables (kept by hand to fit both backends; see diesel.toml).

diesel::table! {
    companies (id) {
        id -> BigInt,
        name -> Text,
        gstin -> Nullable<Text>,
        state -> Text,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        gst_rate_bp -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    localities (id) {
        id -> BigInt,
        company_id -> BigInt,
        name -> Text,
        city -> Text,
        state -> Text,
        pincode -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plans (id) {
        id -> BigInt,
        company_id -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        service_type -> Text,
        speed -> Nullable<Text>,
        data_limit -> Nullable<Text>,
        price_paise -> BigInt,
        validity_days -> Integer,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(localities -> companies (company_id));
diesel::joinable!(plans -> companies (company_id));

diesel::table! {
    employees (id) {
        id -> BigInt,
        username -> Text,
        full_name -> Text,
        mobile -> Nullable<Text>,
        email -> Nullable<Text>,
        role -> Text,
        is_active -> Bool,
        password_hash -> Text,
        password_changed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        principal_kind -> Text,
        principal_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        username -> Text,
        address -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Text,
        operation -> Text,
        target_ids -> Text,
        details -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    companies,
    localities,
    plans,
    employees,
    sessions,
    login_failures,
    audit_log
);
