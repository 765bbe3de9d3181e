/*
 * sfo-error.h: the thread-local last error, reported once at the failure site
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#define SFO_ENUM_SENTINELS 1
#include "sriovfo/sriovfo.h"

/*
 * Library error keys (rule violations use the catalogue keys instead).
 * Keep in sync with docs/error-keys.md.
 */
#define SFO_KEY_INVALID_ARGUMENT "INVALID_ARGUMENT"
#define SFO_KEY_INVENTORY_SYNTAX_ERROR "INVENTORY_SYNTAX_ERROR"
#define SFO_KEY_INVENTORY_WRONG_TYPE "INVENTORY_WRONG_TYPE"
#define SFO_KEY_INVENTORY_MISSING_FIELD "INVENTORY_MISSING_FIELD"
#define SFO_KEY_INVENTORY_INVALID_VALUE "INVENTORY_INVALID_VALUE"
#define SFO_KEY_INVENTORY_DUPLICATE_ID "INVENTORY_DUPLICATE_ID"
#define SFO_KEY_INVENTORY_UNKNOWN_REFERENCE "INVENTORY_UNKNOWN_REFERENCE"
#define SFO_KEY_FILE_UNREADABLE "FILE_UNREADABLE"
#define SFO_KEY_FILE_UNWRITABLE "FILE_UNWRITABLE"
#define SFO_KEY_DOMXML_SYNTAX_ERROR "DOMXML_SYNTAX_ERROR"
#define SFO_KEY_DOMXML_TOO_LARGE "DOMXML_TOO_LARGE"
#define SFO_KEY_DOMXML_TOO_MANY_ATTRIBUTES "DOMXML_TOO_MANY_ATTRIBUTES"
#define SFO_KEY_DOMXML_TOO_DEEP "DOMXML_TOO_DEEP"
#define SFO_KEY_DOMXML_ENCODING_UNSUPPORTED "DOMXML_ENCODING_UNSUPPORTED"
#define SFO_KEY_DOMXML_PATCH_UNVERIFIED "DOMXML_PATCH_UNVERIFIED"
#define SFO_KEY_VM_NOT_FOUND "VM_NOT_FOUND"
#define SFO_KEY_HOST_NOT_FOUND "HOST_NOT_FOUND"
#define SFO_KEY_NIC_NOT_FOUND "NIC_NOT_FOUND"
#define SFO_KEY_JOURNAL_LOCKED "JOURNAL_LOCKED"
#define SFO_KEY_JOURNAL_UNWRITABLE "JOURNAL_UNWRITABLE"
#define SFO_KEY_JOURNAL_CORRUPT "JOURNAL_CORRUPT"
#define SFO_KEY_ACTION_TYPE_FAILED_OBJECT_LOCKED "ACTION_TYPE_FAILED_OBJECT_LOCKED"
#define SFO_KEY_HOST_URI_MISSING "HOST_URI_MISSING"

/* The store (core/store, docs/store.md) */
#define SFO_KEY_RULE_VIOLATED "RULE_VIOLATED"
#define SFO_KEY_NIC_NOT_FOUND "NIC_NOT_FOUND"
#define SFO_KEY_STORE_NOT_EMPTY "STORE_NOT_EMPTY"
#define SFO_KEY_DATA_CENTER_NOT_FOUND "DATA_CENTER_NOT_FOUND"
#define SFO_KEY_CLUSTER_NOT_FOUND "CLUSTER_NOT_FOUND"
#define SFO_KEY_NETWORK_NOT_FOUND "NETWORK_NOT_FOUND"
#define SFO_KEY_VNIC_PROFILE_NOT_FOUND "VNIC_PROFILE_NOT_FOUND"
#define SFO_KEY_MAC_POOL_EXHAUSTED "MAC_POOL_EXHAUSTED"
#define SFO_KEY_USER_EXISTS "USER_EXISTS"
#define SFO_KEY_USER_NOT_FOUND "USER_NOT_FOUND"
#define SFO_KEY_AUTH_FAILED "AUTH_FAILED"
#define SFO_KEY_AUTH_RATE_LIMITED "AUTH_RATE_LIMITED"
#define SFO_KEY_AUTH_TOKEN_INVALID "AUTH_TOKEN_INVALID"
#define SFO_KEY_AUTH_TOKEN_EXPIRED "AUTH_TOKEN_EXPIRED"
#define SFO_KEY_DB_CONNECTION_FAILED "DB_CONNECTION_FAILED"
#define SFO_KEY_DB_QUERY_FAILED "DB_QUERY_FAILED"
#define SFO_KEY_DB_CONSTRAINT_VIOLATED "DB_CONSTRAINT_VIOLATED"
#define SFO_KEY_DB_RETRIES_EXHAUSTED "DB_RETRIES_EXHAUSTED"
#define SFO_KEY_DB_COMMIT_UNKNOWN "DB_COMMIT_UNKNOWN"
#define SFO_KEY_DB_SCHEMA_TOO_NEW "DB_SCHEMA_TOO_NEW"
#define SFO_KEY_DB_SCHEMA_TOO_OLD "DB_SCHEMA_TOO_OLD"
#define SFO_KEY_DB_MIGRATIONS_NOT_FOUND "DB_MIGRATIONS_NOT_FOUND"
#define SFO_KEY_DB_MIGRATION_FAILED "DB_MIGRATION_FAILED"
#define SFO_KEY_DB_SERVER_NOT_FOUND "DB_SERVER_NOT_FOUND"
#define SFO_KEY_DB_CLUSTER_FAILED "DB_CLUSTER_FAILED"

/**
 * sfo_error_report_full:
 * Sets the last error of this thread. Use through sfo_error_report().
 */
void sfo_error_report_full(const char *file, int line, int code, const char *key, const char *fmt,
                           ...) G_GNUC_PRINTF(5, 6);

#define sfo_error_report(code, key, ...) \
    sfo_error_report_full(__FILE__, __LINE__, (code), (key), __VA_ARGS__)

/* Public entry points check their arguments with this (systemd assert_return). */
#define sfo_return_val_if_fail(expr, val) \
    do { \
        if (G_UNLIKELY(!(expr))) { \
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT, "invalid argument: %s", \
                             #expr); \
            return (val); \
        } \
    } while (0)

#define sfo_check_flags(flags, supported) \
    sfo_return_val_if_fail(((flags) & ~(unsigned int)(supported)) == 0, SFO_EINVALID)
