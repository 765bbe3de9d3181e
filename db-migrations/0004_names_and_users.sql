-- 0004_names_and_users.sql: unique vNIC profile names per network; users, tokens, failed logins
--
-- oVirt refuses a second profile of one name on a network
-- (ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE); the rule runs in the library
-- and this key holds it against concurrent writers (the loser's retry sees
-- the winner and reports the rule). A database holding such duplicates
-- stops here: rename them, then upgrade.
--
-- The users of the REST engine (engine-ext/, docs/store.md "Users and
-- tokens"): a password hash from libcrypt (yescrypt, "$y$..."), never the
-- password; a role; bearer tokens stored as the SHA-256 of the token (hex),
-- with an expiry, so that any engine process on this database accepts a
-- token another issued; failed logins, for the rate limit.
--
-- SPDX-License-Identifier: LGPL-2.1-or-later

ALTER TABLE vnic_profiles
    ADD CONSTRAINT vnic_profiles_network_id_name_key UNIQUE (network_id, name);
-- the key's index leads with network_id: the profiles of a network are found by it
DROP INDEX vnic_profiles_network_id_idx;

CREATE TABLE users (
    name text PRIMARY KEY
        CHECK (name <> '' AND length(name) <= 256 AND name !~ '[[:space:][:cntrl:]]'),
    -- crypt(3) output: "$y$" (yescrypt) or another prefix libcrypt verifies
    password_hash text NOT NULL CHECK (password_hash LIKE '$%'),
    role text NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    ordinal bigint GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE tokens (
    -- the SHA-256 of the token, in hex: a stolen table gives no usable token
    hash text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    user_name text NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    expires_at timestamp with time zone NOT NULL
);
CREATE INDEX tokens_user_name_idx ON tokens (user_name);
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);

-- no foreign key: a failed login for a name that is no user counts (and is limited) too
CREATE TABLE login_failures (
    user_name text NOT NULL,
    failed_at timestamp with time zone NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_user_name_failed_at_idx ON login_failures (user_name, failed_at);
