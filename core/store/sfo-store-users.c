/*
 * sfo-store-users.c: the users of the REST engine, their passwords and bearer tokens
 *
 * Passwords are hashed by libcrypt (yescrypt: crypt_gensalt_rn() with the
 * "$y$" prefix and its default cost, crypt_rn()) and never stored nor
 * reported. A token is 32 bytes from getrandom(2), given out base64url and
 * stored only as its SHA-256 (GChecksum) with an expiry, so that every
 * process on the database accepts it and a copy of the table gives no
 * usable token. Failed logins are recorded per name (known or not) and a
 * name with SFO_STORE_LOGIN_MAX_FAILURES of them in the last
 * SFO_STORE_LOGIN_WINDOW seconds is refused before its password is looked
 * at. docs/store.md, "Users and tokens".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <crypt.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "sfo-store.h"

#define SFO_STORE_USER_ADMIN "admin@internal"
#define SFO_STORE_TOKEN_BYTES 32
#define SFO_STORE_PASSWORD_BYTES 18
/* a token lives at most 30 days */
#define SFO_STORE_TOKEN_MAX_TTL (30 * 24 * 3600)

/* ------------------------------------------------------------------------ */
/* Secrets                                                                  */
/* ------------------------------------------------------------------------ */

static int
sfo_store_random(guint8 *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sfo_error_report(SFO_ERROR, SFO_KEY_INVALID_ARGUMENT, "cannot read random bytes: %s",
                             g_strerror(errno));
            return SFO_ERROR;
        }
        done += (size_t)n;
    }
    return 0;
}

/* @len random bytes as base64url without padding */
static char *
sfo_store_random_text(size_t len)
{
    g_autofree guint8 *buf = g_malloc(len);
    char *text;
    char *c;

    if (sfo_store_random(buf, len) < 0)
        return NULL;
    text = g_base64_encode(buf, len);
    explicit_bzero(buf, len);
    for (c = text; *c; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
        else if (*c == '=')
            *c = '\0';
    }
    return text;
}

/* The stored form of a token: its SHA-256, hex */
static char *
sfo_store_token_hash(const char *token)
{
    return g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
}

typedef struct crypt_data sfo_crypt_data;

static void
sfo_crypt_data_free(sfo_crypt_data *data)
{
    explicit_bzero(data, sizeof(*data));
    g_free(data);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_crypt_data, sfo_crypt_data_free)

/* crypt(3) of @password with @setting (a salt, or a stored hash); NULL on failure */
static char *
sfo_store_crypt(const char *password, const char *setting)
{
    g_autoptr(sfo_crypt_data) data = g_new0(sfo_crypt_data, 1);
    const char *out = crypt_rn(password, setting, data, sizeof(*data));

    /* a failure is NULL or a string starting with '*' */
    if (!out || out[0] == '*')
        return NULL;
    return g_strdup(out);
}

/* A new yescrypt hash of @password (salt from libcrypt's own random source) */
static int
sfo_store_hash_password(const char *password, char **ret_hash)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    char *hash;

    if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) ||
        !(hash = sfo_store_crypt(password, salt))) {
        sfo_error_report(SFO_ERROR, SFO_KEY_INVALID_ARGUMENT, "cannot hash the password: %s",
                         g_strerror(errno));
        return SFO_ERROR;
    }
    *ret_hash = hash;
    return 0;
}

/* Whether @password hashes to @hash, compared in constant time */
static gboolean
sfo_store_password_matches(const char *password, const char *hash)
{
    g_autofree char *again = sfo_store_crypt(password, hash);
    size_t len = strlen(hash);
    unsigned char diff = 0;
    size_t i;

    if (!again || strlen(again) != len)
        return FALSE;
    for (i = 0; i < len; i++)
        diff |= (unsigned char)(again[i] ^ hash[i]);
    return diff == 0;
}

/* ------------------------------------------------------------------------ */
/* Arguments                                                                */
/* ------------------------------------------------------------------------ */

static int
sfo_store_check_user_name(const char *name)
{
    const char *c;
    size_t n = 0;

    if (!g_utf8_validate(name, -1, NULL))
        goto bad;
    for (c = name; *c; c = g_utf8_next_char(c), n++) {
        gunichar u = g_utf8_get_char(c);

        if (g_unichar_isspace(u) || g_unichar_iscntrl(u))
            goto bad;
    }
    if (n >= 1 && n <= 256)
        return 0;
bad:
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT,
                     "a user name is 1 to 256 characters, none of them a space or a control "
                     "character");
    return SFO_EINVALID;
}

static int
sfo_store_check_password(const char *password)
{
    if (*password && strlen(password) <= 4096)
        return 0;
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT, "a password is 1 to 4096 bytes");
    return SFO_EINVALID;
}

static int
sfo_store_check_role(const char *role)
{
    if (g_str_equal(role, "admin") || g_str_equal(role, "viewer"))
        return 0;
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT, "unknown role '%s' (admin, viewer)",
                     role);
    return SFO_EINVALID;
}

static int
sfo_store_user_not_found(const char *name)
{
    sfo_error_report(SFO_ENOTFOUND, SFO_KEY_USER_NOT_FOUND, "no user '%s' in the store", name);
    return SFO_ENOTFOUND;
}

/* ------------------------------------------------------------------------ */
/* Users                                                                    */
/* ------------------------------------------------------------------------ */

/* One statement, its rows counted */
typedef struct {
    sfo_store_stmt_id stmt;
    const char *params[3];
    int rows; /* out */
} sfo_store_user_op;

static int
sfo_store_user_txn(sfo_store *s, gpointer data)
{
    sfo_store_user_op *op = data;
    g_autoptr(PGresult) res = NULL;

    if (sfo_store_exec(s, op->stmt, op->params, &res) < 0)
        return SFO_EDATABASE;
    op->rows = PQntuples(res);
    return 0;
}

static int
sfo_store_user_write(sfo_store *store, sfo_store_user_op *op)
{
    return sfo_store_transaction(store, SFO_STORE_TXN_UNLOCKED, sfo_store_user_txn, op);
}

int
sfo_store_add_user(sfo_store *store, const char *name, const char *password, const char *role,
                   unsigned int flags)
{
    g_autofree char *hash = NULL;
    sfo_store_user_op op = { SFO_STMT_USER_INSERT, { name, NULL, role }, 0 };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(name != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(password != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(role != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (sfo_store_check_user_name(name) < 0 || sfo_store_check_password(password) < 0 ||
        sfo_store_check_role(role) < 0)
        return SFO_EINVALID;
    if ((r = sfo_store_hash_password(password, &hash)) < 0)
        return r;
    op.params[1] = hash;
    if ((r = sfo_store_user_write(store, &op)) < 0)
        return r;
    if (op.rows == 0) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_USER_EXISTS, "the user '%s' exists already", name);
        return SFO_EINVALID;
    }
    return 0;
}

int
sfo_store_set_password(sfo_store *store, const char *name, const char *password, unsigned int flags)
{
    g_autofree char *hash = NULL;
    sfo_store_user_op op = { SFO_STMT_USER_SET_PASSWORD, { name, NULL }, 0 };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(name != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(password != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (sfo_store_check_password(password) < 0)
        return SFO_EINVALID;
    if ((r = sfo_store_hash_password(password, &hash)) < 0)
        return r;
    op.params[1] = hash;
    if ((r = sfo_store_user_write(store, &op)) < 0)
        return r;
    return op.rows == 0 ? sfo_store_user_not_found(name) : 0;
}

int
sfo_store_remove_user(sfo_store *store, const char *name, unsigned int flags)
{
    sfo_store_user_op op = { SFO_STMT_USER_DELETE, { name }, 0 };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(name != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if ((r = sfo_store_user_write(store, &op)) < 0)
        return r;
    return op.rows == 0 ? sfo_store_user_not_found(name) : 0;
}

typedef struct {
    json_object *result; /* out */
} sfo_store_users_op;

static int
sfo_store_list_users_txn(sfo_store *s, gpointer data)
{
    sfo_store_users_op *op = data;
    g_autoptr(PGresult) res = NULL;
    int i;

    g_clear_pointer(&op->result, json_object_put);
    if (sfo_store_exec(s, SFO_STMT_USER_LIST, NULL, &res) < 0)
        return SFO_EDATABASE;
    op->result = json_object_new_array();
    for (i = 0; i < PQntuples(res); i++) {
        json_object *user = json_object_new_object();

        json_object_object_add(user, "name", json_object_new_string(PQgetvalue(res, i, 0)));
        json_object_object_add(user, "role", json_object_new_string(PQgetvalue(res, i, 1)));
        json_object_array_add(op->result, user);
    }
    return 0;
}

static char *
sfo_store_json_steal_text(json_object *obj)
{
    char *text = g_strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));

    json_object_put(obj);
    return text;
}

int
sfo_store_list_users(sfo_store *store, unsigned int flags, char **ret_json)
{
    sfo_store_users_op op = { NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    r = sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_list_users_txn, &op);
    if (r < 0) {
        g_clear_pointer(&op.result, json_object_put);
        return r;
    }
    *ret_json = sfo_store_json_steal_text(op.result);
    return 0;
}

int
sfo_store_ensure_admin(sfo_store *store, const char *password, unsigned int flags,
                       char **ret_password)
{
    g_autofree char *generated = NULL;
    g_autofree char *hash = NULL;
    sfo_store_user_op op = { SFO_STMT_USER_INSERT_FIRST, { SFO_STORE_USER_ADMIN, NULL }, 0 };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_password != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    *ret_password = NULL;
    if (!password) {
        if (!(generated = sfo_store_random_text(SFO_STORE_PASSWORD_BYTES)))
            return SFO_ERROR;
        password = generated;
    } else if (sfo_store_check_password(password) < 0) {
        return SFO_EINVALID;
    }
    if ((r = sfo_store_hash_password(password, &hash)) < 0)
        return r;
    op.params[1] = hash;
    if ((r = sfo_store_user_write(store, &op)) < 0)
        return r;
    if (op.rows > 0 && generated)
        *ret_password = g_steal_pointer(&generated);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Logins and tokens                                                        */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *password;
    const char *ttl;
    const char *key;     /* out: the refusal (AUTH_FAILED, AUTH_RATE_LIMITED), NULL on success */
    char *token;         /* out */
    json_object *result; /* out */
} sfo_store_login_op;

/* A hash no password gives: an unknown name costs as much as a wrong password */
static const char *
sfo_store_dummy_hash(void)
{
    static gsize once;
    static char *hash;

    if (g_once_init_enter(&once)) {
        if (sfo_store_hash_password("sriovfo: not a password", &hash) < 0)
            hash = NULL;
        g_once_init_leave(&once, 1);
    }
    return hash;
}

static int
sfo_store_login_txn(sfo_store *s, gpointer data)
{
    sfo_store_login_op *op = data;
    sfo_store_query q[] = {
        { SFO_STMT_LOGIN_LOCK, { op->name } },
        { SFO_STMT_LOGIN_FAILURES, { op->name } },
        { SFO_STMT_USER_GET, { op->name } },
    };
    g_autofree char *token_hash = NULL;
    g_autofree char *hash = NULL;
    g_autofree char *role = NULL;
    g_autoptr(PGresult) res = NULL;
    gboolean known;
    gboolean limited;

    op->key = NULL;
    g_clear_pointer(&op->token, g_free);
    g_clear_pointer(&op->result, json_object_put);
    /* the name's lock, then its recent failures and its row, which see the failures of the
     * logins before this one */
    if (sfo_store_exec_pipeline(s, q, G_N_ELEMENTS(q)) < 0)
        return SFO_EDATABASE;
    limited = sfo_store_col_int(q[1].res, 0, 0, 0) >= SFO_STORE_LOGIN_MAX_FAILURES;
    known = PQntuples(q[2].res) > 0;
    if (known) {
        hash = sfo_store_col_str(q[2].res, 0, 0);
        role = sfo_store_col_str(q[2].res, 0, 1);
    }
    sfo_store_pipeline_clear(q, G_N_ELEMENTS(q));
    if (limited) {
        op->key = SFO_KEY_AUTH_RATE_LIMITED;
        return 0;
    }
    if (!sfo_store_password_matches(op->password, known ? hash : sfo_store_dummy_hash()) ||
        !known) {
        /* committed: the failure counts whatever the caller does next */
        op->key = SFO_KEY_AUTH_FAILED;
        sfo_store_exec_at_commit(s, SFO_STMT_LOGIN_FAILURE_RECORD, (const char *[]){ op->name });
        return 0;
    }
    if (!(op->token = sfo_store_random_text(SFO_STORE_TOKEN_BYTES)))
        return SFO_ERROR;
    token_hash = sfo_store_token_hash(op->token);
    if (sfo_store_exec(s, SFO_STMT_TOKEN_INSERT, (const char *[]){ token_hash, op->name, op->ttl },
                       &res) < 0)
        return SFO_EDATABASE;
    op->result = json_object_new_object();
    json_object_object_add(op->result, "token", json_object_new_string(op->token));
    json_object_object_add(op->result, "expires_at",
                           json_object_new_int64(g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10)));
    json_object_object_add(op->result, "user", json_object_new_string(op->name));
    json_object_object_add(op->result, "role", json_object_new_string(role));
    return 0;
}

int
sfo_store_login(sfo_store *store, const char *name, const char *password, int ttl,
                unsigned int flags, char **ret_json)
{
    g_autofree char *ttl_text = g_strdup_printf("%d", ttl);
    sfo_store_login_op op = { name, password, ttl_text, NULL, NULL, NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(name != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(password != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (ttl <= 0 || ttl > SFO_STORE_TOKEN_MAX_TTL) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT,
                         "a token lives 1 to %d seconds, not %d", SFO_STORE_TOKEN_MAX_TTL, ttl);
        return SFO_EINVALID;
    }
    r = sfo_store_transaction(store, SFO_STORE_TXN_UNLOCKED, sfo_store_login_txn, &op);
    if (op.token) {
        explicit_bzero(op.token, strlen(op.token));
        g_free(op.token);
    }
    if (r < 0) {
        g_clear_pointer(&op.result, json_object_put);
        return r;
    }
    if (op.key) {
        /* the same text for an unknown name and a wrong password */
        sfo_error_report(SFO_EAUTH, op.key, "%s",
                         g_str_equal(op.key, SFO_KEY_AUTH_RATE_LIMITED)
                             ? "too many failed logins for this user name; try again later"
                             : "wrong user name or password");
        return SFO_EAUTH;
    }
    *ret_json = sfo_store_json_steal_text(op.result);
    return 0;
}

typedef struct {
    const char *hash;
    json_object *result; /* out; NULL: unknown token */
    gboolean expired;    /* out */
} sfo_store_verify_op;

static int
sfo_store_verify_txn(sfo_store *s, gpointer data)
{
    sfo_store_verify_op *op = data;
    g_autoptr(PGresult) res = NULL;

    g_clear_pointer(&op->result, json_object_put);
    if (sfo_store_exec(s, SFO_STMT_TOKEN_GET, (const char *[]){ op->hash }, &res) < 0)
        return SFO_EDATABASE;
    if (PQntuples(res) == 0)
        return 0;
    op->result = json_object_new_object();
    json_object_object_add(op->result, "user", json_object_new_string(PQgetvalue(res, 0, 0)));
    json_object_object_add(op->result, "role", json_object_new_string(PQgetvalue(res, 0, 1)));
    json_object_object_add(op->result, "expires_at",
                           json_object_new_int64(g_ascii_strtoll(PQgetvalue(res, 0, 2), NULL, 10)));
    op->expired = sfo_store_col_bool(res, 0, 3);
    return 0;
}

int
sfo_store_verify_token(sfo_store *store, const char *token, unsigned int flags, char **ret_json)
{
    g_autofree char *hash = NULL;
    sfo_store_verify_op op = { NULL, NULL, FALSE };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(token != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    op.hash = hash = sfo_store_token_hash(token);
    /* every API request pays it: one statement, one round trip */
    r = sfo_store_transaction(store, SFO_STORE_TXN_STATEMENT, sfo_store_verify_txn, &op);
    if (r < 0) {
        g_clear_pointer(&op.result, json_object_put);
        return r;
    }
    if (!op.result || op.expired) {
        g_clear_pointer(&op.result, json_object_put);
        sfo_error_report(SFO_EAUTH,
                         op.expired ? SFO_KEY_AUTH_TOKEN_EXPIRED : SFO_KEY_AUTH_TOKEN_INVALID,
                         op.expired ? "the token has expired; log in again"
                                    : "the token is not valid (unknown or revoked)");
        return SFO_EAUTH;
    }
    *ret_json = sfo_store_json_steal_text(op.result);
    return 0;
}

int
sfo_store_revoke_token(sfo_store *store, const char *token, unsigned int flags)
{
    g_autofree char *hash = NULL;
    sfo_store_user_op op = { SFO_STMT_TOKEN_DELETE, { NULL }, 0 };

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(token != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    op.params[0] = hash = sfo_store_token_hash(token);
    return sfo_store_user_write(store, &op);
}
