/*
 * sriovfo_virt.i: the libsriovfo-virt C API as SWIG sees it, for any target language
 *
 * Mirrors <sriovfo/sriovfo-virt.h> as sriovfo.i mirrors <sriovfo/sriovfo.h>,
 * whose types (sfo_plan, sfo_journal, ...) and conventions it %imports: they
 * belong to libsriovfo's module, which is loaded first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

%{
#include <sriovfo/sriovfo-virt.h>
%}

%import "sriovfo.i"

SFO_OPAQUE(sfo_exec, sfo_exec_free)
SFO_OPAQUE(sfo_exec_result, sfo_exec_result_free)

/*
 * sfo_exec_use_journal() takes the journal over in every case (it frees it on
 * an error too): the Python object lets go of it before the call.
 */
%apply SWIGTYPE *DISOWN { sfo_journal *journal };

%include <sriovfo/sriovfo-virt.h>
