/* SPDX-License-Identifier: GPL-2.0-or-later */
// Attaching without a perf event: a raw tracepoint by name, and the
// BTF-typed kinds (tp_btf, fentry, fexit, lsm) at the target the program
// was verified for (its attach_btf_id). BPF_RAW_TRACEPOINT_OPEN returns a
// link fd for all of them (since 5.5 for the BTF-typed ones, given no name).
#pragma once

#include <string_view>

#include "loader/link.h"

namespace guard {

// raw_tp/<name>: the raw tracepoint <name> (no "sys_enter" group prefix).
Link attach_raw_tracepoint(int prog_fd, std::string_view name);

// tp_btf, fentry, fexit, lsm: where the program's attach_btf_id points.
Link attach_btf_target(int prog_fd, std::string_view target);

} // namespace guard
