-- Mandate schema, SPEC §1. Constraints carry the SECURITY.md invariants wherever one row can
-- express them: budgets balance by CHECK (invariant 2), jti and token hash are unique (5),
-- at most one signing key is current, audit rows cannot be edited in place.

-- Slugs: lower-case letters, digits and dashes, starting with a letter or digit.
CREATE DOMAIN slug AS varchar(64) CHECK (VALUE ~ '^[a-z0-9][a-z0-9-]{0,63}$');

CREATE TABLE trusted_issuers (
    id          slug PRIMARY KEY,
    issuer      varchar(512)  NOT NULL UNIQUE,          -- exact `iss` string, compared byte for byte
    jwks_uri    varchar(2048),
    jwks        text,                                   -- inline public JWK set (JSON)
    audience    varchar(512),                           -- NULL: the broker's issuer URL
    algorithms  varchar(16)[] NOT NULL DEFAULT '{ES256,RS256}',
    version     bigint        NOT NULL DEFAULT 0,
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT issuer_has_one_key_source CHECK ((jwks_uri IS NULL) <> (jwks IS NULL)),
    CONSTRAINT issuer_algorithms_known CHECK (
        cardinality(algorithms) > 0
        AND algorithms <@ ARRAY['ES256','ES384','ES512','RS256','RS384','RS512','PS256','PS384','PS512','EdDSA']::varchar(16)[])
);

CREATE TABLE resource_servers (
    id                          slug PRIMARY KEY,
    audience                    varchar(512) NOT NULL UNIQUE,   -- absolute URI, the `aud` value
    budget_unit                 varchar(32)  NOT NULL DEFAULT 'calls' CHECK (budget_unit ~ '^[a-z][a-z0-9_]{0,31}$'),
    secret_hmac                 bytea        NOT NULL CHECK (octet_length(secret_hmac) = 32),
    previous_secret_hmac        bytea        CHECK (octet_length(previous_secret_hmac) = 32),
    previous_secret_valid_until timestamptz,
    version                     bigint       NOT NULL DEFAULT 0,
    created_at                  timestamptz  NOT NULL DEFAULT now(),
    updated_at                  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT previous_secret_has_deadline CHECK ((previous_secret_hmac IS NULL) = (previous_secret_valid_until IS NULL))
);

CREATE TABLE scopes (
    -- RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E
    name                varchar(128) PRIMARY KEY CHECK (name ~ '^[\x21\x23-\x5B\x5D-\x7E]+$'),
    resource_server_id  slug         NOT NULL REFERENCES resource_servers (id) ON DELETE RESTRICT,
    description         varchar(1024) NOT NULL DEFAULT '',
    default_ttl_seconds integer      NOT NULL DEFAULT 300 CHECK (default_ttl_seconds > 0),
    max_ttl_seconds     integer      NOT NULL DEFAULT 900 CHECK (max_ttl_seconds > 0),
    max_budget          bigint       CHECK (max_budget > 0),
    delegable           boolean      NOT NULL DEFAULT true,
    version             bigint       NOT NULL DEFAULT 0,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT scope_default_ttl_within_max CHECK (default_ttl_seconds <= max_ttl_seconds)
);
CREATE INDEX scopes_by_resource_server ON scopes (resource_server_id);

CREATE TABLE agents (
    id                   slug PRIMARY KEY,
    issuer_id            slug         NOT NULL REFERENCES trusted_issuers (id) ON DELETE RESTRICT,
    subject              varchar(512) NOT NULL,              -- exact `sub` of its workload JWTs
    max_delegation_depth integer      NOT NULL DEFAULT 3 CHECK (max_delegation_depth BETWEEN 0 AND 16),
    max_ttl_seconds      integer      CHECK (max_ttl_seconds > 0),   -- the agent's own TTL cap, if any
    enabled              boolean      NOT NULL DEFAULT true,
    version              bigint       NOT NULL DEFAULT 0,
    created_at           timestamptz  NOT NULL DEFAULT now(),
    updated_at           timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT agent_subject_unique_per_issuer UNIQUE (issuer_id, subject)
);

-- Join tables rather than arrays, so that "names existing things" is a foreign key.
CREATE TABLE agent_allowed_scopes (
    agent_id   slug         NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    scope_name varchar(128) NOT NULL REFERENCES scopes (name) ON DELETE RESTRICT,
    PRIMARY KEY (agent_id, scope_name)
);
CREATE INDEX agent_allowed_scopes_by_scope ON agent_allowed_scopes (scope_name);

CREATE TABLE agent_delegates (
    agent_id    slug NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    delegate_id slug NOT NULL REFERENCES agents (id) ON DELETE RESTRICT,
    PRIMARY KEY (agent_id, delegate_id)
);
CREATE INDEX agent_delegates_by_delegate ON agent_delegates (delegate_id);

-- A budget account: invariant 2 is a CHECK, so no statement can leave it unbalanced.
CREATE TABLE budget_accounts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id    bigint      REFERENCES budget_accounts (id) ON DELETE RESTRICT,
    task_id      varchar(64) NOT NULL,
    unit         varchar(32) NOT NULL,
    limit_amount bigint      NOT NULL CHECK (limit_amount > 0),
    remaining    bigint      NOT NULL CHECK (remaining >= 0),
    carved       bigint      NOT NULL DEFAULT 0 CHECK (carved >= 0),
    charged      bigint      NOT NULL DEFAULT 0 CHECK (charged >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT budget_balances CHECK (remaining + carved + charged = limit_amount)
);
CREATE INDEX budget_accounts_by_parent ON budget_accounts (parent_id);

-- Issued tokens: never the token itself, only its jti and SHA-256 (SPEC §1).
-- agent_id carries no foreign key: the record outlives a deleted agent.
CREATE TABLE tokens (
    jti                varchar(64)  PRIMARY KEY,
    token_sha256       bytea        NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
    task_id            varchar(64)  NOT NULL,
    parent_jti         varchar(64)  REFERENCES tokens (jti) ON DELETE RESTRICT,
    depth              integer      NOT NULL CHECK (depth BETWEEN 0 AND 16),
    subject            varchar(512) NOT NULL,
    agent_id           varchar(64)  NOT NULL,
    actor_chain        jsonb,                              -- the `act` claim, NULL on a root token
    audience           varchar(512) NOT NULL,
    resource_server_id varchar(64)  NOT NULL,
    scopes             varchar(128)[] NOT NULL,
    issued_at          timestamptz  NOT NULL,
    expires_at         timestamptz  NOT NULL,
    budget_account_id  bigint       REFERENCES budget_accounts (id) ON DELETE RESTRICT,
    kid                varchar(64)  NOT NULL,
    revoked_at         timestamptz,
    revoked_reason     varchar(64),
    CONSTRAINT token_lifetime_positive CHECK (expires_at > issued_at),
    CONSTRAINT token_root_has_no_parent CHECK ((depth = 0) = (parent_jti IS NULL))
);
CREATE INDEX tokens_by_parent ON tokens (parent_jti);
CREATE INDEX tokens_by_task ON tokens (task_id);
CREATE INDEX tokens_by_agent ON tokens (agent_id, expires_at);

-- Invariant 4 spans two rows, so a trigger checks it on insert: a child never outlives
-- its parent, never widens its scope and sits exactly one level below it.
CREATE FUNCTION tokens_child_within_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p tokens%ROWTYPE;
BEGIN
    IF NEW.parent_jti IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO p FROM tokens WHERE jti = NEW.parent_jti;
    IF NEW.expires_at > p.expires_at THEN
        RAISE EXCEPTION 'child token % outlives its parent %', NEW.jti, p.jti USING ERRCODE = 'check_violation';
    END IF;
    IF NOT (NEW.scopes <@ p.scopes) THEN
        RAISE EXCEPTION 'child token % widens the scope of %', NEW.jti, p.jti USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.depth <> p.depth + 1 OR NEW.task_id <> p.task_id OR NEW.subject <> p.subject
       OR NEW.audience <> p.audience THEN
        RAISE EXCEPTION 'child token % does not continue the chain of %', NEW.jti, p.jti USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tokens_child_within_parent BEFORE INSERT ON tokens
    FOR EACH ROW EXECUTE FUNCTION tokens_child_within_parent();

-- Budget charges by resource servers; the idempotency key is unique per token.
CREATE TABLE usage_charges (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jti                varchar(64)  NOT NULL REFERENCES tokens (jti) ON DELETE RESTRICT,
    idempotency_key    varchar(200) NOT NULL,
    resource_server_id varchar(64)  NOT NULL,
    budget_account_id  bigint       REFERENCES budget_accounts (id) ON DELETE RESTRICT,
    amount             bigint       NOT NULL CHECK (amount > 0),
    remaining_after    bigint       CHECK (remaining_after >= 0),
    charged_at         timestamptz  NOT NULL,
    CONSTRAINT usage_charge_idempotent UNIQUE (jti, idempotency_key)
);
CREATE INDEX usage_charges_by_account ON usage_charges (budget_account_id);

-- Signing keys (SPEC §7): private part AES-256-GCM encrypted, kid as associated data.
CREATE TABLE signing_keys (
    kid                    varchar(64) PRIMARY KEY,
    alg                    varchar(16) NOT NULL CHECK (alg IN ('ES256', 'RS256', 'EdDSA')),
    state                  varchar(16) NOT NULL CHECK (state IN ('next', 'current', 'retired')),
    public_jwk             text        NOT NULL,
    private_key_ciphertext bytea       NOT NULL,
    private_key_nonce      bytea       NOT NULL CHECK (octet_length(private_key_nonce) = 12),
    created_at             timestamptz NOT NULL,
    activated_at           timestamptz,
    retired_at             timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (state) WHERE state = 'current';

-- Admin bearer tokens, stored as SHA-256 (they are 256-bit random values).
CREATE TABLE admin_tokens (
    id           varchar(64) PRIMARY KEY,
    token_sha256 bytea       NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
    source       varchar(16) NOT NULL CHECK (source IN ('environment', 'generated')),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Audit trail: append-only, hash chained. Events are spread over a few independent chains
-- so that appending never serialises the whole broker on one row; each chain's head row is
-- locked only for the duration of one insert.
CREATE TABLE audit_chains (
    chain_id  smallint PRIMARY KEY,
    last_seq  bigint   NOT NULL DEFAULT 0,
    last_hash bytea    NOT NULL
);

CREATE TABLE audit_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain_id       smallint     NOT NULL REFERENCES audit_chains (chain_id),
    chain_seq      bigint       NOT NULL,
    occurred_at    timestamptz  NOT NULL,
    type           varchar(64)  NOT NULL,
    outcome        varchar(16)  NOT NULL CHECK (outcome IN ('success', 'refused', 'error')),
    reason         varchar(64),
    actor          varchar(128),                         -- who acted: agent, admin or resource server
    agent_id       varchar(64),
    jti            varchar(64),
    task_id        varchar(64),
    parent_jti     varchar(64),
    audience       varchar(512),
    scopes         varchar(1024),
    client_address varchar(64),
    details        jsonb,
    prev_hash      bytea        NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash           bytea        NOT NULL CHECK (octet_length(hash) = 32),
    CONSTRAINT audit_chain_position_unique UNIQUE (chain_id, chain_seq)
);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at);
CREATE INDEX audit_events_by_task ON audit_events (task_id);
CREATE INDEX audit_events_by_agent ON audit_events (agent_id);
CREATE INDEX audit_events_by_jti ON audit_events (jti);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Eight chains, each starting from 32 zero bytes.
INSERT INTO audit_chains (chain_id, last_seq, last_hash)
SELECT g, 0, decode(repeat('00', 32), 'hex') FROM generate_series(0, 7) AS g;
