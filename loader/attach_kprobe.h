/* SPDX-License-Identifier: GPL-2.0-or-later */
// Attaching a program to a kernel function's entry (kprobe) or return
// (kretprobe) through the kprobe PMU: perf_event_open with attr.type read
// from /sys/bus/event_source/devices/kprobe/type, the function's name in
// config1 and the offset in config2; no tracefs kprobe_events text.
#pragma once

#include <string>
#include <string_view>

#include "loader/link.h"

namespace guard {

// target: "function" or "function+offset". Throws NotSupportedByKernel
// when the kernel has no kprobe PMU.
Link attach_kprobe(int prog_fd, std::string_view target, bool retprobe);

// The kernel function behind a system call: its arch's wrapper
// ("__x64_sys_openat" on x86_64, "__arm64_sys_openat" on arm64) when
// /proc/kallsyms has it, else "sys_openat" (kernels without wrappers).
// libbpf's ksyscall does the same so one section works on every arch.
std::string syscall_function(std::string_view syscall);
// Whether this kernel enters syscalls through the arch's wrappers (its
// bpf(2) is one: "__x64_sys_bpf" in /proc/kallsyms), as libbpf's
// LINUX_HAS_SYSCALL_WRAPPER says.
bool has_syscall_wrapper();

} // namespace guard
