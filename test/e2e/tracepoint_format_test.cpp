// SPDX-License-Identifier: GPL-2.0-or-later
// kern/tracepoints.h declares the raw entries of the tracepoints guard uses
// by hand. This checks every offset it relies on against the running
// kernel's tracefs "format" files.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "loader/attach_tracepoint.h"
#include "test/support/e2e_support.h"

using namespace guard;

namespace {

std::string format_of(const std::string &group, const std::string &event)
{
	std::ifstream in(tracefs_root() + "/events/" + group + "/" + event + "/format");
	return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// struct syscall_enter_entry: argument i in an 8-byte slot at 16 + 8 i.
struct SyscallArgs {
	const char *syscall;
	std::vector<const char *> args; // the field names kern/ reads, in order
};

const std::vector<SyscallArgs> kEnterArgs = {
	{"execve", {"filename", "argv"}},
	{"execveat", {"fd", "filename", "argv", "envp", "flags"}},
	{"clone", {"clone_flags"}},
	{"clone3", {"uargs"}},
	{"open", {"filename", "flags", "mode"}},
	{"creat", {"pathname", "mode"}},
	{"openat", {"dfd", "filename", "flags", "mode"}},
	{"openat2", {"dfd", "filename", "how"}},
	{"rename", {"oldname", "newname"}},
	{"renameat", {"olddfd", "oldname", "newdfd", "newname"}},
	{"renameat2", {"olddfd", "oldname", "newdfd", "newname"}},
	{"unlink", {"pathname"}},
	{"unlinkat", {"dfd", "pathname"}},
	{"chmod", {"filename", "mode"}},
	{"fchmodat", {"dfd", "filename", "mode"}},
	{"fchmodat2", {"dfd", "filename", "mode"}},
	{"chown", {"filename", "user", "group"}},
	{"lchown", {"filename", "user", "group"}},
	{"fchownat", {"dfd", "filename", "user", "group"}},
	{"link", {"oldname", "newname"}},
	{"linkat", {"olddfd", "oldname", "newdfd", "newname"}},
	{"symlink", {"oldname", "newname"}},
	{"symlinkat", {"oldname", "newdfd", "newname"}},
	{"connect", {"fd", "uservaddr", "addrlen"}},
	{"bind", {"fd", "umyaddr", "addrlen"}},
	{"listen", {"fd", "backlog"}},
	{"accept", {"fd", "upeer_sockaddr", "upeer_addrlen"}},
	{"accept4", {"fd", "upeer_sockaddr", "upeer_addrlen"}},
	{"open_by_handle_at", {"mountdirfd", "handle", "flags"}},
	{"mkdir", {"pathname", "mode"}},
	{"mkdirat", {"dfd", "pathname", "mode"}},
	{"sendto", {"fd", "buff", "len", "flags", "addr", "addr_len"}},
	{"sendmsg", {"fd", "msg"}},
	{"sendmmsg", {"fd", "mmsg"}},
	// kern/privilege.bpf.h (the credential calls' arguments are not read;
	// the module calls are checked where the kernel has them, below)
	{"ptrace", {"request", "pid", "addr"}},
	{"process_vm_writev", {"pid", "lvec", "liovcnt", "rvec", "riovcnt"}},
	{"kill", {"pid", "sig"}},
	{"tkill", {"pid", "sig"}},
	{"tgkill", {"tgid", "pid", "sig"}},
	{"bpf", {"cmd", "uattr", "size"}},
	{"mount", {"dev_name", "dir_name", "type", "flags"}},
	{"umount", {"name", "flags"}},
	{"pivot_root", {"new_root", "put_old"}},
	{"chroot", {"filename"}},
	{"unshare", {"unshare_flags"}},
	{"setns", {"fd", "flags"}},
	{"memfd_create", {"uname", "flags"}},
};

// Where the kernel has module support.
const std::vector<SyscallArgs> kModuleEnterArgs = {
	{"init_module", {"umod", "len", "uargs"}},
	{"finit_module", {"fd", "uargs", "flags"}},
	{"delete_module", {"name_user", "flags"}},
};

const char *kExits[] = {"execve", "execveat", "open", "creat", "openat", "openat2", "rename", "renameat",
			"renameat2", "unlink", "unlinkat", "chmod", "fchmodat", "fchmodat2", "chown", "lchown",
			"fchownat", "link", "linkat", "symlink", "symlinkat", "connect", "bind", "listen",
			"accept", "accept4", "open_by_handle_at", "mkdir", "mkdirat", "sendto", "sendmsg",
			"sendmmsg", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
			"setfsuid", "setfsgid", "capset", "ptrace", "process_vm_writev", "kill", "tkill", "tgkill", "bpf",
			"mount", "umount", "pivot_root", "chroot", "unshare", "setns", "memfd_create"};

} // namespace

TEST_CASE("every sys_enter argument kern/ reads is an 8-byte slot at 16 + 8 * its index")
{
	REQUIRE(test::running_as_root());
	std::vector<SyscallArgs> all = kEnterArgs;
	if (!format_of("syscalls", "sys_enter_init_module").empty()) // CONFIG_MODULES
		all.insert(all.end(), kModuleEnterArgs.begin(), kModuleEnterArgs.end());
	for (const SyscallArgs &s : all) {
		std::string format = format_of("syscalls", std::string("sys_enter_") + s.syscall);
		CAPTURE(s.syscall);
		REQUIRE(!format.empty());
		for (size_t i = 0; i < s.args.size(); i++) {
			CAPTURE(s.args[i]);
			// "field:const char * filename;\toffset:24;\tsize:8;"
			std::string tail = std::string(" ") + s.args[i] + ";\toffset:" + std::to_string(16 + 8 * i) + ";\tsize:8;";
			CHECK(format.find(tail) != std::string::npos);
		}
	}
}

TEST_CASE("every sys_exit has its return value at offset 16")
{
	REQUIRE(test::running_as_root());
	for (const char *s : kExits) {
		CAPTURE(s);
		CHECK(format_of("syscalls", std::string("sys_exit_") + s).find("long ret;\toffset:16;\tsize:8;") !=
		      std::string::npos);
	}
	// fork and vfork take no argument; only their enter is used.
	CHECK(!format_of("syscalls", "sys_enter_fork").empty());
	CHECK(!format_of("syscalls", "sys_enter_vfork").empty());
}

TEST_CASE("sched tracepoints are laid out as kern/tracepoints.h assumes")
{
	REQUIRE(test::running_as_root());
	std::string exec = format_of("sched", "sched_process_exec");
	CHECK(exec.find("__data_loc char[] filename;\toffset:8;\tsize:4;") != std::string::npos);
	CHECK(exec.find("pid_t pid;\toffset:12;\tsize:4;") != std::string::npos);
	CHECK(exec.find("pid_t old_pid;\toffset:16;\tsize:4;") != std::string::npos);

	std::string fork = format_of("sched", "sched_process_fork");
	CHECK(fork.find("pid_t child_pid;\toffset:20;\tsize:4;") != std::string::npos);

	std::string exit = format_of("sched", "sched_process_exit");
	CHECK(exit.find("bool group_dead;\toffset:32;\tsize:1;") != std::string::npos);
}

TEST_CASE("io_uring tracepoints are laid out as kern/tracepoints.h assumes")
{
	REQUIRE(test::running_as_root());
	std::string submit = format_of("io_uring", "io_uring_submit_req");
	CHECK(submit.find("void * req;\toffset:16;\tsize:8;") != std::string::npos);
	CHECK(submit.find("u8 opcode;\toffset:32;\tsize:1;") != std::string::npos);
	CHECK(submit.find("unsigned long long flags;\toffset:40;\tsize:8;") != std::string::npos);

	std::string complete = format_of("io_uring", "io_uring_complete");
	CHECK(complete.find("void * req;\toffset:16;\tsize:8;") != std::string::npos);
	CHECK(complete.find("int res;\toffset:32;\tsize:4;") != std::string::npos);
	CHECK(complete.find("unsigned cflags;\toffset:36;\tsize:4;") != std::string::npos);
}

TEST_CASE("signal_generate names the target task where kern/tracepoints.h assumes")
{
	REQUIRE(test::running_as_root());
	std::string generate = format_of("signal", "signal_generate");
	CHECK(generate.find("pid_t pid;\toffset:36;\tsize:4;") != std::string::npos);
}
