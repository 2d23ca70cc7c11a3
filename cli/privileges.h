/* SPDX-License-Identifier: GPL-2.0-or-later */
// What guard needs to run, and how little it keeps once it runs.
//
// To load and attach (docs/security.md): CAP_BPF (maps, programs, BTF),
// CAP_PERFMON (tracing programs, perf_event_open on tracepoints) and, unless
// it runs as root, CAP_DAC_READ_SEARCH (tracefs is root's, mode 0700);
// CAP_SYS_PTRACE to read other users' /proc/PID/exe when the process table
// is seeded (without it those processes have no exe: not checked here);
// CAP_SYS_ADMIN too where tracefs must be mounted first. Root has them all.
//
// Once attached, the running agent reads the rings (mapped), epoll_waits,
// reads its BPF drop-count maps through fds it holds, writes and reopens its
// output, and reloads its rules: none of that needs a capability but
// CAP_DAC_READ_SEARCH, which it keeps so that a reload reads and resolves
// what the first load could (a rules file, or a file a rule names, under a
// directory its uid cannot search). Everything else goes: effective,
// permitted, inheritable and ambient sets, and the bounding set, so no exec
// could bring a capability back; and no_new_privs.
#pragma once

#include <string>

namespace guard {

// "" when this process may load and attach guard's programs; else what it
// lacks and what guard needs, ready to print.
std::string missing_privileges();

// Keeps CAP_DAC_READ_SEARCH (when held) and drops every other capability;
// sets no_new_privs. Throws guard::Error.
void drop_privileges();

// For the detach helper, which needs none at all.
void drop_all_privileges();

} // namespace guard
