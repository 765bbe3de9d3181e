/*
 * fuzz-main.c: replays fuzz inputs through a fuzz target, without libFuzzer
 *
 *   fuzz-X-replay [FILE|DIRECTORY...]
 *
 * Calls LLVMFuzzerTestOneInput() once for every FILE and every file in a
 * DIRECTORY (in name order) and prints TAP, one line per input. Without
 * arguments it replays the committed corpus,
 * $abs_top_srcdir/fuzz/corpus/SFO_FUZZ_CORPUS. An input that crashes
 * kills the run before its "ok" line, so the TAP plan is not met and the
 * test fails; run the one file under a debugger or valgrind to see why.
 *
 * Built with SFO_LIBFUZZER (configure --enable-fuzzing, clang), main() hands
 * its arguments to libFuzzer's LLVMFuzzerRunDriver() instead: the program is
 * then a libFuzzer fuzzer of the same target, with libFuzzer's options.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz.h"

#ifndef SFO_FUZZ_CORPUS
#error "define SFO_FUZZ_CORPUS, the name of the corpus under fuzz/corpus/"
#endif

#ifdef SFO_LIBFUZZER
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t));

int
main(int argc, char **argv)
{
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
#else

static gint
sfo_fuzz_compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds @path, or the files of directory @path in name order, to @files. */
static int
sfo_fuzz_collect(const char *path, GPtrArray *files)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) names = NULL;
    GDir *dir;
    const char *name;
    guint i;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(files, g_strdup(path));
        return 0;
    }
    if (!(dir = g_dir_open(path, 0, &err))) {
        fprintf(stderr, "cannot open %s: %s\n", path, err->message);
        return -1;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_dir_close(dir);
    g_ptr_array_sort(names, sfo_fuzz_compare_names);
    for (i = 0; i < names->len; i++)
        g_ptr_array_add(files, g_build_filename(path, g_ptr_array_index(names, i), NULL));
    return 0;
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *corpus = NULL;
    const char *srcdir;
    guint failed = 0;
    guint i;
    int a;

    if (argc < 2) {
        srcdir = g_getenv("abs_top_srcdir");
        if (!srcdir || !*srcdir)
            srcdir = SFO_ABS_TOP_SRCDIR;
        corpus = g_build_filename(srcdir, "fuzz", "corpus", SFO_FUZZ_CORPUS, NULL);
        if (sfo_fuzz_collect(corpus, files) < 0)
            return 99;
    }
    for (a = 1; a < argc; a++) {
        if (sfo_fuzz_collect(argv[a], files) < 0)
            return 99;
    }
    if (files->len == 0) {
        printf("1..0 # SKIP no inputs\n");
        return 0;
    }

    printf("1..%u\n", files->len);
    fflush(stdout);
    for (i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autoptr(GError) err = NULL;
        g_autofree char *data = NULL;
        gsize size = 0;

        if (!g_file_get_contents(file, &data, &size, &err)) {
            printf("not ok %u - %s # %s\n", i + 1, file, err->message);
            failed++;
            continue;
        }
        /* announce the input first: if it crashes, the log names it */
        fprintf(stderr, "# %s\n", file);
        LLVMFuzzerTestOneInput((const uint8_t *)data, size);
        printf("ok %u - %s\n", i + 1, file);
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
#endif /* SFO_LIBFUZZER */
