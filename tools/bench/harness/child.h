/* SPDX-License-Identifier: GPL-2.0-or-later */
// Processes the harness starts and watches: pinned to a CPU (what taskset
// does, through sched_setaffinity), with their output on pipes, and what the
// kernel says about them in /proc (CPU time, memory, the BPF objects they hold).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/fd.h"

namespace bench {

// A CPU number, or kAnyCpu to leave the scheduler free.
constexpr int kAnyCpu = -1;

struct Spawned {
	pid_t pid = -1;
	guard::Fd out; // the child's stdout, when asked for (else it inherits ours)
	guard::Fd err; // the child's stderr, when asked for
};

// fork + sched_setaffinity(cpu) + execv(argv[0], argv), with stdout and
// stderr on pipes when asked for. Throws guard::Error when fork fails; an
// exec failure shows as exit status 127.
Spawned spawn(const std::vector<std::string> &argv, int cpu, bool pipe_stdout, bool pipe_stderr);

// Pins the calling process (the harness itself) to cpu.
void pin_self(int cpu);

// Reads fd until text contains `needle` followed by a newline; returns that
// line, or throws guard::Error (with what was read) on EOF or timeout.
std::string read_line_containing(int fd, std::string &text, std::string_view needle,
				 std::chrono::milliseconds timeout);

// Everything readable on fd now, without blocking (fd must be O_NONBLOCK).
void read_available(int fd, std::string &text);

// waitpid; returns the exit status, throws when it did not exit with 0.
int wait_success(pid_t pid, std::string_view what);

// CPU time the process has used, user + system, in ns: the first field of
// /proc/<pid>/schedstat (the same total /proc/<pid>/stat gives as utime +
// stime, but in ns instead of 10 ms ticks). One thread: guard's agent is one.
uint64_t cpu_ns(pid_t pid);

// All three fields of /proc/<pid>/schedstat: CPU time, time spent runnable
// but waiting for a CPU, and how many times it was given one (each wakeup
// that let it run counts).
struct SchedStat {
	uint64_t cpu_ns = 0, wait_ns = 0, runs = 0;
};
SchedStat sched_stat(pid_t pid);

// utime + stime from /proc/<pid>/stat, in ns (10 ms resolution).
uint64_t stat_cpu_ns(pid_t pid);

// VmRSS from /proc/<pid>/status, in bytes.
uint64_t rss_bytes(pid_t pid);

// VmRSS's parts from /proc/<pid>/status: RssAnon (heap, stacks), RssFile
// (the binary and libraries, and mapped BPF maps); and from
// /proc/<pid>/smaps, the resident part of mappings of BPF maps (the rings:
// their data pages are mapped twice in a row, so VmRSS counts them twice).
struct RssParts {
	uint64_t anon = 0, file = 0, shmem = 0;
	uint64_t bpf_maps = 0;
};
RssParts rss_parts(pid_t pid);

// What /proc/<pid>/fdinfo says of the BPF objects the process holds.
struct HeldBpf {
	std::vector<uint32_t> prog_ids;
	uint64_t ringbuf_bytes = 0; // max_entries of the BPF_MAP_TYPE_RINGBUF maps
};
HeldBpf held_bpf(pid_t pid);

uint64_t boottime_ns();
uint64_t monotonic_ns();
void sleep_ms(int ms);

} // namespace bench
