/* SPDX-License-Identifier: GPL-2.0-or-later */
// The system calls the running agent may still make: an allow-list, as a
// classic BPF filter written out by hand (seccomp.cpp's table says why each
// call is there; add a call there and nothing else). Installed once
// everything is attached, after the capabilities are dropped and
// no_new_privs is set; for every thread (SECCOMP_FILTER_FLAG_TSYNC). A call
// not on the list fails with EPERM: an agent whose parser was taken over
// cannot exec, fork, connect, ptrace, load BPF or mount. clone3 fails with
// ENOSYS, so glibc makes threads with clone, whose flags the filter can see:
// threads only (CLONE_THREAD), no new process.
#pragma once

#include <linux/filter.h>

#include <vector>

namespace guard {

// The filter for this architecture; with forwarding, the calls of --syslog
// and --journald's forwarders too (socket, connect, ...).
std::vector<struct sock_filter> seccomp_allow_list_filter(bool forwarding = false);

// Installs it. Throws guard::Error.
void install_seccomp_filter(bool forwarding = false);

} // namespace guard
