// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/kernel_support.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/error.h"
#include "base/fd.h"
#include "loader/bpf_syscall.h"
#include "loader/btf.h"
#include "loader/core_relocate.h"

namespace guard {

namespace {

#define GUARD_HELPER(fn, since) {"bpf_" #fn "()", since, BPF_FUNC_##fn, {}, {}}

// Releases as the mainline kernel first had each one (for a helper: for
// tracepoint programs, which is what guard loads).
constexpr KernelFeature kFeatures[] = {
	GUARD_HELPER(map_lookup_elem, "3.19"),
	GUARD_HELPER(map_update_elem, "3.19"),
	GUARD_HELPER(map_delete_elem, "3.19"),
	GUARD_HELPER(get_current_pid_tgid, "4.2"),
	GUARD_HELPER(get_current_task, "4.8"),
	// Kill rules (kern/enforce.bpf.h), called only with --enforce.
	GUARD_HELPER(send_signal, "5.3"),
	{"kernel BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF=y)", "5.4", 0, "/sys/kernel/btf/vmlinux", {}},
	GUARD_HELPER(probe_read_user, "5.5"),
	GUARD_HELPER(probe_read_kernel, "5.5"),
	GUARD_HELPER(probe_read_user_str, "5.5"),
	GUARD_HELPER(probe_read_kernel_str, "5.5"),
	GUARD_HELPER(ktime_get_boot_ns, "5.8"),
	GUARD_HELPER(ringbuf_output, "5.8"),
	GUARD_HELPER(get_current_task_btf, "5.11"),
	GUARD_HELPER(task_storage_get, "5.13"),
	GUARD_HELPER(loop, "5.17"),
	// Kernel objects are read through pointers of their own type, made
	// with this kfunc (kern/kernel_types.h, kernel_ptr()).
	{"the bpf_rdonly_cast() kfunc", "6.2", 0, {}, "bpf_rdonly_cast"},
};

#undef GUARD_HELPER

// "5.17" < "5.4" as text; as releases 5.4 comes first.
bool release_before(std::string_view a, std::string_view b)
{
	auto parts = [](std::string_view v) {
		unsigned major = 0, minor = 0;
		size_t dot = v.find('.');
		for (char c : v.substr(0, dot))
			major = major * 10 + unsigned(c - '0');
		for (char c : v.substr(dot + 1))
			minor = minor * 10 + unsigned(c - '0');
		return std::pair(major, minor);
	};
	return parts(a) < parts(b);
}

constexpr struct bpf_insn insn(uint8_t code, uint8_t dst, int32_t imm)
{
	struct bpf_insn i {};
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.imm = imm;
	return i;
}

// A tracepoint program that calls the helper with every argument 0. The
// verifier looks the helper up before it checks any argument, so an absent
// helper is told apart by its message, whatever else it then rejects.
bool has_helper(uint32_t helper)
{
	const struct bpf_insn insns[] = {
		insn(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0), insn(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0),
		insn(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0), insn(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0),
		insn(BPF_ALU64 | BPF_MOV | BPF_K, 5, 0), insn(BPF_JMP | BPF_CALL, 0, int32_t(helper)),
		insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0), insn(BPF_JMP | BPF_EXIT, 0, 0),
	};
	char log[4096] = "";
	union bpf_attr attr {};
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insns = reinterpret_cast<uintptr_t>(insns);
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = reinterpret_cast<uintptr_t>("GPL");
	attr.log_buf = reinterpret_cast<uintptr_t>(log);
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	long fd = sys_bpf(BPF_PROG_LOAD, attr);
	if (fd >= 0) {
		Fd loaded(static_cast<int>(fd));
		return true;
	}
	if (errno == EPERM) // EACCES is the verifier's own "rejected"
		fail(errno_message("BPF_PROG_LOAD", errno) +
		     ": guard needs root, or CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE "
		     "(README, \"Kernel and privileges\")");
	log[sizeof(log) - 1] = '\0';
	// "invalid func", "unknown func" (older kernels), "program of this
	// type cannot use helper" (newer ones).
	return !std::strstr(log, "invalid func") && !std::strstr(log, "unknown func") &&
	       !std::strstr(log, "cannot use helper");
}

} // namespace

std::span<const KernelFeature> kernel_features() { return kFeatures; }

std::string_view minimum_kernel()
{
	std::string_view newest = "0.0";
	for (const KernelFeature &f : kFeatures)
		if (release_before(newest, f.since))
			newest = f.since;
	return newest;
}

std::vector<const KernelFeature *> missing_kernel_features(std::span<const KernelFeature> features)
{
	std::vector<const KernelFeature *> missing;
	std::optional<Btf> vmlinux;
	for (const KernelFeature &f : features) {
		bool present = false;
		if (f.helper) {
			present = has_helper(f.helper);
		} else if (!f.kfunc.empty()) {
			// The loader finds a kfunc by its name in vmlinux BTF: so
			// does this.
			try {
				if (!vmlinux)
					vmlinux = read_kernel_btf();
				present = vmlinux->find(f.kfunc, BTF_KIND_FUNC).has_value();
			} catch (const Error &) {
				present = false;
			}
		} else {
			present = ::access(std::string(f.path).c_str(), R_OK) == 0;
		}
		if (!present)
			missing.push_back(&f);
	}
	return missing;
}

std::string describe_missing(const std::vector<const KernelFeature *> &missing)
{
	if (missing.empty())
		return "";
	struct utsname u {};
	::uname(&u);
	std::string text = std::string("this kernel (") + u.release + ") lacks ";
	for (size_t i = 0; i < missing.size(); i++)
		text += (i ? ", " : "") + std::string(missing[i]->name) + " (Linux " + std::string(missing[i]->since) + ")";
	return text + ": guard needs Linux " + std::string(minimum_kernel()) + " or later";
}

} // namespace guard
