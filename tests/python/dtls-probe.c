/*
 * dtls-probe.c: a module with one small thread-local variable, for test_sanitizer_env.py
 *
 * Loaded with dlopen (ctypes), its thread-local storage is dynamic: glibc allocates the block
 * with malloc on a thread's first access. Under AddressSanitizer an 8-byte block sits right
 * after the runtime's 16-byte chunk header, at a page offset of 0x10: the address that GCC 12's
 * runtime, when it intercepts __tls_get_addr, takes for a glibc 2.19 block header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdint.h>

uintptr_t sfo_dtls_probe_touch(void);

static __thread uint64_t probe_value;

/* sfo_dtls_probe_touch: writes this thread's copy and returns its address */
uintptr_t
sfo_dtls_probe_touch(void)
{
    probe_value++;
    return (uintptr_t)&probe_value;
}
