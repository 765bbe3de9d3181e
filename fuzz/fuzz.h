/*
 * fuzz.h: the libFuzzer entry point every fuzz target defines
 *
 * Built with clang -fsanitize=fuzzer, libFuzzer supplies main(); in make
 * check fuzz-main.c supplies one that replays the committed corpus.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SFO_FUZZ_H
#define SFO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* SFO_FUZZ_H */
