// SPDX-License-Identifier: GPL-2.0-or-later
// Privilege and tamper events end to end, made by test/helpers/priv_ops:
// credential changes, ptrace, process_vm_writev, signals to the agent, BPF
// program loads, mounts, chroot, namespaces, memfd_create and modules, each
// line found exactly, and the default rules that fire on them.
#include <doctest/doctest.h>

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "loader/attach_tracepoint.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/temp_dir.h"

using namespace guard;
using test::field_is;

namespace {

bool has_tracepoint(const std::string &event)
{
	return ::access((tracefs_root() + "/events/syscalls/" + event).c_str(), F_OK) == 0;
}

std::function<bool(simdjson::dom::element)> number_is(const char *key, int64_t value)
{
	return [key, value](simdjson::dom::element doc) {
		int64_t v = 0;
		return doc[key].get_int64().get(v) == simdjson::SUCCESS && v == value;
	};
}

// The event's line, waiting longer than find_event's default: another
// developer's benchmark on the same machine can keep the agent busy.
std::unique_ptr<test::Event> find(test::GuardProcess &guard, const std::string &type, pid_t pid,
				  const std::function<bool(simdjson::dom::element)> &also = {})
{
	return test::find_event(guard, type, pid, also, std::chrono::seconds(15));
}

} // namespace

TEST_CASE("uid 0 regained from the saved uid: two cred_change events, the second raises ROOT_GAINED")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("priv_ops", {"regain-root"});
	REQUIRE(run.out == "uid=0\n");
	INFO("output: " << guard.output_text());
	auto dropped = find(guard, "cred_change", run.pid, number_is("new_uid", 65534));
	REQUIRE(dropped);
	CHECK(dropped->str("syscall") == "setresuid");
	CHECK(dropped->num("old_uid") == 0);
	CHECK(dropped->num("old_euid") == 0);
	CHECK(dropped->num("new_euid") == 65534);
	CHECK(dropped->num("new_suid") == 0);
	CHECK(dropped->num("new_cap_effective") == 0); // the kernel cleared them: read from task->cred
	CHECK(dropped->flag("ok"));
	CHECK_FALSE(dropped->has("rule"));

	auto regained = find(guard, "cred_change", run.pid, number_is("new_uid", 0));
	REQUIRE(regained);
	CHECK(regained->num("old_uid") == 65534);
	CHECK(regained->num("old_euid") == 65534);
	CHECK(regained->num("new_euid") == 0);
	CHECK(regained->num("uid") == 0); // the header: after the call
	CHECK(regained->num("new_cap_effective") != 0);
	CHECK(regained->str("rule") == "ROOT_GAINED");
	CHECK(guard.find_line([&](const std::string &l) {
		return l.find("\"type\":\"alert\"") != std::string::npos &&
		       l.find("\"rule\":\"ROOT_GAINED\"") != std::string::npos &&
		       l.find("\"pid\":" + std::to_string(run.pid) + ",") != std::string::npos;
	}));
}

TEST_CASE("capset: the effective set before and after")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("priv_ops", {"capset"});
	REQUIRE(run.out == "capset ok\n");
	INFO("output: " << guard.output_text());
	auto ev = find(guard, "cred_change", run.pid, field_is("syscall", "capset"));
	REQUIRE(ev);
	const int64_t cap_sys_module = int64_t(1) << 16;
	CHECK((ev->num("old_cap_effective") & cap_sys_module) != 0);
	CHECK(ev->num("new_cap_effective") == (ev->num("old_cap_effective") & ~cap_sys_module));
	CHECK(ev->num("new_cap_permitted") == ev->num("old_cap_permitted"));
	CHECK_FALSE(ev->has("rule"));
}

TEST_CASE("ptrace attach and poke, process_vm_writev: the target and the rules")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto traced = test::run_helper("priv_ops", {"ptrace-attach"});
	const int64_t child = std::stoll(test::helper_value(traced.out, "child"));
	auto written = test::run_helper("priv_ops", {"vm-write"});
	const int64_t vm_child = std::stoll(test::helper_value(written.out, "child"));
	INFO("output: " << guard.output_text());

	auto attach = find(guard, "ptrace", traced.pid, number_is("request", 16)); // PTRACE_ATTACH
	REQUIRE(attach);
	CHECK(attach->num("target_pid") == child);
	CHECK(attach->flag("ok"));
	CHECK(attach->str("rule") == "PTRACE_ATTACH");
	auto poke = find(guard, "ptrace", traced.pid, number_is("request", 5)); // PTRACE_POKEDATA
	REQUIRE(poke);
	CHECK(poke->num("target_pid") == child);
	CHECK(poke->str("rule") == "PTRACE_ATTACH");
	// PTRACE_DETACH takes no hold: no event.
	CHECK_FALSE(test::find_event(guard, "ptrace", traced.pid, number_is("request", 17), std::chrono::milliseconds(0)));

	auto vm = find(guard, "process_vm_write", written.pid);
	REQUIRE(vm);
	CHECK(vm->str("syscall") == "process_vm_writev");
	CHECK(vm->num("target_pid") == vm_child);
	CHECK(vm->num("bytes") == 8);
	CHECK(vm->str("rule") == "PROCESS_MEMORY_WRITE");
}

TEST_CASE("a signal aimed at guard itself is reported and raises AGENT_SIGNALED; other kills are not")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("priv_ops", {"signal", std::to_string(guard.pid())});
	REQUIRE(run.out == "signalled\n");
	pid_t sleeper = ::fork();
	REQUIRE(sleeper >= 0);
	if (sleeper == 0) {
		::pause();
		::_exit(0);
	}
	::kill(sleeper, SIGKILL); // the test's own kill of another process
	::waitpid(sleeper, nullptr, 0);
	INFO("output: " << guard.output_text());
	auto probe = find(guard, "signal_agent", run.pid, number_is("signal", 0));
	REQUIRE(probe);
	CHECK(probe->str("syscall") == "kill");
	CHECK(probe->num("target_pid") == guard.pid());
	CHECK(probe->str("rule") == "AGENT_SIGNALED");
	auto usr1 = find(guard, "signal_agent", run.pid, number_is("signal", SIGUSR1));
	REQUIRE(usr1);
	CHECK(usr1->flag("ok"));
	CHECK_FALSE(test::find_event(guard, "signal_agent", ::getpid(), {}, std::chrono::milliseconds(200)));
	CHECK(guard.running()); // SIGUSR1 asks for stats
}

TEST_CASE("bpf(BPF_PROG_LOAD): the program's type and name as the kernel holds them")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("priv_ops", {"bpf-load"});
	INFO("output: " << guard.output_text() << "\nhelper: " << run.out);
	auto ev = find(guard, "bpf_prog_load", run.pid);
	REQUIRE(ev);
	CHECK(ev->str("syscall") == "bpf");
	CHECK(ev->str("name") == "guard_priv");
	CHECK(ev->num("prog_type") == 1); // BPF_PROG_TYPE_SOCKET_FILTER
	CHECK(ev->num("insn_cnt") == 2);
	CHECK(ev->num("fd") == std::stoll(test::helper_value(run.out, "fd")));
	CHECK_FALSE(ev->flag("name_from_user"));
	CHECK(ev->str("rule") == "BPF_PROG_LOAD");
	// guard's own loads make no event.
	CHECK_FALSE(test::find_event(guard, "bpf_prog_load", guard.pid(), {}, std::chrono::milliseconds(0)));
}

TEST_CASE("unshare, mount, setns, chroot, pivot_root and umount2 in a private mount namespace")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-priv");
	const std::string root = std::filesystem::canonical(dir.path).string();
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("priv_ops", {"mounts", root});
	REQUIRE(run.out.find("mounts ok") != std::string::npos);
	const pid_t chrooted = static_cast<pid_t>(std::stoll(test::helper_value(run.out, "child")));
	INFO("output: " << guard.output_text());

	auto unshare = find(guard, "namespace", run.pid, field_is("syscall", "unshare"));
	REQUIRE(unshare);
	CHECK(unshare->num("flags") == (CLONE_NEWNS | CLONE_NEWUTS));
	auto tmpfs = find(guard, "mount", run.pid, field_is("fstype", "tmpfs"));
	REQUIRE(tmpfs);
	CHECK(tmpfs->str("target") == root);
	CHECK(tmpfs->str("source") == "guard-priv");
	CHECK(tmpfs->num("flags") == MS_NOSUID);
	CHECK(tmpfs->flag("path_from_user"));
	// In a chroot the helper cannot keep a mount private, and only tries it.
	CHECK(tmpfs->flag("ok") == (test::helper_value(run.out, "private") == "1"));
	auto setns = find(guard, "namespace", run.pid, field_is("syscall", "setns"));
	REQUIRE(setns);
	CHECK(setns->num("flags") == CLONE_NEWUTS);
	CHECK(setns->num("ns_ino") > 0);
	auto chroot = find(guard, "chroot", chrooted);
	REQUIRE(chroot);
	// Walked from the new root, past it, to the top of the mount namespace:
	// the directory as the rest of the system names it. Where the test runs
	// in a chroot itself, that is its path with the chroot's in front.
	CHECK(std::string(chroot->str("path")).ends_with(root));
	CHECK_FALSE(chroot->flag("path_from_user"));
	auto pivot = find(guard, "pivot_root", run.pid);
	REQUIRE(pivot);
	CHECK(pivot->str("new_root") == root);
	CHECK(pivot->str("put_old") == root + "/old");
	auto umount = find(guard, "umount", run.pid);
	REQUIRE(umount);
	CHECK(umount->str("syscall") == "umount2");
	CHECK(umount->str("target") == "/old");
	CHECK(umount->num("flags") == MNT_DETACH);
}

TEST_CASE("memfd_create: the name and inode an exec of it would show")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("priv_ops", {"memfd"});
	INFO("output: " << guard.output_text());
	auto ev = find(guard, "memfd_create", run.pid);
	REQUIRE(ev);
	CHECK(ev->str("name") == "guard-priv");
	CHECK(ev->num("flags") == MFD_CLOEXEC);
	CHECK(ev->num("fd") == std::stoll(test::helper_value(run.out, "fd")));
	CHECK(ev->num("ino") == std::stoll(test::helper_value(run.out, "ino")));
	CHECK_FALSE(ev->flag("name_from_user"));
}

TEST_CASE("kernel modules: reported where the kernel has the tracepoints, skipped with a line where not")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	if (!has_tracepoint("sys_enter_init_module")) {
		// CONFIG_MODULES=n: no module syscall to watch, and guard says so.
		CHECK(guard.stderr_text().find("no tracepoint syscalls/sys_enter_init_module on this kernel, "
					       "priv_init_module_enter not attached there") != std::string::npos);
		CHECK(guard.stderr_text().find("priv_module_exit not attached there") != std::string::npos);
		return;
	}
	auto run = test::run_helper("priv_ops", {"module"});
	INFO("output: " << guard.output_text());
	auto load = find(guard, "module_load", run.pid);
	REQUIRE(load);
	CHECK(load->str("syscall") == "init_module");
	CHECK(load->str("params") == "guard_param=1");
	CHECK(load->flag("ok") == false);
	CHECK(load->str("rule") == "KERNEL_MODULE");
	auto unload = find(guard, "module_unload", run.pid);
	REQUIRE(unload);
	CHECK(unload->str("name") == "guard_none");
	CHECK(unload->str("rule") == "KERNEL_MODULE");
}

TEST_CASE("--disable privilege: no privilege program attached, no such event")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard({"--disable", "privilege"});
	std::string attached = guard.wait_attached();
	INFO("stderr: " << guard.stderr_text());
	REQUIRE(attached.find("(process 12, file 44, network 16, io_uring 2) in ") != std::string::npos);
	CHECK(attached.find("privilege") == std::string::npos);

	auto run = test::run_helper("priv_ops", {"regain-root"});
	INFO("output: " << guard.output_text());
	REQUIRE(find(guard, "exit", run.pid));
	CHECK_FALSE(test::find_event(guard, "cred_change", run.pid, {}, std::chrono::milliseconds(0)));
}
