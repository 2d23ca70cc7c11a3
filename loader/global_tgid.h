// SPDX-License-Identifier: GPL-2.0-or-later
// The agent's own process id as BPF programs see it.
//
// bpf_get_current_pid_tgid() reports a task's ids in the initial pid
// namespace, the host's numbering, wherever the task runs. getpid() answers in
// the caller's own pid namespace: inside a container or under `unshare -p`,
// the agent may be pid 1 there, and comparing the kernel's numbers with that
// would hide whichever host process has the number 1. So the agent asks the
// kernel: a tiny program run once, in the agent's own context, returns the
// agent's global tgid (loader/global_tgid.cpp).
#pragma once

#include <cstdint>

#include "base/error.h"

namespace guard {

// The kernel would not load or run the program; what() names the step
// ("learn the agent's global tgid: load program global_tgid: BPF_PROG_LOAD: ...").
class GlobalTgidError : public Error {
public:
	using Error::Error;
};

// The calling process's tgid in the initial pid namespace. Needs what
// loading any BPF program needs (CAP_BPF or root). Throws GlobalTgidError.
uint32_t read_global_tgid();

} // namespace guard
