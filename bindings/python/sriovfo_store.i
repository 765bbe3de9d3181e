/*
 * sriovfo_store.i: the libsriovfo-store C API as SWIG sees it, for any target language
 *
 * Mirrors <sriovfo/sriovfo-store.h> as sriovfo.i mirrors <sriovfo/sriovfo.h>,
 * whose types (sfo_inventory, sfo_violations, sfo_journal, ...) and
 * conventions it %imports: they belong to libsriovfo's module, which is
 * loaded first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

%{
#include <sriovfo/sriovfo-store.h>
%}

%import "sriovfo.i"

SFO_OPAQUE(sfo_store, sfo_store_close)


%include <sriovfo/sriovfo-store.h>
