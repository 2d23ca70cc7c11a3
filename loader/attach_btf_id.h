/* SPDX-License-Identifier: GPL-2.0-or-later */
// The attach_btf_id that BPF_PROG_LOAD needs for BTF-typed programs: the
// verifier checks the program's context against the target's prototype.
#pragma once

#include <cstdint>

#include "loader/btf.h"
#include "loader/object_spec.h"

namespace guard {

// tp_btf/<tp>: the typedef btf_trace_<tp> the kernel declares for each
// raw tracepoint; fentry/fexit/<f>: the FUNC f; lsm/<hook>: the FUNC
// bpf_lsm_<hook>. Throws NotSupportedByKernel when vmlinux has none.
uint32_t find_attach_btf_id(const Btf &vmlinux, const ProgramSpec &prog);

} // namespace guard
