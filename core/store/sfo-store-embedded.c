/*
 * sfo-store-embedded.c: the embedded store, a private PostgreSQL cluster
 *
 * With no DSN the store lives in a cluster of its own under a data directory
 * (sfo_store_embedded_data_dir()):
 *
 *   DATA_DIR/pgdata            the cluster (initdb on first use)
 *   DATA_DIR/.s.PGSQL.5432     its only way in: a Unix socket (listen_addresses = '')
 *   DATA_DIR/postgresql.log    the server's log
 *   DATA_DIR/lock              flock()ed while a process creates, starts or stops it
 *
 * The cluster is created with trust authentication for local connections:
 * only users who can enter DATA_DIR (mode 0700) reach the socket. PostgreSQL
 * refuses to run as root, so as root initdb and pg_ctl run through
 * "runuser -u postgres --" ($SRIOVFO_PG_USER) and DATA_DIR belongs to that
 * user. A pid file left by a crash is PostgreSQL's to handle: pg_ctl reports
 * no server, and the new postmaster replaces the stale file. Except while
 * the dead postmaster is a zombie (killed, its parent has not reaped it
 * yet; pg_ctl exits, so its parent is init or a subreaper, which may take a
 * while or forever): kill(pid, 0) still succeeds, so pg_ctl says the server
 * runs and a new postmaster refuses the "lock file already exists".
 * Start-up then reads the pid from the pid file, sees the zombie in /proc,
 * waits until no process of the dead server is attached to its shared memory
 * (PostgreSQL's own test of a stale pid file), removes the two stale lock
 * files, and starts a new server. It waits for a server to answer, not only
 * to stop rejecting, and says what it found when it gives up.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sfo-store.h"

#define SFO_EMBEDDED_PORT "5432"
#define SFO_EMBEDDED_SOCKET ".s.PGSQL." SFO_EMBEDDED_PORT
#define SFO_EMBEDDED_SUPERUSER "sriovfo"

int
sfo_store_embedded_data_dir(char **ret_dir)
{
    const char *env = g_getenv("SRIOVFO_DATA_DIR");

    sfo_return_val_if_fail(ret_dir != NULL, SFO_EINVALID);

    if (env && *env)
        /* libpq takes a host starting with '/' as a socket directory: make it absolute */
        *ret_dir = g_canonicalize_filename(env, NULL);
    else if (geteuid() == 0)
        *ret_dir = g_strdup("/var/lib/sriov-failover");
    else
        *ret_dir = g_build_filename(g_get_user_data_dir(), "sriov-failover", NULL);
    return 0;
}

void
sfo_store_embedded_conninfo(const char *data_dir, const char *dbname, const char ***ret_keywords,
                            const char ***ret_values)
{
    static const char *const keywords[] = { "host", "port", "dbname", "user", "connect_timeout",
                                            NULL };
    const char **keys = g_new0(const char *, G_N_ELEMENTS(keywords));
    const char **values = g_new0(const char *, G_N_ELEMENTS(keywords));
    size_t i;

    for (i = 0; keywords[i]; i++)
        keys[i] = keywords[i];
    values[0] = data_dir;
    values[1] = SFO_EMBEDDED_PORT;
    values[2] = dbname;
    values[3] = SFO_EMBEDDED_SUPERUSER;
    values[4] = "10";
    *ret_keywords = keys;
    *ret_values = values;
}

/* ------------------------------------------------------------------------ */
/* The server programs                                                      */
/* ------------------------------------------------------------------------ */

static gboolean
sfo_store_bindir_usable(const char *dir)
{
    g_autofree char *initdb = g_build_filename(dir, "initdb", NULL);
    g_autofree char *pg_ctl = g_build_filename(dir, "pg_ctl", NULL);

    return g_file_test(initdb, G_FILE_TEST_IS_EXECUTABLE) &&
           g_file_test(pg_ctl, G_FILE_TEST_IS_EXECUTABLE);
}

/* Debian keeps the server programs out of PATH, one directory per major version */
static char *
sfo_store_find_debian_bindir(void)
{
    g_autoptr(GDir) d = g_dir_open("/usr/lib/postgresql", 0, NULL);
    g_autofree char *best = NULL;
    gint64 best_version = -1;
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *dir = g_build_filename("/usr/lib/postgresql", name, "bin", NULL);
        char *end = NULL;
        gint64 version = g_ascii_strtoll(name, &end, 10);

        if (end == name || *end || version <= best_version || !sfo_store_bindir_usable(dir))
            continue;
        best_version = version;
        g_free(best);
        best = g_steal_pointer(&dir);
    }
    return g_steal_pointer(&best);
}

int
sfo_store_server_bindir(char **ret_dir)
{
    const char *env = g_getenv("SRIOVFO_PG_BINDIR");
    g_autofree char *found = NULL;

    if (env && *env) {
        if (!sfo_store_bindir_usable(env)) {
            sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_SERVER_NOT_FOUND,
                             "SRIOVFO_PG_BINDIR=%s holds no initdb and pg_ctl", env);
            return SFO_EDATABASE;
        }
        *ret_dir = g_strdup(env);
        return 0;
    }
    if (*SFO_PG_BINDIR && sfo_store_bindir_usable(SFO_PG_BINDIR)) {
        *ret_dir = g_strdup(SFO_PG_BINDIR);
        return 0;
    }
    if ((found = sfo_store_find_debian_bindir())) {
        *ret_dir = g_steal_pointer(&found);
        return 0;
    }
    if ((found = g_find_program_in_path("pg_ctl"))) {
        g_autofree char *dir = g_path_get_dirname(found);

        if (sfo_store_bindir_usable(dir)) {
            *ret_dir = g_steal_pointer(&dir);
            return 0;
        }
    }
    sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_SERVER_NOT_FOUND,
                     "PostgreSQL's server programs (initdb, pg_ctl) were not found in %s, "
                     "/usr/lib/postgresql/*/bin or PATH; install them (Debian: postgresql) or "
                     "set SRIOVFO_PG_BINDIR",
                     *SFO_PG_BINDIR ? SFO_PG_BINDIR : "the configured directory");
    return SFO_EDATABASE;
}

/* ------------------------------------------------------------------------ */
/* Running initdb and pg_ctl                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
    char *data_dir;
    char *pgdata;
    char *log;
    char *bindir;
    char *run_as; /* as root: the user that runs the server */
    uid_t uid;    /* its uid and gid */
    gid_t gid;
    gboolean no_sync; /* $SRIOVFO_PG_NOSYNC=1: no fsync (throw-away test clusters) */
    int lock_fd;
} sfo_embedded;

static void
sfo_embedded_clear(sfo_embedded *e)
{
    if (e->lock_fd >= 0)
        close(e->lock_fd); /* releases the flock */
    g_free(e->data_dir);
    g_free(e->pgdata);
    g_free(e->log);
    g_free(e->bindir);
    g_free(e->run_as);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sfo_embedded, sfo_embedded_clear)

static int
sfo_embedded_init(sfo_embedded *e, const char *data_dir)
{
    memset(e, 0, sizeof(*e));
    e->lock_fd = -1;
    if (data_dir)
        e->data_dir = g_canonicalize_filename(data_dir, NULL);
    else if (sfo_store_embedded_data_dir(&e->data_dir) < 0)
        return SFO_EINVALID;
    e->pgdata = g_build_filename(e->data_dir, "pgdata", NULL);
    e->log = g_build_filename(e->data_dir, "postgresql.log", NULL);
    e->no_sync = g_strcmp0(g_getenv("SRIOVFO_PG_NOSYNC"), "1") == 0;

    if (geteuid() == 0) {
        const char *user = g_getenv("SRIOVFO_PG_USER");
        struct passwd *pw;

        e->run_as = g_strdup(user && *user ? user : "postgres");
        pw = getpwnam(e->run_as);
        if (!pw) {
            sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                             "running as root, the embedded store runs PostgreSQL as user '%s', "
                             "which does not exist (set SRIOVFO_PG_USER)",
                             e->run_as);
            return SFO_EDATABASE;
        }
        e->uid = pw->pw_uid;
        e->gid = pw->pw_gid;
    }
    return sfo_store_server_bindir(&e->bindir);
}

/*
 * Runs bindir/@program with @args (NULL-terminated), as the server's user
 * when we are root. Returns 0 and its exit status, or reports why it could
 * not run. @ret_output gets its first line of output (for messages).
 */
static int
sfo_embedded_run(sfo_embedded *e, const char *program, const char *const *args, int *ret_status,
                 char **ret_output)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *path = g_build_filename(e->bindir, program, NULL);
    g_autofree char *out = NULL;
    g_autofree char *err_out = NULL;
    g_autoptr(GError) err = NULL;
    int status = 0;
    size_t i;

    if (e->run_as) {
        g_ptr_array_add(argv, (gpointer) "runuser");
        g_ptr_array_add(argv, (gpointer) "-u");
        g_ptr_array_add(argv, e->run_as);
        g_ptr_array_add(argv, (gpointer) "--");
    }
    g_ptr_array_add(argv, path);
    for (i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);

    /* run in DATA_DIR: the server's user may not enter our working directory */
    if (!g_spawn_sync(e->data_dir, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      &out, &err_out, &status, &err)) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED, "cannot run %s: %s",
                         (const char *)argv->pdata[0], err->message);
        return SFO_EDATABASE;
    }
    if (ret_output) {
        const char *text = err_out && *g_strstrip(err_out) ? err_out : g_strstrip(out);
        g_auto(GStrv) lines = g_strsplit(text, "\n", 2);

        *ret_output = g_strdup(lines[0] ? lines[0] : "");
    }
    *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

static int
sfo_embedded_failed(sfo_embedded *e, const char *what, int status, const char *output)
{
    sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                     "%s for the embedded store in %s failed (exit status %d): %s; see %s", what,
                     e->data_dir, status, output && *output ? output : "no output", e->log);
    return SFO_EDATABASE;
}

/*
 * As root: the server's user must be able to enter every directory above
 * DATA_DIR (a 0700 parent owned by root stops it, with a less clear message
 * from initdb).
 */
static int
sfo_embedded_check_parents(sfo_embedded *e)
{
    g_autofree char *dir = g_path_get_dirname(e->data_dir);

    while (e->run_as) {
        g_autofree char *parent = NULL;
        struct stat st;

        if (g_stat(dir, &st) == 0 && !(st.st_mode & S_IXOTH) &&
            !(st.st_uid == e->uid && (st.st_mode & S_IXUSR)) &&
            !(st.st_gid == e->gid && (st.st_mode & S_IXGRP))) {
            sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                             "user %s, which runs the embedded store's server, cannot enter %s "
                             "(mode %04o); choose a data directory it can reach",
                             e->run_as, dir, (unsigned int)(st.st_mode & 07777));
            return SFO_EDATABASE;
        }
        parent = g_path_get_dirname(dir);
        if (g_str_equal(parent, dir))
            break;
        g_free(dir);
        dir = g_steal_pointer(&parent);
    }
    return 0;
}

/* Creates DATA_DIR (0700, owned by the server's user) and takes its lock */
static int
sfo_embedded_lock(sfo_embedded *e)
{
    g_autofree char *lock = g_build_filename(e->data_dir, "lock", NULL);
    struct stat st;

    if (strlen(e->data_dir) + sizeof("/" SFO_EMBEDDED_SOCKET) >
        sizeof(((struct sockaddr_un *)0)->sun_path)) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                         "the data directory %s is too long to hold a Unix socket; choose a "
                         "shorter SRIOVFO_DATA_DIR",
                         e->data_dir);
        return SFO_EDATABASE;
    }
    /* it is written into postgresql.conf between quotes */
    if (strpbrk(e->data_dir, "'\\\n\r")) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                         "the data directory %s holds a quote, backslash or line break; choose "
                         "another SRIOVFO_DATA_DIR",
                         e->data_dir);
        return SFO_EDATABASE;
    }
    if (g_mkdir_with_parents(e->data_dir, 0700) < 0 || g_stat(e->data_dir, &st) < 0) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED, "cannot create %s: %s",
                         e->data_dir, g_strerror(errno));
        return SFO_EDATABASE;
    }
    if (sfo_embedded_check_parents(e) < 0)
        return SFO_EDATABASE;
    if (e->run_as && (st.st_uid != e->uid || (st.st_mode & 0777) != 0700) &&
        (chown(e->data_dir, e->uid, e->gid) < 0 || chmod(e->data_dir, 0700) < 0)) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED, "cannot give %s to user %s: %s",
                         e->data_dir, e->run_as, g_strerror(errno));
        return SFO_EDATABASE;
    }
    e->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (e->lock_fd < 0 || flock(e->lock_fd, LOCK_EX) < 0) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED, "cannot lock %s: %s", lock,
                         g_strerror(errno));
        return SFO_EDATABASE;
    }
    return 0;
}

static int
sfo_embedded_initdb(sfo_embedded *e)
{
    g_autofree char *version = g_build_filename(e->pgdata, "PG_VERSION", NULL);
    g_autofree char *conf = g_build_filename(e->pgdata, "postgresql.conf", NULL);
    g_autofree char *output = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    FILE *f;
    const char *args[] = { "-D",
                           e->pgdata,
                           "-U",
                           SFO_EMBEDDED_SUPERUSER,
                           "--auth=trust",
                           "--encoding=UTF8",
                           "--no-locale",
                           e->no_sync ? "--no-sync" : NULL,
                           NULL };
    int status;

    if (g_file_test(version, G_FILE_TEST_EXISTS))
        return 0;
    if (g_file_test(e->pgdata, G_FILE_TEST_EXISTS)) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                         "%s exists but holds no PostgreSQL cluster (an interrupted initdb?); "
                         "remove it to start afresh",
                         e->pgdata);
        return SFO_EDATABASE;
    }
    if (sfo_embedded_run(e, "initdb", args, &status, &output) < 0)
        return SFO_EDATABASE;
    if (status != 0)
        return sfo_embedded_failed(e, "initdb", status, output);

    g_string_append_printf(text,
                           "\n# sriov-failover: a private cluster, reached only through a Unix "
                           "socket in %s\nlisten_addresses = ''\nunix_socket_directories = '%s'\n"
                           "unix_socket_permissions = 0700\nport = " SFO_EMBEDDED_PORT "\n",
                           e->data_dir, e->data_dir);
    if (e->no_sync)
        g_string_append(text, "# SRIOVFO_PG_NOSYNC=1: a throw-away cluster\nfsync = off\n"
                              "synchronous_commit = off\nfull_page_writes = off\n");
    else
        /* the first change of a page after a checkpoint writes the whole page into the WAL:
         * compressed, a NIC added to a large store flushes half the bytes (docs/store.md) */
        g_string_append(text, "wal_compression = lz4\n");
    /* appended in place, so the file keeps its owner (the server's user) */
    f = g_fopen(conf, "a");
    if (!f || fputs(text->str, f) < 0 || fclose(f) != 0) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED, "cannot append to %s: %s", conf,
                         g_strerror(errno));
        return SFO_EDATABASE;
    }
    return 0;
}

/* pg_ctl status: TRUE when a server runs on the cluster */
static int
sfo_embedded_running(sfo_embedded *e, gboolean *ret_running)
{
    const char *args[] = { "status", "-D", e->pgdata, NULL };
    g_autofree char *output = NULL;
    int status;

    if (sfo_embedded_run(e, "pg_ctl", args, &status, &output) < 0)
        return SFO_EDATABASE;
    /* 0: running; 3: not running (also after a crash left a stale pid file) */
    if (status != 0 && status != 3)
        return sfo_embedded_failed(e, "pg_ctl status", status, output);
    *ret_running = status == 0;
    return 0;
}

static PGPing
sfo_embedded_ping(sfo_embedded *e, const char *dbname)
{
    g_autofree const char **keywords = NULL;
    g_autofree const char **values = NULL;

    sfo_store_embedded_conninfo(e->data_dir, dbname, &keywords, &values);
    return PQpingParams(keywords, values, 0);
}

static int
sfo_embedded_pg_ctl_start(sfo_embedded *e)
{
    const char *args[] = { "start", "-D", e->pgdata, "-l", e->log, "-w", "-t", "120", "-s", NULL };
    g_autofree char *output = NULL;
    int attempt;
    int status = 0;

    /*
     * Right after a crash the old server's processes may still hold its shared
     * memory for a moment: try again before giving up.
     */
    for (attempt = 0; attempt < 5; attempt++) {
        g_clear_pointer(&output, g_free);
        if (sfo_embedded_run(e, "pg_ctl", args, &status, &output) < 0)
            return SFO_EDATABASE;
        if (status == 0)
            return 0;
        g_usleep(G_USEC_PER_SEC);
    }
    return sfo_embedded_failed(e, "pg_ctl start", status, output);
}

/* The database "sriovfo" exists (created on first start) */
static int
sfo_embedded_create_database(sfo_embedded *e)
{
    g_autofree const char **keywords = NULL;
    g_autofree const char **values = NULL;
    g_autoptr(PGconn) conn = NULL;
    g_autoptr(PGresult) res = NULL;
    const char *params[] = { "sriovfo" };
    g_autofree char *msg = NULL;

    sfo_store_embedded_conninfo(e->data_dir, "postgres", &keywords, &values);
    conn = PQconnectdbParams(keywords, values, 0);
    if (PQstatus(conn) == CONNECTION_OK) {
        const sfo_store_stmt *exists = &sfo_store_stmts[SFO_STMT_DATABASE_EXISTS];
        const sfo_store_stmt *create = &sfo_store_stmts[SFO_STMT_DATABASE_CREATE];

        res = PQexecParams(conn, exists->sql, exists->nparams, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
            return 0;
        g_clear_pointer(&res, PQclear);
        res = PQexecParams(conn, create->sql, create->nparams, NULL, NULL, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_COMMAND_OK)
            return 0;
    }
    msg = g_strdup(PQerrorMessage(conn));
    g_strdelimit(msg, "\r\n\t", ' ');
    sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                     "cannot create the database of the embedded store in %s: %s", e->data_dir,
                     g_strstrip(msg));
    return SFO_EDATABASE;
}

/* How long start-up waits for a server to answer, and for a dead one's processes to go */
#define SFO_EMBEDDED_ANSWER_SECONDS 60
#define SFO_EMBEDDED_DETACH_SECONDS 10

/*
 * The postmaster's pid and its shared memory segment's id, from the pid
 * file (line 1 and the second number of line 7); 0 for what it lacks.
 * FALSE when there is no readable pid file.
 */
static gboolean
sfo_embedded_pid_file(sfo_embedded *e, pid_t *ret_pid, int *ret_shmid)
{
    g_autofree char *path = g_build_filename(e->pgdata, "postmaster.pid", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    gsize len = 0;

    *ret_pid = 0;
    *ret_shmid = 0;
    if (!g_file_get_contents(path, &text, &len, NULL) || memchr(text, '\0', len))
        return FALSE;
    lines = g_strsplit(text, "\n", 8);
    *ret_pid = (pid_t)g_ascii_strtoll(lines[0], NULL, 10);
    if (g_strv_length(lines) > 6) {
        g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[6]), " \t", -1);
        guint n = g_strv_length(words);

        if (n > 1)
            *ret_shmid = (int)g_ascii_strtoll(words[n - 1], NULL, 10);
    }
    return *ret_pid > 0;
}

/* TRUE when process @pid is gone or a zombie: a postmaster that died */
static gboolean
sfo_embedded_process_dead(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    gsize len = 0;
    const char *paren;

    if (!g_file_get_contents(path, &stat, &len, NULL))
        return kill(pid, 0) < 0 && errno == ESRCH;
    /* "pid (comm) S ...": the state follows the last ')', comm may hold anything */
    paren = g_strrstr_len(stat, (gssize)len, ")");
    return paren && paren + 2 < stat + len && (paren[2] == 'Z' || paren[2] == 'X');
}

/* The number of processes attached to segment @shmid (0 when it is gone) */
static unsigned long
sfo_embedded_shm_attached(int shmid)
{
    struct shmid_ds ds;

    if (shmid <= 0 || shmctl(shmid, IPC_STAT, &ds) < 0)
        return 0;
    return (unsigned long)ds.shm_nattch;
}

/*
 * pg_ctl said a server runs: when the pid file names a postmaster that died
 * and nothing holds its shared memory any more, removes its lock files and
 * sets *@ret_running FALSE. Waits a little for the dead server's processes
 * to notice and leave; fails, saying so, when they do not.
 */
static int
sfo_embedded_clear_dead(sfo_embedded *e, gboolean *ret_running)
{
    g_autofree char *pid_file = g_build_filename(e->pgdata, "postmaster.pid", NULL);
    g_autofree char *socket_lock = g_build_filename(e->data_dir, SFO_EMBEDDED_SOCKET ".lock", NULL);
    gint64 deadline = g_get_monotonic_time() + SFO_EMBEDDED_DETACH_SECONDS * G_USEC_PER_SEC;
    unsigned long attached;
    pid_t pid;
    pid_t lock_pid;
    int shmid;

    if (!sfo_embedded_pid_file(e, &pid, &shmid) || !sfo_embedded_process_dead(pid))
        return 0;
    while ((attached = sfo_embedded_shm_attached(shmid)) > 0 && g_get_monotonic_time() < deadline)
        g_usleep(50 * 1000);
    if (attached > 0) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                         "the embedded store's server in %s (pid %d) died, and %lu of its "
                         "processes still hold its shared memory (segment %d) after %d s; stop "
                         "them, then try again",
                         e->data_dir, (int)pid, attached, shmid, SFO_EMBEDDED_DETACH_SECONDS);
        return SFO_EDATABASE;
    }
    /* the socket's lock file names the same postmaster: PostgreSQL refuses it as well */
    {
        g_autofree char *text = NULL;

        if (g_file_get_contents(socket_lock, &text, NULL, NULL) &&
            (lock_pid = (pid_t)g_ascii_strtoll(text, NULL, 10)) == pid)
            g_unlink(socket_lock);
    }
    if (g_unlink(pid_file) < 0 && errno != ENOENT) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                         "the embedded store's server in %s (pid %d) died, and its pid file %s "
                         "cannot be removed: %s",
                         e->data_dir, (int)pid, pid_file, g_strerror(errno));
        return SFO_EDATABASE;
    }
    *ret_running = FALSE;
    return 0;
}

/*
 * Waits until the server answers (it may still be starting: rejecting
 * connections, or not listening yet). Gives up when its postmaster died or
 * after SFO_EMBEDDED_ANSWER_SECONDS, saying which.
 */
static int
sfo_embedded_wait_answer(sfo_embedded *e)
{
    gint64 deadline = g_get_monotonic_time() + SFO_EMBEDDED_ANSWER_SECONDS * G_USEC_PER_SEC;
    PGPing ping;
    pid_t pid = 0;
    int shmid;

    for (;;) {
        if ((ping = sfo_embedded_ping(e, "postgres")) == PQPING_OK)
            return 0;
        if (ping == PQPING_NO_ATTEMPT)
            break;
        if (sfo_embedded_pid_file(e, &pid, &shmid) && sfo_embedded_process_dead(pid)) {
            sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                             "the embedded store's server in %s (pid %d) died while starting; "
                             "see %s",
                             e->data_dir, (int)pid, e->log);
            return SFO_EDATABASE;
        }
        if (g_get_monotonic_time() >= deadline)
            break;
        g_usleep(100 * 1000);
    }
    sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CLUSTER_FAILED,
                     "the embedded store's server in %s (pid %d) does not answer (%s) after %d "
                     "s; see %s",
                     e->data_dir, (int)pid,
                     ping == PQPING_REJECT       ? "it rejects connections"
                     : ping == PQPING_NO_ATTEMPT ? "bad connection parameters"
                                                 : "no response",
                     SFO_EMBEDDED_ANSWER_SECONDS, e->log);
    return SFO_EDATABASE;
}

int
sfo_store_embedded_start(const char *data_dir)
{
    g_auto(sfo_embedded) e = { .lock_fd = -1 };
    gboolean running = FALSE;

    if (sfo_embedded_init(&e, data_dir) < 0 || sfo_embedded_lock(&e) < 0 ||
        sfo_embedded_initdb(&e) < 0 || sfo_embedded_running(&e, &running) < 0)
        return SFO_EDATABASE;
    /* "running" may be a killed postmaster that nobody has reaped yet */
    if (running && sfo_embedded_clear_dead(&e, &running) < 0)
        return SFO_EDATABASE;
    if (!running && sfo_embedded_pg_ctl_start(&e) < 0)
        return SFO_EDATABASE;
    /* running already: it may still be starting up (another process started it) */
    if (sfo_embedded_wait_answer(&e) < 0)
        return SFO_EDATABASE;
    return sfo_embedded_create_database(&e);
}

int
sfo_store_embedded_stop(const char *data_dir, unsigned int flags)
{
    g_auto(sfo_embedded) e = { .lock_fd = -1 };
    g_autofree char *version = NULL;
    g_autofree char *output = NULL;
    const char *args[] = { "stop", "-D", NULL, "-m", "fast", "-w", "-t", "120", "-s", NULL };
    gboolean running = FALSE;
    int status;

    sfo_check_flags(flags, 0);

    if (sfo_embedded_init(&e, data_dir) < 0)
        return SFO_EDATABASE;
    version = g_build_filename(e.pgdata, "PG_VERSION", NULL);
    if (!g_file_test(version, G_FILE_TEST_EXISTS))
        return 0;
    if (sfo_embedded_lock(&e) < 0 || sfo_embedded_running(&e, &running) < 0)
        return SFO_EDATABASE;
    if (!running)
        return 0;
    args[2] = e.pgdata;
    if (sfo_embedded_run(&e, "pg_ctl", args, &status, &output) < 0)
        return SFO_EDATABASE;
    if (status != 0)
        return sfo_embedded_failed(&e, "pg_ctl stop", status, output);
    return 1;
}
