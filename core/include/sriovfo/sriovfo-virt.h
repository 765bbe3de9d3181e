/*
 * sriovfo-virt.h: public API of libsriovfo-virt, running plans against libvirt
 *
 * libsriovfo-virt (pkg-config sriovfo-virt) runs the plans of libsriovfo
 * (<sriovfo/sriovfo.h>, which this header includes) against libvirt: hot plug
 * and unplug, migration, save, snapshot, each step journaled, undone on
 * failure, reconciled after a crash. It links libsriovfo and libvirt.
 * Conventions and errors are those of sriovfo.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SRIOVFO_SRIOVFO_VIRT_H
#define SRIOVFO_SRIOVFO_VIRT_H

#include <sriovfo/sriovfo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Exec: running a plan against libvirt, journaled (docs/sequencer.md)      */
/* ------------------------------------------------------------------------ */

typedef struct sfo_exec sfo_exec;
typedef struct sfo_exec_result sfo_exec_result;

/**
 * sfo_exec_status:
 * @SFO_EXEC_COMPLETED: every step ran (or found its state already so)
 * @SFO_EXEC_REFUSED: the plan was refused (violations); nothing ran
 * @SFO_EXEC_UNDONE: a step failed before the commit step; what was done is
 *                   undone and the domain is as before
 * @SFO_EXEC_INCOMPLETE: the commit step succeeded, a later step failed;
 *                       sfo_exec_reconcile() retries it
 * @SFO_EXEC_UNDO_FAILED: a step failed and so did an undo step;
 *                        sfo_exec_reconcile() retries the undo
 * Since: 0.1.0
 */
typedef enum {
    SFO_EXEC_COMPLETED = 0,
    SFO_EXEC_REFUSED,
    SFO_EXEC_UNDONE,
    SFO_EXEC_INCOMPLETE,
    SFO_EXEC_UNDO_FAILED,
} sfo_exec_status;

/**
 * sfo_exec_open:
 * @uri: libvirt URI of the host the VM runs on (the source), e.g.
 *       "qemu:///system"; NULL for sfo_exec_reconcile() alone (the URIs the
 *       journal recorded are used)
 * @destination_uri: libvirt URI of the migration destination, as the
 *       source's libvirt reaches it (peer-to-peer migration); NULL when the
 *       plans do not migrate
 * @flags: must be 0
 * @ret_exec: free with sfo_exec_free()
 *
 * Registers libvirt's default event loop implementation and runs it in a
 * thread of its own unless the application has registered one (which it
 * must then run), then connects to @uri. The destination is connected to
 * when a step needs it. The unplug timeout is 30 s; there is no journal.
 * Returns: 0; SFO_EIO (HOST_CONNECTION_FAILED). Since: 0.1.0
 */
int sfo_exec_open(const char *uri, const char *destination_uri, unsigned int flags,
                  sfo_exec **ret_exec);

/**
 * sfo_exec_set_unplug_timeout:
 * How long a wait-removed step waits for the guest to release an interface
 * before the sequence is undone (VM_INTERFACE_UNPLUG_TIMED_OUT). Since: 0.1.0
 */
int sfo_exec_set_unplug_timeout(sfo_exec *exec, unsigned int milliseconds);

/**
 * sfo_exec_set_migration_uri:
 * The URI the migration data goes to (VIR_MIGRATE_PARAM_URI, e.g.
 * "tcp://10.0.0.2"); NULL lets the destination choose. Since: 0.1.0
 */
int sfo_exec_set_migration_uri(sfo_exec *exec, const char *uri);

/**
 * sfo_exec_set_snapshot_memory_file:
 * The file a snapshot step writes the guest's memory to, on the host of the
 * source connection (an external snapshot, as oVirt takes them: a libvirt
 * save image; see docs/sequencer.md); it must not exist yet. NULL: none,
 * and sfo_exec_run() refuses a snapshot plan (SNAPSHOT_MEMORY_FILE_NOT_SET)
 * before any step runs. Since: 0.1.0
 */
int sfo_exec_set_snapshot_memory_file(sfo_exec *exec, const char *path);

/**
 * sfo_exec_set_journal:
 * Records every step, before and after it runs, in the JSON journal file
 * @path (created when absent, locked while @exec holds it); VF holds live
 * there too. Returns: 0; SFO_EIO (JOURNAL_LOCKED, JOURNAL_UNWRITABLE);
 * SFO_EINVALID (JOURNAL_CORRUPT). Since: 0.1.0
 */
int sfo_exec_set_journal(sfo_exec *exec, const char *path);

/**
 * sfo_exec_run_flags:
 * @SFO_EXEC_RUN_DOMAIN_XML: when the run ends, also read the live domain XML
 *     on each connection into the result ("domains" in
 *     sfo_exec_result_format_json()); one more libvirt read per connection
 * Since: 0.1.0
 */
typedef enum {
    SFO_EXEC_RUN_DOMAIN_XML = 1 << 0,
} sfo_exec_run_flags;

/**
 * sfo_exec_run:
 * Runs @plan: each step, in order; when one fails before the commit step,
 * the undo steps up to it in reverse. Interfaces are attached and detached
 * live and in the persistent definition, as far as the domain has them; a
 * step whose state already holds changes nothing (an attach that libvirt
 * refuses is checked against the domain and retried for the parts that
 * lack the interface; a detach checks the domain first).
 * @flags: 0 or SFO_EXEC_RUN_DOMAIN_XML
 * @ret_result: what ran and how it ended; free with sfo_exec_result_free()
 * Returns: 0 whenever the plan was run (whatever the outcome: see
 * sfo_exec_result_status()); a negative code when nothing could start (a
 * run plan, a snapshot plan without a memory file, a journal that cannot
 * be written). Since: 0.1.0
 */
int sfo_exec_run(sfo_exec *exec, const sfo_plan *plan, unsigned int flags,
                 sfo_exec_result **ret_result);

/**
 * sfo_exec_reconcile:
 * Finishes or undoes every sequence of the journal that never ended (a
 * crash, or an undo that failed): a sequence whose commit step succeeded is
 * finished, any other is undone. Needs a journal.
 * @flags: 0 or SFO_EXEC_RUN_DOMAIN_XML (the domain of the first sequence)
 * @ret_result: the steps it ran, over all sequences; the status is the
 *              worst; free with sfo_exec_result_free()
 * Returns: 0, or a negative code. Since: 0.1.0
 */
int sfo_exec_reconcile(sfo_exec *exec, unsigned int flags, sfo_exec_result **ret_result);

/** sfo_exec_free: disconnects; accepts NULL. Since: 0.1.0 */
void sfo_exec_free(sfo_exec *exec);

/** sfo_exec_result_status: an sfo_exec_status. Since: 0.1.0 */
int sfo_exec_result_status(const sfo_exec_result *result);

/** sfo_exec_status_to_string: "completed", "refused", "undone", ... Since: 0.1.0 */
const char *sfo_exec_status_to_string(int status);

/**
 * sfo_exec_result_error_key / _error_message:
 * Why the sequence did not complete (e.g. "VM_INTERFACE_UNPLUG_TIMED_OUT"
 * and a one-line text); NULL when it completed. Borrowed. Since: 0.1.0
 */
const char *sfo_exec_result_error_key(const sfo_exec_result *result);
const char *sfo_exec_result_error_message(const sfo_exec_result *result);

/**
 * sfo_exec_result_format_json:
 * @ret_json: {"sequence","status","error"?,"steps":[…],"undone":[…],
 *            "violations":[…],"domains":{"<uri>":"<final live domain XML>"}}
 *            ("domains" is empty unless the run had SFO_EXEC_RUN_DOMAIN_XML);
 *            each step with its outcome and duration; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_exec_result_format_json(const sfo_exec_result *result, unsigned int flags, char **ret_json);

/**
 * sfo_exec_result_format_text:
 * @ret_text: one line per step that ran ("step 1 attach vf ua-nic1 on h1:
 *            done in 12.5 ms"), then the outcome; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_exec_result_format_text(const sfo_exec_result *result, unsigned int flags, char **ret_text);

/** sfo_exec_result_free: accepts NULL. Since: 0.1.0 */
void sfo_exec_result_free(sfo_exec_result *result);

/**
 * sfo_exec_use_journal:
 * @journal: taken over in every case: @exec frees it when it is freed or
 *           given another journal; on an error it is freed at once
 * Records every step in @journal (instead of the file of
 * sfo_exec_set_journal()); VF holds live there too. Returns: 0;
 * SFO_EINVALID. Since: 0.1.0
 */
int sfo_exec_use_journal(sfo_exec *exec, sfo_journal *journal);

#ifdef __cplusplus
}
#endif

#endif /* SRIOVFO_SRIOVFO_VIRT_H */
