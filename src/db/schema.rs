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
        invoice_numbering -> Text,
        invoice_prefix -> Text,
        credit_note_prefix -> Text,
        grace_days -> Integer,
        postpaid_limit_days -> Integer,
        signatory_name -> Nullable<Text>,
        upi_vpa -> Nullable<Text>,
        einvoicing -> Bool,
        debit_note_prefix -> Text,
        kyc_retention_days -> Integer,
        radius_rate_attribute -> Text,
        radius_suspended -> Text,
        radius_walled_pool -> Text,
        pay_link -> Nullable<Text>,
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
        upload_kbps -> Nullable<Integer>,
        download_kbps -> Nullable<Integer>,
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
        slows_username -> Bool,
        pending -> Bool,
    }
}

diesel::table! {
    /// Live events for the other servers on one PostgreSQL (`src/cluster/feed.rs`).
    cluster_events (id) {
        id -> BigInt,
        kind -> Text,
        row_id -> BigInt,
        origin -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Which server runs each background job, until when (`src/cluster/leases.rs`).
    job_leases (job) {
        job -> Text,
        holder -> Text,
        expires_at -> Timestamp,
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
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    customers (id) {
        id -> BigInt,
        customer_id -> Text,
        username -> Text,
        password_hash -> Text,
        password_changed_at -> Timestamp,
        full_name -> Text,
        nickname -> Nullable<Text>,
        email -> Nullable<Text>,
        mobile -> Text,
        alternate_mobile -> Nullable<Text>,
        customer_gst_no -> Nullable<Text>,
        id_proof_type -> Nullable<Text>,
        id_proof_token -> Nullable<Text>,
        house_number -> Nullable<Text>,
        address -> Text,
        locality_id -> Nullable<BigInt>,
        city -> Text,
        state -> Text,
        pincode -> Text,
        service_type -> Text,
        no_of_connections -> Integer,
        company_id -> BigInt,
        auto_renew -> Bool,
        caf_no -> Text,
        mac_address -> Nullable<Text>,
        mac_address_detail -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        vendor -> Nullable<Text>,
        modem_no -> Nullable<Text>,
        modem_no_detail -> Nullable<Text>,
        stb_modem_security_paise -> BigInt,
        plan_id -> BigInt,
        period_months -> Integer,
        start_date -> Date,
        end_date -> Date,
        billing_type -> Text,
        assigned_employee_id -> Nullable<BigInt>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        never_suspend -> Bool,
        suspended_for_dues -> Bool,
        terminated_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invoices (id) {
        id -> BigInt,
        invoice_number -> Text,
        customer_id -> BigInt,
        bill_paise -> BigInt,
        cgst_paise -> BigInt,
        sgst_paise -> BigInt,
        igst_paise -> BigInt,
        installation_paise -> BigInt,
        discount_paise -> BigInt,
        total_paise -> BigInt,
        paid_paise -> BigInt,
        balance_paise -> BigInt,
        invoice_date -> Date,
        due_date -> Date,
        billing_period_start -> Nullable<Date>,
        billing_period_end -> Nullable<Date>,
        status -> Text,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        company_id -> BigInt,
        place_of_supply -> Text,
        customer_gstin -> Nullable<Text>,
        gst_rate_bp -> Integer,
        series -> Text,
        serial -> Nullable<BigInt>,
        billing_run_id -> Nullable<BigInt>,
        issued_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The companies with a GSTIN whose timestamp numbering the issued-documents migration
    /// moved to the financial-year series, with their prefixes before: its down.sql puts them
    /// back. Read by nothing else.
    gst_numbering_moved (company_id) {
        company_id -> BigInt,
        invoice_prefix -> Text,
        credit_note_prefix -> Text,
    }
}

diesel::table! {
    gst_periods_closed (company_id, period) {
        company_id -> BigInt,
        period -> Text,
        closed_at -> Timestamp,
        closed_by -> Nullable<BigInt>,
        closed_by_name -> Text,
    }
}

diesel::table! {
    document_amendments (id) {
        id -> BigInt,
        company_id -> BigInt,
        document -> Text,
        document_id -> BigInt,
        document_date -> Date,
        amended_on -> Date,
        reported_in -> Nullable<Text>,
        before_body -> Text,
        body -> Text,
        reason -> Text,
        amended_by_name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    document_snapshots (id) {
        id -> BigInt,
        company_id -> BigInt,
        document -> Text,
        document_id -> BigInt,
        document_date -> Date,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    einvoice_registrations (id) {
        id -> BigInt,
        company_id -> BigInt,
        document -> Text,
        document_id -> BigInt,
        irn -> Text,
        ack_no -> Text,
        ack_date -> Timestamp,
        signed_qr -> Text,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        payment_id -> Text,
        customer_id -> BigInt,
        invoice_id -> Nullable<BigInt>,
        amount_paise -> BigInt,
        method -> Text,
        payment_reference -> Nullable<Text>,
        remarks -> Nullable<Text>,
        status -> Text,
        collected_by -> Nullable<BigInt>,
        paid_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        allocated_paise -> BigInt,
        refunded_paise -> BigInt,
        payment_reference_key -> Nullable<Text>,
        upi_utr -> Nullable<Text>,
    }
}

diesel::table! {
    payment_allocations (id) {
        id -> BigInt,
        payment_id -> BigInt,
        invoice_id -> BigInt,
        amount_paise -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refunds (id) {
        id -> BigInt,
        refund_id -> Text,
        payment_id -> BigInt,
        customer_id -> BigInt,
        amount_paise -> BigInt,
        reason -> Text,
        approved_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    addon_bills (id) {
        id -> BigInt,
        customer_id -> BigInt,
        addon_type -> Text,
        description -> Text,
        amount_paise -> BigInt,
        cgst_paise -> BigInt,
        sgst_paise -> BigInt,
        igst_paise -> BigInt,
        bill_on -> Text,
        invoice_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        hsn -> Nullable<Text>,
        quantity -> BigInt,
        uqc -> Nullable<Text>,
    }
}

diesel::table! {
    transactions (id) {
        id -> BigInt,
        transaction_id -> Text,
        customer_id -> BigInt,
        transaction_type -> Text,
        amount_paise -> BigInt,
        balance_change_paise -> BigInt,
        balance_after_paise -> BigInt,
        invoice_id -> Nullable<BigInt>,
        payment_id -> Nullable<BigInt>,
        refund_id -> Nullable<BigInt>,
        description -> Text,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        credit_note_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    document_series (id) {
        id -> BigInt,
        company_id -> BigInt,
        document -> Text,
        series -> Text,
        last_serial -> BigInt,
    }
}

diesel::table! {
    credit_notes (id) {
        id -> BigInt,
        credit_note_number -> Text,
        series -> Text,
        serial -> Nullable<BigInt>,
        company_id -> BigInt,
        invoice_id -> BigInt,
        customer_id -> BigInt,
        note_date -> Date,
        taxable_paise -> BigInt,
        cgst_paise -> BigInt,
        sgst_paise -> BigInt,
        igst_paise -> BigInt,
        amount_paise -> BigInt,
        reason -> Text,
        issued_by -> Nullable<BigInt>,
        issued_by_name -> Text,
        created_at -> Timestamp,
        note_type -> Text,
    }
}

diesel::table! {
    complaints (id) {
        id -> BigInt,
        complaint_id -> Text,
        customer_id -> BigInt,
        title -> Text,
        description -> Text,
        category -> Text,
        priority -> Text,
        status -> Text,
        assigned_employee_id -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    connection_requests (id) {
        id -> BigInt,
        full_name -> Text,
        mobile -> Text,
        email -> Nullable<Text>,
        address -> Text,
        locality_id -> Nullable<BigInt>,
        plan_id -> Nullable<BigInt>,
        message -> Nullable<Text>,
        status -> Text,
        customer_id -> Nullable<BigInt>,
        client_address -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        recipient_kind -> Text,
        recipient_id -> BigInt,
        kind -> Text,
        title -> Text,
        body -> Text,
        subject_id -> Nullable<Text>,
        dedupe_key -> Nullable<Text>,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        webhook_status -> Text,
        webhook_attempts -> Integer,
        webhook_next_at -> Nullable<Timestamp>,
        webhook_last_error -> Nullable<Text>,
    }
}

diesel::table! {
    billing_runs (id) {
        id -> BigInt,
        as_of -> Date,
        status -> Text,
        started_by -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        attempts -> Integer,
        renewed -> BigInt,
        overdue -> BigInt,
        suspended -> BigInt,
        reminders -> BigInt,
        errors -> BigInt,
    }
}

diesel::table! {
    billing_run_errors (id) {
        id -> BigInt,
        run_id -> BigInt,
        customer_id -> BigInt,
        message -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    expenses (id) {
        id -> BigInt,
        company_id -> BigInt,
        category -> Text,
        amount_paise -> BigInt,
        expense_date -> Date,
        paid_by -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_changes (id) {
        id -> BigInt,
        customer_id -> BigInt,
        old_plan_id -> Nullable<BigInt>,
        new_plan_id -> Nullable<BigInt>,
        changed_on -> Date,
        period_start -> Date,
        period_end -> Date,
        unused_days -> Integer,
        period_days -> Integer,
        credit_paise -> BigInt,
        charge_paise -> BigInt,
        net_paise -> BigInt,
        carried_from_invoice_id -> Nullable<BigInt>,
        invoice_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_pauses (id) {
        id -> BigInt,
        customer_id -> BigInt,
        paused_on -> Date,
        resumed_on -> Nullable<Date>,
        days -> Nullable<Integer>,
        reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        resumed_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_gateways (id) {
        id -> BigInt,
        company_id -> BigInt,
        provider -> Text,
        key_id -> Text,
        webhook_secret_sealed -> Text,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    id_vault (token) {
        token -> Text,
        nonce -> Text,
        ciphertext -> Text,
        key_id -> Text,
        number_hash -> Text,
        last4_hash -> Text,
        masked -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    id_proof_unvaulted (customer_id) {
        customer_id -> BigInt,
        id_proof_no -> Text,
    }
}

diesel::table! {
    secrets_check (id) {
        id -> BigInt,
        sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    gateway_payments (id) {
        id -> BigInt,
        gateway_id -> BigInt,
        gateway_payment_id -> Text,
        amount_paise -> BigInt,
        currency -> Text,
        method -> Text,
        utr -> Nullable<Text>,
        customer_ref -> Nullable<Text>,
        invoice_ref -> Nullable<Text>,
        payment_id -> Nullable<BigInt>,
        unmatched_reason -> Nullable<Text>,
        paid_at -> Timestamp,
        assigned_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        conflict_no -> Integer,
    }
}

diesel::table! {
    gateway_events (id) {
        id -> BigInt,
        gateway_id -> BigInt,
        event_id -> Text,
        event_type -> Text,
        outcome -> Text,
        gateway_payment_id -> Nullable<BigInt>,
        received_at -> Timestamp,
        conflict_no -> Integer,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        caller -> Text,
        idempotency_key -> Text,
        operation -> Text,
        fingerprint -> Text,
        result_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(gateway_payments -> payment_gateways (gateway_id));
diesel::joinable!(customers -> plans (plan_id));
diesel::joinable!(customers -> companies (company_id));
diesel::joinable!(invoices -> customers (customer_id));
diesel::joinable!(payments -> invoices (invoice_id));
diesel::joinable!(credit_notes -> invoices (invoice_id));

diesel::table! {
    receipt_vouchers (id) {
        id -> BigInt,
        company_id -> BigInt,
        customer_id -> BigInt,
        payment_id -> Nullable<BigInt>,
        series -> Text,
        serial -> BigInt,
        voucher_number -> Text,
        voucher_date -> Date,
        amount_paise -> BigInt,
        taxable_paise -> BigInt,
        cgst_paise -> BigInt,
        sgst_paise -> BigInt,
        igst_paise -> BigInt,
        rate_bp -> Integer,
        pos_code -> Text,
        inter_state -> Bool,
        customer_gstin -> Nullable<Text>,
        adjusted_paise -> BigInt,
        document -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    advance_adjustments (id) {
        id -> BigInt,
        voucher_id -> BigInt,
        company_id -> BigInt,
        adjusted_on -> Date,
        amount_paise -> BigInt,
        taxable_paise -> BigInt,
        cgst_paise -> BigInt,
        sgst_paise -> BigInt,
        igst_paise -> BigInt,
        invoice_id -> Nullable<BigInt>,
        cause -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    network_credentials (id) {
        id -> BigInt,
        customer_id -> BigInt,
        username -> Text,
        password_sealed -> Text,
        static_ip -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        told_status -> Nullable<Text>,
    }
}

diesel::table! {
    nas_devices (id) {
        id -> BigInt,
        name -> Text,
        address -> Text,
        coa_port -> Integer,
        secret_sealed -> Text,
        kind -> Text,
        method -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    radius_sessions (id) {
        id -> BigInt,
        nas_address -> Text,
        acct_session_id -> Text,
        username -> Text,
        customer_id -> Nullable<BigInt>,
        framed_ip -> Nullable<Text>,
        calling_station_id -> Nullable<Text>,
        started_at -> Timestamp,
        updated_at -> Timestamp,
        stopped_at -> Nullable<Timestamp>,
        last_seconds -> BigInt,
        last_record -> Text,
        input_octets -> BigInt,
        output_octets -> BigInt,
        terminate_cause -> Nullable<Text>,
    }
}

diesel::table! {
    /// Look-ups on the payment page by customer number and mobile, for its limit per address.
    pay_lookups (id) {
        id -> BigInt,
        address -> Text,
        looked_up_at -> Timestamp,
    }
}

diesel::table! {
    /// Row counts kept by triggers as rows come and go (migration 000040): `customers`.
    table_counts (table_name) {
        table_name -> Text,
        row_count -> BigInt,
    }
}

diesel::table! {
    radius_usage_daily (customer_id, day) {
        customer_id -> BigInt,
        day -> Date,
        input_octets -> BigInt,
        output_octets -> BigInt,
    }
}

diesel::table! {
    nas_requests (id) {
        id -> BigInt,
        nas_id -> BigInt,
        session_id -> BigInt,
        customer_id -> BigInt,
        code -> Text,
        reason -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(network_credentials -> customers (customer_id));

diesel::allow_tables_to_appear_in_same_query!(
    network_credentials,
    nas_devices,
    radius_sessions,
    radius_usage_daily,
    nas_requests,
    pay_lookups,
    companies,
    receipt_vouchers,
    advance_adjustments,
    localities,
    plans,
    employees,
    sessions,
    login_failures,
    audit_log,
    customers,
    invoices,
    payments,
    payment_allocations,
    refunds,
    addon_bills,
    transactions,
    complaints,
    connection_requests,
    notifications,
    document_series,
    document_snapshots,
    document_amendments,
    gst_periods_closed,
    einvoice_registrations,
    gst_numbering_moved,
    credit_notes,
    expenses,
    billing_runs,
    billing_run_errors,
    plan_changes,
    service_pauses,
    payment_gateways,
    gateway_payments,
    gateway_events,
    idempotency_keys,
    secrets_check,
    id_vault,
    id_proof_unvaulted,
);
