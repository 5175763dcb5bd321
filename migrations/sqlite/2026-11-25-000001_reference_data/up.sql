-- Reference data: the operator's companies, the localities they serve and their plans.
-- Money is integer paise; rates are basis points (1800 = 18.00 %); timestamps are UTC.
CREATE TABLE companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    gstin TEXT,
    state TEXT NOT NULL,
    address TEXT,
    phone TEXT,
    email TEXT,
    gst_rate_bp INTEGER NOT NULL DEFAULT 1800 CHECK (gst_rate_bp BETWEEN 0 AND 10000),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX companies_name_key ON companies (lower(name));

CREATE TABLE localities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    pincode TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX localities_company_city_name_key ON localities (company_id, lower(city), lower(name));
CREATE INDEX localities_pincode_idx ON localities (pincode);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    description TEXT,
    service_type TEXT NOT NULL CHECK (service_type IN ('BROADBAND', 'CABLE_TV')),
    speed TEXT,
    data_limit TEXT,
    price_paise BIGINT NOT NULL CHECK (price_paise >= 0),
    validity_days INTEGER NOT NULL CHECK (validity_days > 0),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX plans_company_name_key ON plans (company_id, lower(name));
CREATE INDEX plans_service_type_idx ON plans (service_type, id);
CREATE INDEX plans_is_active_idx ON plans (is_active, id);
