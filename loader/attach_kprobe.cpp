// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/attach_kprobe.h"

#include <sys/utsname.h>

#include <fstream>

#include "base/error.h"
#include "loader/perf_event.h"

namespace guard {

namespace {

// The prefix SYSCALL_DEFINE gives the wrappers (arch/*/include/asm/syscall_wrapper.h).
std::string syscall_wrapper_prefix()
{
	struct utsname u {};
	::uname(&u);
	std::string_view machine = u.machine;
	if (machine == "x86_64")
		return "__x64_sys_";
	if (machine == "aarch64")
		return "__arm64_sys_";
	if (machine == "s390x")
		return "__s390x_sys_";
	if (machine.starts_with("riscv"))
		return "__riscv_sys_";
	if (machine.starts_with("ppc") || machine.starts_with("powerpc"))
		return "sys_";
	return "__" + std::string(machine) + "_sys_";
}

// "ffffffff81382870 T __x64_sys_getpid": is there a symbol of that name?
bool kallsyms_has(const std::string &name)
{
	std::ifstream in("/proc/kallsyms");
	std::string address, type, symbol;
	while (in >> address >> type >> symbol) {
		if (symbol == name)
			return true;
		in.ignore(4096, '\n'); // a module's "[name]" column
	}
	return false;
}

} // namespace

bool has_syscall_wrapper()
{
	return kallsyms_has(syscall_wrapper_prefix() + "bpf");
}

std::string syscall_function(std::string_view syscall)
{
	std::string wrapper = syscall_wrapper_prefix() + std::string(syscall);
	return kallsyms_has(wrapper) ? wrapper : "sys_" + std::string(syscall);
}

Link attach_kprobe(int prog_fd, std::string_view target, bool retprobe)
{
	return with_context(std::string(retprobe ? "attach kretprobe " : "attach kprobe ") + std::string(target), [&] {
		ProbeTarget probe = parse_probe_target(target);
		struct perf_event_attr attr {};
		attr.type = pmu_type("kprobe");
		if (retprobe)
			attr.config |= pmu_retprobe_bit("kprobe");
		attr.config1 = reinterpret_cast<uintptr_t>(probe.function.c_str()); // kprobe_func
		attr.config2 = probe.offset;                                        // probe_offset
		return link_perf_event(prog_fd, open_perf_event(attr), {}, std::string(target));
	});
}

} // namespace guard
