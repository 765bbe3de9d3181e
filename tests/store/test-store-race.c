/*
 * test-store-race.c: concurrent clients racing on conflicting changes
 *
 * N worker processes (SFO_RACE_WORKERS, default 4), each with its own
 * connection, get one change per round at the same moment; the changes of a
 * round conflict pairwise. After every round the parent checks that exactly
 * the expected number succeeded, that the losers were refused with the right
 * rule key, and that the stored inventory passes sriovfo check; then it
 * undoes the round. Rounds: SFO_RACE_ROUNDS (default 1000, as make check runs
 * them; under valgrind make check runs 100). Inventory: tests/data/store/race.json.
 *
 *  A: every worker attaches a VF NIC to vm1, each on its own profile, all of
 *     them failing over to profile fo (rule 8): exactly one NIC is attached.
 *  B: workers attach VF NICs on profile p (failover fo2) to vm2, whose NIC
 *     base-nic fails over to fo; one worker meanwhile updates p's failover to
 *     fo. Adders conflict with each other (rule 8) and with the update (rule 6
 *     if a NIC came first, rule 8 if the update did): exactly one succeeds.
 *  C: one worker removes profile fo3 while the others add profiles naming it
 *     as failover: either the removal succeeds and every add is refused (the
 *     target is gone), or the removal is refused (rule 9) and every add
 *     succeeds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "store-test.h"
#include "../unit/sfo-test.h"

#define KEY_SHARED "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE"
#define KEY_IN_USE "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE"
#define KEY_NOT_VALID "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID"
#define KEY_REMOVE_TARGET "ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED"

/* race.json has vf-1 .. vf-16 */
#define MAX_WORKERS 16

typedef enum {
    OP_QUIT,
    OP_ADD_NIC,
    OP_ADD_PROFILE,
    OP_UPDATE_PROFILE,
    OP_REMOVE_PROFILE,
} race_op;

typedef struct {
    race_op op;
    char arg[1024]; /* the object (JSON) or the id */
} race_command;

typedef struct {
    int rc;
    int attempts;
    char key[128]; /* the first violation's key when refused */
    char message[256];
} race_reply;

static int sfo_rounds;
static int sfo_nworkers;
static sfo_store_test_worker sfo_workers[MAX_WORKERS];

/* ------------------------------------------------------------------------ */
/* workers (child processes: no cmocka here)                                */
/* ------------------------------------------------------------------------ */

static int
worker_run(sfo_store *store, const race_command *cmd, sfo_violations **ret_v)
{
    switch (cmd->op) {
    case OP_ADD_NIC:
        return sfo_store_add_nic(store, cmd->arg, 0, NULL, ret_v);
    case OP_ADD_PROFILE:
        return sfo_store_add_vnic_profile(store, cmd->arg, 0, NULL, ret_v);
    case OP_UPDATE_PROFILE:
        return sfo_store_update_vnic_profile(store, cmd->arg, 0, ret_v);
    case OP_REMOVE_PROFILE:
        return sfo_store_remove_vnic_profile(store, cmd->arg, 0, ret_v);
    case OP_QUIT:
    default:
        return SFO_EINVALID;
    }
}

static int
worker_main(int from_parent, int to_parent, gpointer data G_GNUC_UNUSED)
{
    sfo_store *store = NULL;
    race_command cmd;

    if (sfo_store_open(sfo_store_test_dsn(), 0, &store) < 0) {
        fprintf(stderr, "# worker %d: %s\n", getpid(), sfo_error_last()->message);
        return 99;
    }
    while (sfo_store_test_read_full(from_parent, &cmd, sizeof(cmd)) && cmd.op != OP_QUIT) {
        sfo_violations *v = NULL;
        race_reply reply = { 0 };
        const sfo_error *err;

        reply.rc = worker_run(store, &cmd, &v);
        reply.attempts = store->attempts;
        if (reply.rc == SFO_EVIOLATED) {
            g_strlcpy(reply.key, sfo_violations_key(v, 0), sizeof(reply.key));
            g_strlcpy(reply.message, sfo_violations_message(v, 0), sizeof(reply.message));
        } else if (reply.rc < 0 && (err = sfo_error_last())) {
            g_strlcpy(reply.key, err->key, sizeof(reply.key));
            g_strlcpy(reply.message, err->message, sizeof(reply.message));
        }
        sfo_violations_free(v);
        if (!sfo_store_test_write_full(to_parent, &reply, sizeof(reply)))
            break;
    }
    sfo_store_close(store);
    return 0;
}

static void
workers_start(void)
{
    int i;

    for (i = 0; i < sfo_nworkers; i++)
        sfo_store_test_worker_start(&sfo_workers[i], worker_main, NULL);
}

/* A worker ends when its commands do */
static void
workers_stop(void)
{
    sfo_store_test_workers_stop(sfo_workers, sfo_nworkers);
}

/* Sends every worker its command (all at once), then collects the replies */
static void
round_run(const race_command *cmds, race_reply *replies)
{
    int i;

    for (i = 0; i < sfo_nworkers; i++)
        assert_true(sfo_store_test_write_full(sfo_workers[i].to_worker, &cmds[i], sizeof(cmds[i])));
    for (i = 0; i < sfo_nworkers; i++)
        assert_true(
            sfo_store_test_read_full(sfo_workers[i].from_worker, &replies[i], sizeof(replies[i])));
}

/* ------------------------------------------------------------------------ */
/* checks                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
    int successes; /* over all rounds */
    int retried;   /* calls that needed more than one attempt */
    int first_won; /* B: rounds the update won; C: rounds the removal won */
} race_stats;

static void
check_reply(int round, int worker, const race_reply *r, const char *key)
{
    if (r->rc == 0)
        return;
    if (r->rc != SFO_EVIOLATED || !g_str_equal(r->key, key))
        fail_msg("round %d, worker %d: expected success or %s, got %d %s: %s", round, worker, key,
                 r->rc, r->key, r->message);
}

static sfo_inventory *
check_state(sfo_store *store, int round)
{
    sfo_inventory *inv = NULL;
    g_autoptr(sfo_violations) v = NULL;

    if (sfo_store_export(store, 0, &inv) < 0)
        fail_msg("round %d: export: %s", round, sfo_error_last()->message);
    assert_int_equal(sfo_rules_check(inv, 0, &v), 0);
    if (sfo_violations_error_count(v) > 0)
        fail_msg("round %d: the store holds a state sriovfo check rejects: %s %s", round,
                 sfo_violations_key(v, 0), sfo_violations_message(v, 0));
    return inv;
}

static int
nics_of_vm(const sfo_inventory *inv, const char *vm)
{
    g_autoptr(GPtrArray) nics = sfo_inventory_nics_of_vm(inv, vm);

    return (int)nics->len;
}

/*
 * A new database holding race.json, the workers started on it, and the
 * parent's own connection (opened after the fork: no child inherits it).
 */
static sfo_store *
setup(void)
{
    sfo_store *store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("store", "race.json");

    if (sfo_store_import(store, inv, 0, NULL) < 0)
        fail_msg("import race.json: %s", sfo_error_last()->message);
    sfo_store_close(store);
    workers_start();
    store = NULL;
    if (sfo_store_open(sfo_store_test_dsn(), 0, &store) < 0)
        fail_msg("open: %s", sfo_error_last()->message);
    return store;
}

static void
report(const char *scenario, const race_stats *st)
{
    printf("# %s: %d rounds, %d workers, %d changes succeeded, %d calls retried, "
           "the single change won %d rounds\n",
           scenario, sfo_rounds, sfo_nworkers, st->successes, st->retried, st->first_won);
}

/* A unique MAC per round and worker */
static char *
race_mac(int round, int worker)
{
    return g_strdup_printf("56:6f:%02x:%02x:%02x:%02x", (round >> 16) & 0xff, (round >> 8) & 0xff,
                           round & 0xff, worker);
}

/* ------------------------------------------------------------------------ */
/* scenarios                                                                */
/* ------------------------------------------------------------------------ */

static void
test_race__nics_sharing_a_failover_profile(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = NULL;
    race_command cmds[MAX_WORKERS] = { 0 };
    race_reply replies[MAX_WORKERS] = { 0 };
    race_stats st = { 0, 0, 0 };
    int round;
    int i;

    store = setup();
    for (round = 0; round < sfo_rounds; round++) {
        g_autoptr(sfo_inventory) inv = NULL;
        int winner = -1;

        for (i = 0; i < sfo_nworkers; i++) {
            g_autofree char *mac = race_mac(round, i);

            cmds[i].op = OP_ADD_NIC;
            g_snprintf(cmds[i].arg, sizeof(cmds[i].arg),
                       "{\"id\": \"a-%d-%d\", \"name\": \"nic\", \"vm\": {\"id\": \"vm1\"}, "
                       "\"vnic_profile\": {\"id\": \"vf-%d\"}, \"interface\": \"pci_passthrough\", "
                       "\"mac\": {\"address\": \"%s\"}}",
                       round, i, i + 1, mac);
        }
        round_run(cmds, replies);
        for (i = 0; i < sfo_nworkers; i++) {
            check_reply(round, i, &replies[i], KEY_SHARED);
            st.retried += replies[i].attempts > 1;
            if (replies[i].rc == 0) {
                if (winner >= 0)
                    fail_msg("round %d: workers %d and %d both attached a NIC", round, winner, i);
                winner = i;
            }
        }
        if (winner < 0)
            fail_msg("round %d: no worker attached its NIC", round);
        st.successes++;
        inv = check_state(store, round);
        assert_int_equal(nics_of_vm(inv, "vm1"), 1);
        g_snprintf(cmds[0].arg, sizeof(cmds[0].arg), "a-%d-%d", round, winner);
        assert_int_equal(sfo_store_remove_nic(store, cmds[0].arg, 0, NULL), 0);
    }
    workers_stop();
    report("A, NICs sharing a failover profile", &st);
}

static void
test_race__failover_update_while_attaching(void **state G_GNUC_UNUSED)
{
    static const char update_fmt[] =
        "{\"id\": \"p\", \"name\": \"p\", \"network\": {\"id\": \"net-vf\"}, "
        "\"pass_through\": {\"mode\": \"enabled\"}, \"migratable\": true, "
        "\"failover\": {\"id\": \"%s\"}}";
    g_autoptr(sfo_store) store = NULL;
    race_command cmds[MAX_WORKERS] = { 0 };
    race_reply replies[MAX_WORKERS] = { 0 };
    race_stats st = { 0, 0, 0 };
    int updater = sfo_nworkers - 1;
    int round;
    int i;

    store = setup();
    for (round = 0; round < sfo_rounds; round++) {
        g_autoptr(sfo_inventory) inv = NULL;
        int winners = 0;
        int adder = -1;

        for (i = 0; i < updater; i++) {
            g_autofree char *mac = race_mac(round, i);

            cmds[i].op = OP_ADD_NIC;
            g_snprintf(cmds[i].arg, sizeof(cmds[i].arg),
                       "{\"id\": \"b-%d-%d\", \"name\": \"nic\", \"vm\": {\"id\": \"vm2\"}, "
                       "\"vnic_profile\": {\"id\": \"p\"}, \"interface\": \"pci_passthrough\", "
                       "\"mac\": {\"address\": \"%s\"}}",
                       round, i, mac);
        }
        cmds[updater].op = OP_UPDATE_PROFILE;
        g_snprintf(cmds[updater].arg, sizeof(cmds[updater].arg), update_fmt, "fo");
        round_run(cmds, replies);

        for (i = 0; i < sfo_nworkers; i++) {
            st.retried += replies[i].attempts > 1;
            if (replies[i].rc != 0)
                continue;
            winners++;
            if (i != updater)
                adder = i;
        }
        if (winners != 1)
            fail_msg("round %d: %d of the conflicting changes succeeded, expected exactly one",
                     round, winners);
        st.successes++;
        inv = check_state(store, round);
        if (adder >= 0) {
            /* a NIC came first: the update is refused because p is in use */
            check_reply(round, updater, &replies[updater], KEY_IN_USE);
            for (i = 0; i < updater; i++)
                check_reply(round, i, &replies[i], KEY_SHARED);
            assert_int_equal(nics_of_vm(inv, "vm2"), 2);
            g_snprintf(cmds[0].arg, sizeof(cmds[0].arg), "b-%d-%d", round, adder);
            assert_int_equal(sfo_store_remove_nic(store, cmds[0].arg, 0, NULL), 0);
        } else {
            /* the update came first: p now fails over to fo, as base-nic's profile does */
            st.first_won++;
            for (i = 0; i < updater; i++)
                check_reply(round, i, &replies[i], KEY_SHARED);
            assert_int_equal(nics_of_vm(inv, "vm2"), 1);
            assert_string_equal(sfo_inventory_find_vnic_profile(inv, "p")->failover_id, "fo");
            g_snprintf(cmds[0].arg, sizeof(cmds[0].arg), update_fmt, "fo2");
            if (sfo_store_update_vnic_profile(store, cmds[0].arg, 0, NULL) < 0)
                fail_msg("round %d: undoing the update: %s", round, sfo_error_last()->message);
        }
    }
    workers_stop();
    report("B, failover update while attaching", &st);
}

static void
test_race__remove_failover_target_while_naming_it(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = NULL;
    race_command cmds[MAX_WORKERS] = { 0 };
    race_reply replies[MAX_WORKERS] = { 0 };
    race_stats st = { 0, 0, 0 };
    int round;
    int i;

    store = setup();
    for (round = 0; round < sfo_rounds; round++) {
        g_autoptr(sfo_inventory) inv = NULL;
        gboolean removed;

        cmds[0].op = OP_REMOVE_PROFILE;
        g_strlcpy(cmds[0].arg, "fo3", sizeof(cmds[0].arg));
        for (i = 1; i < sfo_nworkers; i++) {
            cmds[i].op = OP_ADD_PROFILE;
            g_snprintf(cmds[i].arg, sizeof(cmds[i].arg),
                       "{\"id\": \"c-%d-%d\", \"name\": \"c-%d-%d\", \"network\": "
                       "{\"id\": \"net-vf\"}, \"pass_through\": {\"mode\": \"enabled\"}, "
                       "\"migratable\": true, \"failover\": {\"id\": \"fo3\"}}",
                       round, i, round, i);
        }
        round_run(cmds, replies);
        for (i = 0; i < sfo_nworkers; i++)
            st.retried += replies[i].attempts > 1;
        removed = replies[0].rc == 0;
        check_reply(round, 0, &replies[0], KEY_REMOVE_TARGET);
        for (i = 1; i < sfo_nworkers; i++) {
            check_reply(round, i, &replies[i], KEY_NOT_VALID);
            /* each add conflicts with the removal: exactly one of the pair succeeds */
            if ((replies[i].rc == 0) == removed)
                fail_msg("round %d: removal %s and add %d %s", round,
                         removed ? "succeeded" : "failed", i,
                         replies[i].rc == 0 ? "succeeded" : "failed");
            st.successes += replies[i].rc == 0;
        }
        st.successes += removed;
        inv = check_state(store, round);
        assert_int_equal(sfo_inventory_find_vnic_profile(inv, "fo3") == NULL, removed);
        /* undo: the target back, or the profiles naming it gone */
        st.first_won += removed;
        if (removed) {
            assert_int_equal(
                sfo_store_add_vnic_profile(store,
                                           "{\"id\": \"fo3\", \"name\": \"failover-3\", "
                                           "\"network\": {\"id\": \"net-br\"}}",
                                           0, NULL, NULL),
                0);
        } else {
            for (i = 1; i < sfo_nworkers; i++) {
                g_snprintf(cmds[0].arg, sizeof(cmds[0].arg), "c-%d-%d", round, i);
                assert_int_equal(sfo_store_remove_vnic_profile(store, cmds[0].arg, 0, NULL), 0);
            }
        }
    }
    workers_stop();
    report("C, removing a failover target while profiles name it", &st);
}

static int
group_teardown(void **state G_GNUC_UNUSED)
{
    sfo_store_test_stop();
    return 0;
}

static int
env_int(const char *name, int def, int min, int max)
{
    const char *v = g_getenv(name);
    int n = v && *v ? (int)g_ascii_strtoll(v, NULL, 10) : def;

    return CLAMP(n, min, max);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race__nics_sharing_a_failover_profile),
        cmocka_unit_test(test_race__failover_update_while_attaching),
        cmocka_unit_test(test_race__remove_failover_target_while_naming_it),
    };

    sfo_rounds = env_int("SFO_RACE_ROUNDS", 1000, 1, 1000000);
    sfo_nworkers = env_int("SFO_RACE_WORKERS", 4, 2, MAX_WORKERS);
    /* a worker that dies must not kill the parent writing to it */
    signal(SIGPIPE, SIG_IGN);
    if (!sfo_store_test_start())
        return 0;
    return cmocka_run_group_tests_name("store-race", tests, NULL, group_teardown);
}
