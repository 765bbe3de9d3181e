/*
 * sfo-store-sql.c: every SQL statement of the store, as constants
 *
 * Values are always parameters ($1, $2, ...), cast to their column types in
 * the text, and the statements are prepared once per connection. Nothing
 * here is assembled at run time: the column lists below are joined by the
 * C compiler.
 *
 * The lock a loader takes is part of its statement (FOR SHARE, FOR UPDATE);
 * docs/store.md explains which call takes which and in what order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-store.h"

/*
 * The inventory lock: every write transaction holds it shared, an import
 * holds it exclusively, so an import never interleaves with other writes.
 * The key is arbitrary and fixed (ASCII "sfoinv").
 */
#define SFO_SQL_INVENTORY_LOCK "127045006462582"
/* Serialises the MAC allocations of NICs added without one (ASCII "sfomac") */
#define SFO_SQL_MAC_LOCK "127045006123363"
/* The class of the two-key advisory locks of logins, one per user name (ASCII "sfou") */
#define SFO_SQL_LOGIN_LOCK_CLASS "1936091765"
/* How far back failed logins count */
#define SFO_SQL_LOGIN_WINDOW "interval '" G_STRINGIFY(SFO_STORE_LOGIN_WINDOW) " seconds'"
/* Serialises migration runners (ASCII "sfomig") */
#define SFO_SQL_MIGRATION_LOCK "127045006337895"

/* SFO_STORE_PROFILE_NCOLS columns, alias p */
#define SFO_SQL_PROFILE_COLS \
    "p.id, p.name, p.network_id, p.pass_through, p.migratable, p.failover_vnic_profile_id, " \
    "p.port_mirroring, p.qos_id, p.network_filter_id"
/* SFO_STORE_NETWORK_NCOLS columns, alias n */
#define SFO_SQL_NETWORK_COLS \
    "n.id, n.name, n.data_center_id, n.vlan_id, n.mtu, n.external_provider_id, n.bridge, " \
    "n.libvirt_network_name, n.libvirt_network_type"
/* SFO_STORE_CLUSTER_NCOLS columns, alias c; the networks as "id,id,..." (ids hold no ',') */
#define SFO_SQL_CLUSTER_COLS \
    "c.id, c.name, c.data_center_id, c.version_major, c.version_minor, c.bios_type, " \
    "(SELECT string_agg(cn.network_id, ',' ORDER BY cn.position) FROM cluster_networks cn " \
    "WHERE cn.cluster_id = c.id)"
/* SFO_STORE_VM_NCOLS columns, alias v */
#define SFO_SQL_VM_COLS "v.id, v.name, v.cluster_id, v.os_type, v.bios_type, v.status, v.host_id"
/* SFO_STORE_NIC_NCOLS columns, alias i */
#define SFO_SQL_NIC_COLS \
    "i.id, i.name, i.vm_id, i.vnic_profile_id, i.interface, i.mac::text, i.plugged, i.vf_address"
/* SFO_STORE_HOST_NCOLS columns, alias h */
#define SFO_SQL_HOST_COLS \
    "h.id, h.name, h.cluster_id, " \
    "(SELECT string_agg(hn.network_id, ',' ORDER BY hn.position) FROM host_networks hn " \
    "WHERE hn.host_id = h.id), h.libvirt_uri"

/* A profile and its network */
#define SFO_SQL_PROFILE_WITH_NETWORK \
    "SELECT " SFO_SQL_PROFILE_COLS ", " SFO_SQL_NETWORK_COLS " FROM vnic_profiles p " \
    "LEFT JOIN networks n ON n.id = p.network_id WHERE p.id = $1::text"

/* A profile, its network, its failover profile (not itself) and that one's network */
#define SFO_SQL_PROFILE_WITH_FAILOVER \
    "SELECT " SFO_SQL_PROFILE_COLS ", " SFO_SQL_NETWORK_COLS ", " SFO_SQL_FAILOVER_COLS \
    " FROM vnic_profiles p LEFT JOIN networks n ON n.id = p.network_id " \
    "LEFT JOIN vnic_profiles f ON f.id = p.failover_vnic_profile_id AND f.id <> p.id " \
    "LEFT JOIN networks fn ON fn.id = f.network_id WHERE p.id = $1::text"
/* the profile and network columns again, for aliases f and fn */
#define SFO_SQL_FAILOVER_COLS \
    "f.id, f.name, f.network_id, f.pass_through, f.migratable, f.failover_vnic_profile_id, " \
    "f.port_mirroring, f.qos_id, f.network_filter_id, fn.id, fn.name, fn.data_center_id, " \
    "fn.vlan_id, fn.mtu, fn.external_provider_id, fn.bridge, fn.libvirt_network_name, " \
    "fn.libvirt_network_type"

/* The export's rows, in the order they were imported or added */
#define SFO_SQL_EXPORT_DATA_CENTERS "SELECT id, name FROM data_centers ORDER BY ordinal"
#define SFO_SQL_EXPORT_CLUSTERS "SELECT " SFO_SQL_CLUSTER_COLS " FROM clusters c ORDER BY c.ordinal"
#define SFO_SQL_EXPORT_NETWORKS "SELECT " SFO_SQL_NETWORK_COLS " FROM networks n ORDER BY n.ordinal"
#define SFO_SQL_EXPORT_PROFILES \
    "SELECT " SFO_SQL_PROFILE_COLS " FROM vnic_profiles p ORDER BY p.ordinal"
#define SFO_SQL_EXPORT_VMS "SELECT " SFO_SQL_VM_COLS " FROM vms v ORDER BY v.ordinal"
#define SFO_SQL_EXPORT_NICS "SELECT " SFO_SQL_NIC_COLS " FROM nics i ORDER BY i.ordinal"
/* the streamed export's one cursor (closed before the next is declared) */
#define SFO_SQL_STREAM "DECLARE sfo_export NO SCROLL CURSOR FOR "

#define SFO_SQL_PROFILE_VALUES \
    "$1::text, $2::text, $3::text, n.data_center_id, n.is_external, $4::boolean, $5::boolean, " \
    "$6::text, $7::boolean, $8::text, $9::text"

const sfo_store_stmt sfo_store_stmts[SFO_STMT_LAST] = {
    /* ---- transactions ---- */
    [SFO_STMT_BEGIN_WRITE] = { "begin_write", "BEGIN ISOLATION LEVEL READ COMMITTED", 0 },
    [SFO_STMT_BEGIN_SNAPSHOT] = { "begin_snapshot",
                                  "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0 },
    [SFO_STMT_COMMIT] = { "commit", "COMMIT", 0 },
    [SFO_STMT_ROLLBACK] = { "rollback", "ROLLBACK", 0 },
    [SFO_STMT_TXN_SHARED] = { "txn_shared",
                              "SELECT txid_current()::text, "
                              "pg_advisory_xact_lock_shared(" SFO_SQL_INVENTORY_LOCK ")",
                              0 },
    [SFO_STMT_TXN_EXCLUSIVE] = { "txn_exclusive",
                                 "SELECT txid_current()::text, "
                                 "pg_advisory_xact_lock(" SFO_SQL_INVENTORY_LOCK ")",
                                 0 },
    [SFO_STMT_TXN_UNLOCKED] = { "txn_unlocked", "SELECT txid_current()::text", 0 },
    [SFO_STMT_TXID_STATUS] = { "txid_status", "SELECT txid_status($1::bigint)", 1 },

    /* ---- schema ---- */
    [SFO_STMT_VERSION_TABLE_EXISTS] = { "version_table_exists",
                                        "SELECT to_regclass('sfo_schema_version') IS NOT NULL", 0 },
    [SFO_STMT_VERSION_GET] = { "version_get",
                               "SELECT coalesce(max(version), 0) FROM sfo_schema_version", 0,
                               TRUE },
    [SFO_STMT_VERSION_TABLE_CREATE] = { "version_table_create",
                                        "CREATE TABLE IF NOT EXISTS sfo_schema_version ("
                                        "version integer PRIMARY KEY, "
                                        "name text NOT NULL, "
                                        "applied_at timestamp with time zone NOT NULL "
                                        "DEFAULT now())",
                                        0, TRUE },
    [SFO_STMT_VERSION_INSERT] = { "version_insert",
                                  "INSERT INTO sfo_schema_version (version, name) "
                                  "VALUES ($1::integer, $2::text)",
                                  2, TRUE },
    [SFO_STMT_MIGRATE_LOCK] = { "migrate_lock",
                                "SELECT pg_advisory_xact_lock(" SFO_SQL_MIGRATION_LOCK ")", 0 },
    [SFO_STMT_DATABASE_EXISTS] = { "database_exists",
                                   "SELECT 1 FROM pg_database WHERE datname = $1::text", 1 },
    /* the embedded cluster's one database; CREATE DATABASE takes no parameters */
    [SFO_STMT_DATABASE_CREATE] = { "database_create", "CREATE DATABASE sriovfo", 0, TRUE },

    /* ---- vNIC profiles ---- */
    [SFO_STMT_PROFILE_GET] = { "profile_get", SFO_SQL_PROFILE_WITH_NETWORK, 1 },
    /* a NIC is added on it, or a profile names it as failover: no update or removal meanwhile */
    [SFO_STMT_PROFILE_GET_FOR_SHARE] = { "profile_get_for_share",
                                         SFO_SQL_PROFILE_WITH_NETWORK " FOR SHARE OF p", 1 },
    /* it is updated or removed */
    [SFO_STMT_PROFILE_GET_FOR_UPDATE] = { "profile_get_for_update",
                                          SFO_SQL_PROFILE_WITH_NETWORK " FOR UPDATE OF p", 1 },
    /* a NIC is added on it: it keeps its failover and pass_through until we commit */
    [SFO_STMT_PROFILE_WITH_FAILOVER_FOR_SHARE] = { "profile_with_failover_for_share",
                                                   SFO_SQL_PROFILE_WITH_FAILOVER " FOR SHARE OF p",
                                                   1 },
    [SFO_STMT_PROFILE_REFERRERS] = { "profile_referrers",
                                     "SELECT " SFO_SQL_PROFILE_COLS " FROM vnic_profiles p "
                                     "WHERE p.failover_vnic_profile_id = $1::text "
                                     "ORDER BY p.ordinal",
                                     1 },
    /* the rules name the VMs using a profile: one NIC per VM is enough */
    [SFO_STMT_PROFILE_USERS] = { "profile_users",
                                 "SELECT DISTINCT ON (i.vm_id) " SFO_SQL_NIC_COLS
                                 ", " SFO_SQL_VM_COLS " FROM nics i JOIN vms v ON v.id = i.vm_id "
                                 "WHERE i.vnic_profile_id = $1::text ORDER BY i.vm_id, i.id",
                                 1 },
    /*
     * The same for an update, but only when the update changes what rule 6 keeps while the
     * profile is used: failover ($2), passthrough ($3), port mirroring ($4), compared with the
     * row as it is under our lock (sfo_rules_profile_update_unchanged_while_used() reads the
     * users only then). A rename or another change reads no NIC and no VM.
     */
    [SFO_STMT_PROFILE_USERS_IF_GUARDED_CHANGE] = { "profile_users_if_guarded_change",
                                                   "SELECT DISTINCT ON (i.vm_id) " SFO_SQL_NIC_COLS
                                                   ", " SFO_SQL_VM_COLS
                                                   " FROM vnic_profiles p JOIN nics i ON i.vnic_profile_id = p.id "
                                                   "JOIN vms v ON v.id = i.vm_id WHERE p.id = $1::text "
                                                   "AND (p.failover_vnic_profile_id IS DISTINCT FROM $2::text "
                                                   "OR p.pass_through IS DISTINCT FROM $3::boolean "
                                                   "OR p.port_mirroring IS DISTINCT FROM $4::boolean) ORDER BY i.vm_id, i.id",
                                                   4 },
    /* the copies of the network's data center and external flag come from the network row */
    [SFO_STMT_PROFILE_INSERT] = { "profile_insert",
                                  "INSERT INTO vnic_profiles (id, name, network_id, "
                                  "data_center_id, network_external, pass_through, migratable, "
                                  "failover_vnic_profile_id, port_mirroring, qos_id, "
                                  "network_filter_id) "
                                  "SELECT " SFO_SQL_PROFILE_VALUES
                                  " FROM networks n WHERE n.id = $3::text",
                                  9 },
    [SFO_STMT_PROFILE_UPDATE] = { "profile_update",
                                  "UPDATE vnic_profiles p SET (name, network_id, "
                                  "data_center_id, network_external, pass_through, migratable, "
                                  "failover_vnic_profile_id, port_mirroring, qos_id, "
                                  "network_filter_id) = ($2::text, $3::text, n.data_center_id, "
                                  "n.is_external, $4::boolean, $5::boolean, $6::text, "
                                  "$7::boolean, $8::text, $9::text) "
                                  "FROM networks n WHERE p.id = $1::text AND n.id = $3::text",
                                  9 },
    [SFO_STMT_PROFILE_DELETE] = { "profile_delete", "DELETE FROM vnic_profiles WHERE id = $1::text",
                                  1 },
    [SFO_STMT_NETWORK_GET] = { "network_get",
                               "SELECT " SFO_SQL_NETWORK_COLS
                               " FROM networks n WHERE n.id = $1::text",
                               1 },

    /* ---- VMs, hosts, NICs ---- */
    [SFO_STMT_VM_GET] = { "vm_get",
                          "SELECT " SFO_SQL_VM_COLS ", " SFO_SQL_CLUSTER_COLS
                          " FROM vms v JOIN clusters c ON c.id = v.cluster_id "
                          "WHERE v.id = $1::text",
                          1 },
    [SFO_STMT_HOST_GET] = { "host_get",
                            "SELECT " SFO_SQL_HOST_COLS " FROM hosts h WHERE h.id = $1::text", 1 },
    [SFO_STMT_HOST_PFS] = { "host_pfs",
                            "SELECT pf.id, pf.name, pf.address, "
                            "(SELECT string_agg(pn.network_id, ',' ORDER BY pn.position) "
                            "FROM host_pf_networks pn WHERE pn.pf_id = pf.id) "
                            "FROM host_pfs pf WHERE pf.host_id = $1::text ORDER BY pf.position",
                            1 },
    [SFO_STMT_HOST_VFS] = { "host_vfs",
                            "SELECT vf.pf_id, vf.address, vf.nic_id FROM host_vfs vf "
                            "JOIN host_pfs pf ON pf.id = vf.pf_id WHERE pf.host_id = $1::text "
                            "ORDER BY pf.position, vf.position",
                            1 },
    [SFO_STMT_NIC_EXISTS] = { "nic_exists", "SELECT 1 FROM nics WHERE id = $1::text", 1 },
    [SFO_STMT_NIC_GET_FOR_UPDATE] = { "nic_get_for_update",
                                      "SELECT " SFO_SQL_NIC_COLS
                                      " FROM nics i WHERE i.id = $1::text FOR UPDATE",
                                      1 },
    [SFO_STMT_NICS_OF_VM] = { "nics_of_vm",
                              "SELECT " SFO_SQL_NIC_COLS ", " SFO_SQL_PROFILE_COLS
                              " FROM nics i LEFT JOIN vnic_profiles p "
                              "ON p.id = i.vnic_profile_id WHERE i.vm_id = $1::text "
                              "ORDER BY i.ordinal",
                              1 },
    [SFO_STMT_NICS_WITH_MAC] = { "nics_with_mac",
                                 "SELECT " SFO_SQL_NIC_COLS ", " SFO_SQL_VM_COLS
                                 " FROM nics i JOIN vms v ON v.id = i.vm_id "
                                 "WHERE i.mac = $1::macaddr",
                                 1 },
    /* the failover copy is read from the profile row: the writer cannot get it wrong */
    [SFO_STMT_NIC_INSERT] = { "nic_insert",
                              "INSERT INTO nics (id, name, vm_id, vnic_profile_id, interface, mac, "
                              "plugged, vf_address, failover_vnic_profile_id) "
                              "VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, "
                              "$6::macaddr, $7::boolean, $8::text, "
                              "(SELECT failover_vnic_profile_id FROM vnic_profiles "
                              "WHERE id = $4::text))",
                              8 },
    [SFO_STMT_NIC_UPDATE] = { "nic_update",
                              "UPDATE nics SET (name, vm_id, vnic_profile_id, interface, mac, "
                              "plugged, vf_address, failover_vnic_profile_id) = "
                              "($2::text, $3::text, $4::text, $5::text, $6::macaddr, "
                              "$7::boolean, $8::text, "
                              "(SELECT failover_vnic_profile_id FROM vnic_profiles "
                              "WHERE id = $4::text)) WHERE id = $1::text",
                              8 },
    [SFO_STMT_NIC_SET_PLUGGED] = { "nic_set_plugged",
                                   "UPDATE nics SET plugged = $2::boolean WHERE id = $1::text", 2 },
    [SFO_STMT_NIC_DELETE] = { "nic_delete", "DELETE FROM nics WHERE id = $1::text", 1 },

    /* ---- import ---- */
    [SFO_STMT_STORE_IS_EMPTY] = { "store_is_empty",
                                  "SELECT NOT EXISTS (SELECT 1 FROM data_centers) "
                                  "AND NOT EXISTS (SELECT 1 FROM clusters) "
                                  "AND NOT EXISTS (SELECT 1 FROM networks) "
                                  "AND NOT EXISTS (SELECT 1 FROM vnic_profiles) "
                                  "AND NOT EXISTS (SELECT 1 FROM vms) "
                                  "AND NOT EXISTS (SELECT 1 FROM nics) "
                                  "AND NOT EXISTS (SELECT 1 FROM hosts)",
                                  0 },
    /* DELETE rather than TRUNCATE: a concurrent export keeps its snapshot (MVCC) */
    [SFO_STMT_DELETE_HOST_VFS] = { "delete_host_vfs", "DELETE FROM host_vfs", 0 },
    [SFO_STMT_DELETE_NICS] = { "delete_nics", "DELETE FROM nics", 0 },
    [SFO_STMT_DELETE_VMS] = { "delete_vms", "DELETE FROM vms", 0 },
    /* host networks, PFs, their networks cascade */
    [SFO_STMT_DELETE_HOSTS] = { "delete_hosts", "DELETE FROM hosts", 0 },
    [SFO_STMT_DELETE_PROFILES] = { "delete_profiles", "DELETE FROM vnic_profiles", 0 },
    [SFO_STMT_DELETE_CLUSTER_NETWORKS] = { "delete_cluster_networks",
                                           "DELETE FROM cluster_networks", 0 },
    [SFO_STMT_DELETE_NETWORKS] = { "delete_networks", "DELETE FROM networks", 0 },
    [SFO_STMT_DELETE_CLUSTERS] = { "delete_clusters", "DELETE FROM clusters", 0 },
    [SFO_STMT_DELETE_DATA_CENTERS] = { "delete_data_centers", "DELETE FROM data_centers", 0 },
    /* profiles go in in their order; a failover may name one further down */
    [SFO_STMT_DEFER_FAILOVER_CHECKS] = { "defer_failover_checks",
                                         "SET CONSTRAINTS vnic_profiles_failover_vnic_profile_id_fk, "
                                         "vnic_profiles_failover_target_fk DEFERRED",
                                         0, TRUE },
    [SFO_STMT_INSERT_DATA_CENTER] = { "insert_data_center",
                                      "INSERT INTO data_centers (id, name) "
                                      "VALUES ($1::text, $2::text)",
                                      2 },
    [SFO_STMT_INSERT_CLUSTER] = { "insert_cluster",
                                  "INSERT INTO clusters (id, name, data_center_id, version_major, "
                                  "version_minor, bios_type) VALUES ($1::text, $2::text, "
                                  "$3::text, $4::integer, $5::integer, $6::text)",
                                  6 },
    [SFO_STMT_INSERT_CLUSTER_NETWORK] = { "insert_cluster_network",
                                          "INSERT INTO cluster_networks (cluster_id, position, "
                                          "network_id) VALUES ($1::text, $2::integer, $3::text)",
                                          3 },
    [SFO_STMT_INSERT_NETWORK] = { "insert_network",
                                  "INSERT INTO networks (id, name, data_center_id, vlan_id, mtu, "
                                  "external_provider_id, bridge, libvirt_network_name, "
                                  "libvirt_network_type) VALUES ($1::text, $2::text, $3::text, "
                                  "$4::integer, $5::integer, $6::text, $7::text, $8::text, "
                                  "$9::text)",
                                  9 },
    [SFO_STMT_INSERT_VM] = { "insert_vm",
                             "INSERT INTO vms (id, name, cluster_id, os_type, bios_type, status, "
                             "host_id) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, "
                             "$6::text, $7::text)",
                             7 },
    [SFO_STMT_INSERT_HOST] = { "insert_host",
                               "INSERT INTO hosts (id, name, cluster_id, libvirt_uri) "
                               "VALUES ($1::text, $2::text, $3::text, $4::text)",
                               4 },
    [SFO_STMT_INSERT_HOST_NETWORK] = { "insert_host_network",
                                       "INSERT INTO host_networks (host_id, position, "
                                       "network_id) VALUES ($1::text, $2::integer, $3::text)",
                                       3 },
    [SFO_STMT_INSERT_HOST_PF] = { "insert_host_pf",
                                  "INSERT INTO host_pfs (host_id, position, name, address) "
                                  "VALUES ($1::text, $2::integer, $3::text, $4::text) "
                                  "RETURNING id::text",
                                  4 },
    [SFO_STMT_INSERT_HOST_PF_NETWORK] = { "insert_host_pf_network",
                                          "INSERT INTO host_pf_networks (pf_id, position, "
                                          "network_id) VALUES ($1::bigint, $2::integer, "
                                          "$3::text)",
                                          3 },
    [SFO_STMT_INSERT_HOST_VF] = { "insert_host_vf",
                                  "INSERT INTO host_vfs (pf_id, position, address, nic_id) "
                                  "VALUES ($1::bigint, $2::integer, $3::text, $4::text)",
                                  4 },

    /* ---- export: everything, in the order it came in ---- */
    [SFO_STMT_EXPORT_DATA_CENTERS] = { "export_data_centers", SFO_SQL_EXPORT_DATA_CENTERS, 0 },
    [SFO_STMT_EXPORT_CLUSTERS] = { "export_clusters", SFO_SQL_EXPORT_CLUSTERS, 0 },
    [SFO_STMT_EXPORT_NETWORKS] = { "export_networks", SFO_SQL_EXPORT_NETWORKS, 0 },
    [SFO_STMT_EXPORT_PROFILES] = { "export_profiles", SFO_SQL_EXPORT_PROFILES, 0 },
    [SFO_STMT_EXPORT_VMS] = { "export_vms", SFO_SQL_EXPORT_VMS, 0 },
    [SFO_STMT_EXPORT_NICS] = { "export_nics", SFO_SQL_EXPORT_NICS, 0 },
    [SFO_STMT_EXPORT_HOSTS] = { "export_hosts",
                                "SELECT " SFO_SQL_HOST_COLS " FROM hosts h ORDER BY h.ordinal", 0 },
    [SFO_STMT_EXPORT_HOST_PFS] = { "export_host_pfs",
                                   "SELECT pf.host_id, pf.id, pf.name, pf.address, "
                                   "(SELECT string_agg(pn.network_id, ',' ORDER BY pn.position) "
                                   "FROM host_pf_networks pn WHERE pn.pf_id = pf.id) "
                                   "FROM host_pfs pf ORDER BY pf.host_id, pf.position",
                                   0 },
    [SFO_STMT_EXPORT_HOST_VFS] = { "export_host_vfs",
                                   "SELECT vf.pf_id, vf.address, vf.nic_id FROM host_vfs vf "
                                   "ORDER BY vf.pf_id, vf.position",
                                   0 },
    /*
     * The streamed export (sfo_store_export_fd()): the same rows through one
     * server-side cursor at a time, SFO_STORE_STREAM_BATCH rows a FETCH; the VFs
     * in the order their hosts are written.
     */
    [SFO_STMT_STREAM_DATA_CENTERS] = { "stream_data_centers",
                                       SFO_SQL_STREAM SFO_SQL_EXPORT_DATA_CENTERS, 0, TRUE },
    [SFO_STMT_STREAM_CLUSTERS] = { "stream_clusters", SFO_SQL_STREAM SFO_SQL_EXPORT_CLUSTERS, 0,
                                   TRUE },
    [SFO_STMT_STREAM_NETWORKS] = { "stream_networks", SFO_SQL_STREAM SFO_SQL_EXPORT_NETWORKS, 0,
                                   TRUE },
    [SFO_STMT_STREAM_PROFILES] = { "stream_profiles", SFO_SQL_STREAM SFO_SQL_EXPORT_PROFILES, 0,
                                   TRUE },
    [SFO_STMT_STREAM_VMS] = { "stream_vms", SFO_SQL_STREAM SFO_SQL_EXPORT_VMS, 0, TRUE },
    [SFO_STMT_STREAM_NICS] = { "stream_nics", SFO_SQL_STREAM SFO_SQL_EXPORT_NICS, 0, TRUE },
    [SFO_STMT_STREAM_HOST_VFS] = { "stream_host_vfs",
                                   SFO_SQL_STREAM
                                   "SELECT vf.pf_id, vf.address, vf.nic_id FROM host_vfs vf "
                                   "JOIN host_pfs pf ON pf.id = vf.pf_id "
                                   "JOIN hosts h ON h.id = pf.host_id "
                                   "ORDER BY h.ordinal, pf.position, vf.position",
                                   0, TRUE },
    [SFO_STMT_STREAM_FETCH] = { "stream_fetch",
                                "FETCH FORWARD " G_STRINGIFY(
                                    SFO_STORE_STREAM_BATCH) " FROM sfo_export",
                                0, TRUE },
    [SFO_STMT_STREAM_CLOSE] = { "stream_close", "CLOSE sfo_export", 0, TRUE },

    /*
     * ---- the journal (sfo-store-journal.c) ----
     * A sequence's process holds the session advisory lock whose key is the sequence's
     * ordinal (1, 2, ...: far below the fixed keys above) until it ends or the process dies.
     */
    [SFO_STMT_JOURNAL_BEGIN] = { "journal_begin",
                                 "WITH s AS (INSERT INTO journal_sequences "
                                 "(plan, source_uri, destination_uri) "
                                 "VALUES ($1::jsonb, $2::text, $3::text) "
                                 "RETURNING id, ordinal) "
                                 "SELECT id::text, ordinal::text FROM s",
                                 3 },
    [SFO_STMT_JOURNAL_RECORD] = { "journal_record",
                                  "INSERT INTO journal_steps "
                                  "(sequence_id, undo, step_index, phase, error_key, "
                                  "error_message) "
                                  "VALUES ($1::uuid, $2::boolean, $3::integer, $4::text, $5::text, "
                                  "$6::text)",
                                  6 },
    [SFO_STMT_JOURNAL_FINISH] = { "journal_finish",
                                  "UPDATE journal_sequences SET ended_at = now(), status = $2::text "
                                  "WHERE id = $1::uuid AND ended_at IS NULL RETURNING plan::text",
                                  2 },
    [SFO_STMT_JOURNAL_UNLOCK] = { "journal_unlock", "SELECT pg_advisory_unlock($1::bigint)", 1 },
    [SFO_STMT_JOURNAL_UNLOCK_ALL] = { "journal_unlock_all", "SELECT pg_advisory_unlock_all()", 0 },
    /* the locks of @1 (an array of ordinals) that cannot be taken again: another process has them */
    [SFO_STMT_JOURNAL_RELOCK] = { "journal_relock",
                                  "SELECT o::text FROM unnest($1::bigint[]) AS o "
                                  "WHERE NOT pg_try_advisory_lock(o)",
                                  1 },
    /*
     * Inserts the hold, or (another process's insert having won) locks the holder's row and
     * returns its NIC: one statement, one answer, whoever came first.
     */
    [SFO_STMT_JOURNAL_RESERVE_VF] = { "journal_reserve_vf",
                                      "INSERT INTO journal_vf_holds "
                                      "(host_id, vf_address, nic_id, sequence_id) "
                                      "VALUES ($1::text, $2::text, $3::text, $4::uuid) "
                                      "ON CONFLICT (host_id, vf_address) "
                                      "DO UPDATE SET nic_id = journal_vf_holds.nic_id "
                                      "RETURNING nic_id",
                                      4 },
    [SFO_STMT_JOURNAL_RELEASE_VF] = { "journal_release_vf",
                                      "DELETE FROM journal_vf_holds h WHERE host_id = $1::text "
                                      "AND vf_address = $2::text AND nic_id = $3::text "
                                      "AND NOT EXISTS (SELECT 1 FROM journal_sequences s "
                                      "WHERE s.id = h.sequence_id AND s.ended_at IS NULL "
                                      "AND s.plan -> 'steps' @> jsonb_build_array(jsonb_build_object("
                                      "'op', 'reserve-vf', 'host', $1::text, 'vf', $2::text, "
                                      "'nic', $3::text)))",
                                      3 },
    /*
     * The open sequences whose lock this session has (their ordinals in @1) or can take;
     * MATERIALIZED: the locks are tried on open sequences only.
     */
    [SFO_STMT_JOURNAL_OPEN_SEQUENCES] = { "journal_open_sequences",
                                          "WITH open AS MATERIALIZED (SELECT id, ordinal, plan, source_uri, destination_uri "
                                          "FROM journal_sequences WHERE ended_at IS NULL) "
                                          "SELECT id::text, ordinal::text, plan::text, source_uri, destination_uri FROM open "
                                          "WHERE CASE WHEN ordinal = ANY ($1::bigint[]) THEN true "
                                          "ELSE pg_try_advisory_lock(ordinal) END "
                                          "ORDER BY ordinal",
                                          1 },
    [SFO_STMT_JOURNAL_OPEN_STEPS] = { "journal_open_steps",
                                      "SELECT sequence_id::text, undo, step_index, phase "
                                      "FROM journal_steps WHERE sequence_id = ANY ($1::uuid[]) "
                                      "ORDER BY ordinal",
                                      1 },
    [SFO_STMT_JOURNAL_LOCK] = { "journal_lock", "SELECT pg_advisory_lock($1::bigint)", 1 },
    /* an open sequence of VM @1 (journal_sequences_open_vm_key) */
    [SFO_STMT_JOURNAL_VM_BUSY] = { "journal_vm_busy",
                                   "SELECT id::text FROM journal_sequences "
                                   "WHERE ended_at IS NULL AND plan ->> 'vm' = $1::text",
                                   1 },
    /* the NIC other than @3 that the inventory says uses VF @2 of host @1 */
    [SFO_STMT_JOURNAL_VF_USER] = { "journal_vf_user",
                                   "SELECT vf.nic_id FROM host_vfs vf "
                                   "JOIN host_pfs pf ON pf.id = vf.pf_id "
                                   "WHERE pf.host_id = $1::text AND vf.address = $2::text "
                                   "AND vf.nic_id <> $3::text",
                                   3 },
    [SFO_STMT_JOURNAL_DROP_HOLDS] = { "journal_drop_holds",
                                      "DELETE FROM journal_vf_holds WHERE sequence_id = $1::uuid",
                                      1 },
    [SFO_STMT_JOURNAL_HOLDS] = { "journal_holds",
                                 "SELECT host_id, vf_address, nic_id FROM journal_vf_holds", 0 },
    /* what a refusal's message names: the VM's, NIC's, host's and network's names */
    [SFO_STMT_JOURNAL_NAMES] = { "journal_names",
                                 "SELECT (SELECT name FROM vms WHERE id = $1::text), "
                                 "(SELECT name FROM nics WHERE id = $2::text), "
                                 "(SELECT name FROM hosts WHERE id = $3::text), "
                                 "(SELECT n.name FROM nics i JOIN vnic_profiles p "
                                 "ON p.id = i.vnic_profile_id JOIN networks n ON n.id = p.network_id "
                                 "WHERE i.id = $2::text)",
                                 3 },
    /*
     * ---- the write-back of a completed sequence (sfo-store-journal.c) ----
     * Each touches only what the store holds: a plan may name objects it does not.
     */
    [SFO_STMT_WRITE_NIC_PLUGGED] = { "write_nic_plugged",
                                     "UPDATE nics SET plugged = $2::boolean WHERE id = $1::text",
                                     2 },
    [SFO_STMT_WRITE_NIC_VF] = { "write_nic_vf",
                                "UPDATE nics SET vf_address = $2::text WHERE id = $1::text", 2 },
    [SFO_STMT_WRITE_FREE_VFS] = { "write_free_vfs",
                                  "UPDATE host_vfs SET nic_id = NULL WHERE nic_id = $1::text", 1 },
    [SFO_STMT_WRITE_TAKE_VF] = { "write_take_vf",
                                 "UPDATE host_vfs vf SET nic_id = $3::text FROM host_pfs pf "
                                 "WHERE pf.id = vf.pf_id AND pf.host_id = $1::text "
                                 "AND vf.address = $2::text "
                                 "AND EXISTS (SELECT 1 FROM nics WHERE id = $3::text)",
                                 3 },
    [SFO_STMT_WRITE_VM_HOST] = { "write_vm_host",
                                 "UPDATE vms SET host_id = $2::text WHERE id = $1::text "
                                 "AND EXISTS (SELECT 1 FROM hosts WHERE id = $2::text)",
                                 2 },

/*
     * ---- reads (sfo-store-read.c) ----
     * $1 id, $2 name, $3 parent, $4 the most rows; each NULL when not given. Unprepared: the
     * planner sees the NULLs and keeps the index scans of the filters that are given.
     */
#define SFO_SQL_FILTER(alias, parent) \
    " WHERE ($1::text IS NULL OR " alias ".id = $1::text) AND ($2::text IS NULL OR " alias \
    ".name = $2::text) AND ($3::text IS NULL OR " parent " = $3::text) ORDER BY " alias \
    ".ordinal LIMIT $4::bigint"
    [SFO_STMT_LIST_DATA_CENTERS] = { "list_data_centers",
                                     "SELECT d.id, d.name FROM data_centers d" SFO_SQL_FILTER(
                                         "d", "NULL"),
                                     4, TRUE },
    [SFO_STMT_LIST_CLUSTERS] = { "list_clusters",
                                 "SELECT " SFO_SQL_CLUSTER_COLS
                                 " FROM clusters c" SFO_SQL_FILTER("c", "c.data_center_id"),
                                 4, TRUE },
    [SFO_STMT_LIST_NETWORKS] = { "list_networks",
                                 "SELECT " SFO_SQL_NETWORK_COLS
                                 " FROM networks n" SFO_SQL_FILTER("n", "n.data_center_id"),
                                 4, TRUE },
    [SFO_STMT_LIST_PROFILES] = { "list_profiles",
                                 "SELECT " SFO_SQL_PROFILE_COLS
                                 " FROM vnic_profiles p" SFO_SQL_FILTER("p", "p.network_id"),
                                 4, TRUE },
    [SFO_STMT_LIST_VMS] = { "list_vms",
                            "SELECT " SFO_SQL_VM_COLS
                            " FROM vms v" SFO_SQL_FILTER("v", "v.cluster_id"),
                            4, TRUE },
    [SFO_STMT_LIST_NICS] = { "list_nics",
                             "SELECT " SFO_SQL_NIC_COLS
                             " FROM nics i" SFO_SQL_FILTER("i", "i.vm_id"),
                             4, TRUE },
    [SFO_STMT_LIST_HOSTS] = { "list_hosts",
                              "SELECT h.id FROM hosts h" SFO_SQL_FILTER("h", "h.cluster_id"), 4,
                              TRUE },
#undef SFO_SQL_FILTER
    /* a get by id: prepared (the primary key, planned once per connection) */
    [SFO_STMT_GET_DATA_CENTER] = { "get_data_center",
                                   "SELECT d.id, d.name FROM data_centers d WHERE d.id = $1::text",
                                   1 },
    [SFO_STMT_GET_CLUSTER] = { "get_cluster",
                               "SELECT " SFO_SQL_CLUSTER_COLS
                               " FROM clusters c WHERE c.id = $1::text",
                               1 },
    [SFO_STMT_GET_NETWORK] = { "get_network",
                               "SELECT " SFO_SQL_NETWORK_COLS
                               " FROM networks n WHERE n.id = $1::text",
                               1 },
    [SFO_STMT_GET_PROFILE] = { "get_profile",
                               "SELECT " SFO_SQL_PROFILE_COLS
                               " FROM vnic_profiles p WHERE p.id = $1::text",
                               1 },
    [SFO_STMT_GET_VM] = { "get_vm", "SELECT " SFO_SQL_VM_COLS " FROM vms v WHERE v.id = $1::text",
                          1 },
    [SFO_STMT_GET_NIC] = { "get_nic",
                           "SELECT " SFO_SQL_NIC_COLS " FROM nics i WHERE i.id = $1::text", 1 },
    [SFO_STMT_GET_HOST] = { "get_host", "SELECT h.id FROM hosts h WHERE h.id = $1::text", 1 },
/* a list without filters ($1 the most rows, NULL: all): prepared as well */
#define SFO_SQL_ALL(alias) " ORDER BY " alias ".ordinal LIMIT $1::bigint"
    [SFO_STMT_ALL_DATA_CENTERS] = { "all_data_centers",
                                    "SELECT d.id, d.name FROM data_centers d" SFO_SQL_ALL("d"), 1 },
    [SFO_STMT_ALL_CLUSTERS] = { "all_clusters",
                                "SELECT " SFO_SQL_CLUSTER_COLS " FROM clusters c" SFO_SQL_ALL("c"),
                                1 },
    [SFO_STMT_ALL_NETWORKS] = { "all_networks",
                                "SELECT " SFO_SQL_NETWORK_COLS " FROM networks n" SFO_SQL_ALL("n"),
                                1 },
    [SFO_STMT_ALL_PROFILES] = { "all_profiles",
                                "SELECT " SFO_SQL_PROFILE_COLS
                                " FROM vnic_profiles p" SFO_SQL_ALL("p"),
                                1 },
    [SFO_STMT_ALL_VMS] = { "all_vms", "SELECT " SFO_SQL_VM_COLS " FROM vms v" SFO_SQL_ALL("v"), 1 },
    [SFO_STMT_ALL_NICS] = { "all_nics", "SELECT " SFO_SQL_NIC_COLS " FROM nics i" SFO_SQL_ALL("i"),
                            1 },
    [SFO_STMT_ALL_HOSTS] = { "all_hosts", "SELECT h.id FROM hosts h" SFO_SQL_ALL("h"), 1 },
#undef SFO_SQL_ALL
    /* every profile and its network: what failover candidates are chosen from */
    [SFO_STMT_PROFILES_WITH_NETWORKS] = { "profiles_with_networks",
                                          "SELECT " SFO_SQL_PROFILE_COLS ", " SFO_SQL_NETWORK_COLS
                                          " FROM vnic_profiles p JOIN networks n "
                                          "ON n.id = p.network_id ORDER BY p.ordinal",
                                          0 },
    [SFO_STMT_PROFILE_VM_COUNTS] = { "profile_vm_counts",
                                     "SELECT vnic_profile_id, count(DISTINCT vm_id) FROM nics "
                                     "WHERE vnic_profile_id IS NOT NULL GROUP BY vnic_profile_id",
                                     0 },

    /* ---- names, MACs (sfo-store-repo.c) ---- */
    /* the profiles a new or renamed profile's name would clash with (unique per network) */
    [SFO_STMT_PROFILES_WITH_NAME] = { "profiles_with_name",
                                      "SELECT " SFO_SQL_PROFILE_COLS " FROM vnic_profiles p "
                                      "WHERE p.network_id = $1::text AND p.name = $2::text "
                                      "ORDER BY p.ordinal",
                                      2 },
    [SFO_STMT_MAC_LOCK] = { "mac_lock", "SELECT pg_advisory_xact_lock(" SFO_SQL_MAC_LOCK ")", 0 },
    /* the highest MAC of the pool in use (nics_mac_key, backwards) */
    [SFO_STMT_MAC_LAST] = { "mac_last",
                            "SELECT mac::text FROM nics WHERE mac BETWEEN "
                            "'56:6f:00:00:00:00' AND '56:6f:ff:ff:ff:ff' "
                            "ORDER BY mac DESC LIMIT 1",
                            0 },
    /* the lowest free MAC of the pool: the first, or one after a MAC whose next is free */
    [SFO_STMT_MAC_FIRST_GAP] = { "mac_first_gap",
                                 "WITH used AS (SELECT ('x' || replace(mac::text, ':', ''))"
                                 "::bit(48)::bigint AS n FROM nics WHERE mac BETWEEN "
                                 "'56:6f:00:00:00:00' AND '56:6f:ff:ff:ff:ff'), "
                                 "free AS (SELECT x'566f00000000'::bigint AS n "
                                 "WHERE NOT EXISTS (SELECT 1 FROM used WHERE n = x'566f00000000'"
                                 "::bigint) UNION ALL SELECT u.n + 1 FROM used u "
                                 "WHERE u.n < x'566fffffffff'::bigint AND NOT EXISTS "
                                 "(SELECT 1 FROM used v WHERE v.n = u.n + 1)) "
                                 "SELECT lpad(to_hex(min(n)), 12, '0') FROM free HAVING "
                                 "count(*) > 0",
                                 0 },

    /* ---- users and tokens (sfo-store-users.c) ---- */
    [SFO_STMT_USER_INSERT] = { "user_insert",
                               "INSERT INTO users (name, password_hash, role) "
                               "VALUES ($1::text, $2::text, $3::text) "
                               "ON CONFLICT (name) DO NOTHING RETURNING name",
                               3 },
    /* a new password ends the user's sessions */
    [SFO_STMT_USER_SET_PASSWORD] = { "user_set_password",
                                     "WITH u AS (UPDATE users SET password_hash = $2::text "
                                     "WHERE name = $1::text RETURNING name), "
                                     "t AS (DELETE FROM tokens WHERE user_name IN "
                                     "(SELECT name FROM u)) SELECT name FROM u",
                                     2 },
    /* its tokens cascade */
    [SFO_STMT_USER_DELETE] = { "user_delete",
                               "DELETE FROM users WHERE name = $1::text RETURNING name", 1 },
    [SFO_STMT_USER_LIST] = { "user_list", "SELECT name, role FROM users ORDER BY ordinal", 0 },
    /* the first user only; of two concurrent inserts the second waits, then does nothing */
    [SFO_STMT_USER_INSERT_FIRST] = { "user_insert_first",
                                     "INSERT INTO users (name, password_hash, role) "
                                     "SELECT $1::text, $2::text, 'admin' "
                                     "WHERE NOT EXISTS (SELECT 1 FROM users) "
                                     "ON CONFLICT (name) DO NOTHING RETURNING name",
                                     2 },
    [SFO_STMT_USER_GET] = { "user_get",
                            "SELECT password_hash, role FROM users WHERE name = $1::text", 1 },
    /* logins of one name queue (two int4 keys: apart from the bigint keys above) */
    [SFO_STMT_LOGIN_LOCK] = { "login_lock",
                              "SELECT pg_advisory_xact_lock(" SFO_SQL_LOGIN_LOCK_CLASS
                              ", hashtext($1::text))",
                              1 },
    [SFO_STMT_LOGIN_FAILURES] = { "login_failures",
                                  "SELECT count(*) FROM login_failures WHERE user_name = $1::text "
                                  "AND failed_at > now() - " SFO_SQL_LOGIN_WINDOW,
                                  1 },
    /* and forgets the name's failures older than the window */
    [SFO_STMT_LOGIN_FAILURE_RECORD] = { "login_failure_record",
                                        "WITH old AS (DELETE FROM login_failures "
                                        "WHERE user_name = $1::text AND failed_at <= now() - " SFO_SQL_LOGIN_WINDOW
                                        ") "
                                        "INSERT INTO login_failures (user_name) "
                                        "VALUES ($1::text)",
                                        1 },
    /* and drops the user's expired tokens */
    [SFO_STMT_TOKEN_INSERT] = { "token_insert",
                                "WITH gone AS (DELETE FROM tokens WHERE user_name = $2::text "
                                "AND expires_at < now()) "
                                "INSERT INTO tokens (hash, user_name, expires_at) "
                                "VALUES ($1::text, $2::text, "
                                "now() + $3::integer * interval '1 second') "
                                "RETURNING floor(extract(epoch FROM expires_at))::bigint",
                                3 },
    [SFO_STMT_TOKEN_GET] = { "token_get",
                             "SELECT t.user_name, u.role, "
                             "floor(extract(epoch FROM t.expires_at))::bigint, "
                             "t.expires_at <= now() FROM tokens t "
                             "JOIN users u ON u.name = t.user_name WHERE t.hash = $1::text",
                             1 },
    [SFO_STMT_TOKEN_DELETE] = { "token_delete",
                                "DELETE FROM tokens WHERE hash = $1::text RETURNING 1", 1 },
};

void
sfo_store_profile_params(const sfo_vnic_profile *p,
                         const char *ret_params[SFO_STORE_PROFILE_NPARAMS])
{
    const char *params[SFO_STORE_PROFILE_NPARAMS] = {
        p->id,
        p->name,
        p->network_id,
        sfo_store_bool_param(p->pass_through),
        sfo_store_bool_param(p->migratable),
        p->failover_id,
        sfo_store_bool_param(p->port_mirroring),
        p->qos_id,
        p->network_filter_id,
    };

    memcpy(ret_params, params, sizeof(params));
}

void
sfo_store_nic_params(const sfo_nic *nic, const char *ret_params[SFO_STORE_NIC_NPARAMS])
{
    const char *params[SFO_STORE_NIC_NPARAMS] = {
        nic->id,
        nic->name,
        nic->vm_id,
        nic->vnic_profile_id,
        sfo_nic_interface_to_string(nic->interface),
        nic->mac,
        sfo_store_bool_param(nic->plugged),
        nic->vf_address,
    };

    memcpy(ret_params, params, sizeof(params));
}
