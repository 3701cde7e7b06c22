-- The bank desk's schema, version 1. Runs unchanged on H2 2.3 and PostgreSQL 15 (portable SQL only:
-- identity columns, BYTEA, TIMESTAMP WITH TIME ZONE, CHECK constraints). Never edit a released
-- migration: Flyway's checksum check refuses a database migrated by a different V1 (docs/DESK-DATABASE.md).

-- The marker: one row that says this database is a secure-relay bank desk's.
CREATE TABLE desk_database (
    id          INTEGER                  NOT NULL PRIMARY KEY CHECK (id = 1),
    application VARCHAR(64)              NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO desk_database (id, application, created_at) VALUES (1, 'secure-relay bank desk', CURRENT_TIMESTAMP);

-- The trust store: one row per customer, known by its identity key.
CREATE TABLE customers (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label                 VARCHAR(200)             NOT NULL,
    session_id            CHAR(32),                            -- hex; null until it first calls
    public_key            BYTEA                    NOT NULL,   -- DER SubjectPublicKeyInfo
    fingerprint           VARCHAR(100)             NOT NULL,
    status                VARCHAR(16)              NOT NULL CHECK (status IN ('TRUSTED', 'KEY_CHANGED')),
    presented_key         BYTEA,                               -- KEY_CHANGED: the refused key
    presented_fingerprint VARCHAR(100),
    presented_at          TIMESTAMP WITH TIME ZONE,
    first_seen            TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen             TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT customers_session_unique UNIQUE (session_id),
    CONSTRAINT customers_fingerprint_unique UNIQUE (fingerprint),
    CONSTRAINT customers_presented_complete CHECK (
        (status = 'TRUSTED' AND presented_key IS NULL AND presented_fingerprint IS NULL AND presented_at IS NULL)
        OR (status = 'KEY_CHANGED' AND presented_key IS NOT NULL AND presented_fingerprint IS NOT NULL
            AND presented_at IS NOT NULL))
);

-- Every message of every conversation. id is the REST API's cursor.
CREATE TABLE messages (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  BIGINT                   NOT NULL REFERENCES customers (id),
    direction    VARCHAR(3)               NOT NULL CHECK (direction IN ('IN', 'OUT')),
    number       BIGINT                   NOT NULL CHECK (number > 0),
    sent_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    stored_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    text         VARCHAR(65536)           NOT NULL,
    acknowledged BOOLEAN                  NOT NULL,   -- OUT: the customer acknowledged it; IN: true
    read         BOOLEAN                  NOT NULL,   -- IN: an agent read it; OUT: true
    CONSTRAINT messages_number_unique UNIQUE (customer_id, direction, number)
);
CREATE INDEX messages_by_customer ON messages (customer_id, id);

-- Each conversation's numbers (the engine's Outbox).
CREATE TABLE conversation_counters (
    customer_id BIGINT NOT NULL PRIMARY KEY REFERENCES customers (id),
    next_out    BIGINT NOT NULL CHECK (next_out >= 1),
    acked_out   BIGINT NOT NULL CHECK (acked_out >= 0),
    last_in     BIGINT NOT NULL CHECK (last_in >= 0),
    CONSTRAINT counters_acked_below_next CHECK (acked_out < next_out)
);
