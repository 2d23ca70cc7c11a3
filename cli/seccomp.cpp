// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/seccomp.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "base/error.h"

namespace guard {

namespace {

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "guard's seccomp filter knows x86_64 and aarch64"
#endif

struct AllowedSyscall {
	long nr;
	const char *why;
};

// What the running agent does, and the calls it takes. Calls a libc
// function makes on one architecture but not the other (open or openat,
// rename or renameat) are listed under #ifdef.
constexpr AllowedSyscall kAllowed[] = {
	// The loop: wait for the rings or a signal, read signals, write output.
	{SYS_epoll_pwait, "the loop waits on the rings and the signalfd"},
	{SYS_epoll_ctl, "the loop's epoll set"},
	{SYS_ppoll, "the loop waiting for stdout's reader (engine/output_pace.h), a forwarder for its socket"},
	{SYS_read, "the signalfd, the reload's eventfd, rules files, /proc/self/statm"},
	{SYS_write, "output batches, stderr, the reload's eventfd"},
	{SYS_sendto, "output batches to a socket (stdout under systemd)"},
	{SYS_close, "files, detaching links at exit"},
	{SYS_exit_group, "exit"},
	{SYS_exit, "a thread's end"},
	{SYS_rt_sigreturn, "signal handlers of the sanitizers and libc"},
	{SYS_rt_sigprocmask, "threads start with signals blocked"},
	{SYS_getpid, "libc, abort"},
	{SYS_geteuid, "whose the output and rules files must be"},
	{SYS_gettid, "libc, abort"},
	{SYS_tgkill, "abort"},
	{SYS_clock_gettime, "time where the vDSO cannot"},
	{SYS_futex, "the reload thread's lock and wakeups"},
	// Memory: allocation outside the hot path (reload, health, set-up).
	{SYS_brk, "malloc"},
	{SYS_mmap, "malloc, thread stacks"},
	{SYS_munmap, "free, thread stacks"},
	{SYS_mremap, "realloc"},
	{SYS_mprotect, "thread stacks' guard pages"},
	{SYS_madvise, "free, thread stacks"},
	// Threads: the reload thread, detaching in parallel at exit.
	{SYS_clone, "threads (CLONE_THREAD only: checked below)"},
	{SYS_set_robust_list, "a new thread"},
	{SYS_rseq, "a new thread"},
	// Files: the output (reopen, rotate, recreate), the rules file on reload.
	{SYS_openat, "the output, the rules file, /proc/self/statm, executables hashed (engine/exe_hasher.h)"},
	{SYS_fstat, "the output and rules files"},
	{SYS_newfstatat, "the rules file's directories, the identity of files rules name (refreshed)"},
	{SYS_statfs, "the file system of files rules name (the prefilter trusts no btrfs or overlayfs identity)"},
	{SYS_lseek, "the output after a torn write is cut"},
	{SYS_ftruncate, "cutting a torn line off the output"},
	{SYS_fallocate, "a regular output's blocks, taken before a batch goes to it (engine/file_space.h)"},
	{SYS_fchmod, "the output's mode 0600"},
	{SYS_readlinkat, "the rules file's resolved path, a new cgroup's path (/proc/self/fd)"},
	{SYS_open_by_handle_at, "a new cgroup's directory, by its id (engine/cgroup_cache.h)"},
	{SYS_getdents64, "a --sigma directory read again on reload"},
	{SYS_fcntl, "std::filesystem's directory walk (F_GETFL) on reload; sealing a journal entry's memfd"},
	{SYS_renameat, "output rotation"},
	{SYS_renameat2, "output rotation"},
	{SYS_unlinkat, "output rotation with no file kept"},
	{SYS_mkdirat, "a deleted output directory made again"},
	{SYS_getrusage, "the health record's CPU time"},
	{SYS_bpf, "the rings' drop counts, the kill rules' and the prefilter's tables on reload (map lookup, update, delete on fds guard holds)"},
#if defined(__SANITIZE_ADDRESS__)
	// The sanitizer runtimes' own calls (make SAN=1): UBSan reads memory it
	// is unsure of through a pipe; LeakSanitizer stops the world at exit
	// with a process that ptraces each thread; reports go to stderr.
	{SYS_pipe2, "sanitizers: is this memory readable?"},
	{SYS_ioctl, "sanitizers: is stderr a terminal?"},
	{SYS_prctl, "sanitizers"},
	{SYS_wait4, "LeakSanitizer"},
	{SYS_ptrace, "LeakSanitizer"},
	{SYS_sched_getaffinity, "sanitizers"},
	{SYS_sched_yield, "sanitizers"},
	{SYS_sigaltstack, "sanitizers"},
	{SYS_rt_sigaction, "sanitizers"},
	{SYS_getppid, "sanitizers"},
	{SYS_prlimit64, "sanitizers"},
	{SYS_kill, "sanitizers"},
#ifdef SYS_open
	{SYS_open, "sanitizers: /proc/self/maps"},
	{SYS_pipe, "sanitizers"},
	{SYS_getdents, "LeakSanitizer: /proc/self/task"},
	{SYS_stat, "sanitizers"},
#endif
#endif
#ifdef SYS_open
	{SYS_lstat, "the output's refusal message"},
	{SYS_readlink, "libc's readlink on x86_64"},
	{SYS_rename, "libc's rename on x86_64"},
	{SYS_unlink, "libc's unlink on x86_64"},
	{SYS_mkdir, "libc's mkdir on x86_64"},
	{SYS_epoll_wait, "libc's epoll_wait on x86_64"},
	{SYS_poll, "libc's poll on x86_64"},
#endif
};

// Only with --syslog or --journald (engine/forwarder.h): connecting again
// after the receiver went away, sending, a journal entry too large for a
// datagram. Without them, socket and connect stay refused.
constexpr AllowedSyscall kForwarding[] = {
	{SYS_socket, "a forwarder's socket, made again after its receiver went away"},
	{SYS_connect, "a forwarder connecting to its receiver"},
	{SYS_getsockopt, "a forwarder's non-blocking connect: SO_ERROR"},
	{SYS_sendmsg, "a journal entry passed as a memfd"},
	{SYS_recvfrom, "a forwarder noticing its TCP receiver's close"},
	{SYS_memfd_create, "a journal entry too large for a datagram"},
};

// A clone must carry one of these flags: CLONE_THREAD (a thread); in a
// sanitizer build CLONE_UNTRACED too (LeakSanitizer's helper, at exit).
#if defined(__SANITIZE_ADDRESS__)
constexpr uint32_t kCloneFlags = CLONE_THREAD | CLONE_UNTRACED;
#else
constexpr uint32_t kCloneFlags = CLONE_THREAD;
#endif

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kDeny = SECCOMP_RET_ERRNO | EPERM;

struct sock_filter stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
struct sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return BPF_JUMP(code, k, jt, jf); }

} // namespace

std::vector<struct sock_filter> seccomp_allow_list_filter(bool forwarding)
{
	std::vector<struct sock_filter> f;
	// Another architecture's calls have other numbers: refuse them whole.
	f.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
	f.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	f.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
#if defined(__x86_64__)
	// x32 calls are the same numbers with bit 30 set.
	f.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
	f.push_back(stmt(BPF_RET | BPF_K, kDeny));
#endif
	// clone3 passes its flags in memory the filter cannot read: ENOSYS
	// makes glibc fall back to clone.
	f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
	f.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
	// clone: a thread (CLONE_THREAD in its flags, the first argument), never a process.
	f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4));
	f.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])));
	f.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kCloneFlags, 0, 1));
	f.push_back(stmt(BPF_RET | BPF_K, kAllow));
	f.push_back(stmt(BPF_RET | BPF_K, kDeny));
	auto allow = [&f](const AllowedSyscall &s) {
		f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(s.nr), 0, 1));
		f.push_back(stmt(BPF_RET | BPF_K, kAllow));
	};
	for (const AllowedSyscall &s : kAllowed)
		if (s.nr != SYS_clone)
			allow(s);
	if (forwarding)
		for (const AllowedSyscall &s : kForwarding)
			allow(s);
	f.push_back(stmt(BPF_RET | BPF_K, kDeny));
	return f;
}

void install_seccomp_filter(bool forwarding)
{
	std::vector<struct sock_filter> f = seccomp_allow_list_filter(forwarding);
	struct sock_fprog prog {static_cast<unsigned short>(f.size()), f.data()};
	// no_new_privs is set already (drop_privileges); an unprivileged
	// process could not install a filter without it.
	if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
		fail(errno_message("install the seccomp filter", errno));
}

} // namespace guard
