// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/privileges.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "base/error.h"

namespace guard {

namespace {

struct CapSets {
	uint64_t effective = 0, permitted = 0, inheritable = 0;
};

CapSets read_caps()
{
	struct __user_cap_header_struct h {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] {};
	CapSets c;
	if (::syscall(SYS_capget, &h, d) != 0)
		return c;
	c.effective = d[0].effective | uint64_t(d[1].effective) << 32;
	c.permitted = d[0].permitted | uint64_t(d[1].permitted) << 32;
	c.inheritable = d[0].inheritable | uint64_t(d[1].inheritable) << 32;
	return c;
}

void write_caps(const CapSets &c)
{
	struct __user_cap_header_struct h {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] {};
	d[0] = {uint32_t(c.effective), uint32_t(c.permitted), uint32_t(c.inheritable)};
	d[1] = {uint32_t(c.effective >> 32), uint32_t(c.permitted >> 32), uint32_t(c.inheritable >> 32)};
	if (::syscall(SYS_capset, &h, d) != 0)
		fail(errno_message("capset", errno));
}

constexpr uint64_t bit(int cap) { return uint64_t(1) << cap; }

// Keeps only the capabilities in keep, in every set, and sets no_new_privs.
void keep_only(uint64_t keep)
{
	// The bounding set first: dropping from it needs CAP_SETPCAP, about to go.
	for (int cap = 0; cap < 64; cap++) {
		if (keep & bit(cap))
			continue;
		int r = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0)
			break; // past the kernel's last capability
		if (r == 1 && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM)
			fail(errno_message("drop capability " + std::to_string(cap) + " from the bounding set", errno));
	}
	if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		fail(errno_message("clear ambient capabilities", errno));
	CapSets now = read_caps();
	CapSets want;
	want.permitted = now.permitted & keep;
	want.effective = want.permitted;
	write_caps(want);
	if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		fail(errno_message("set no_new_privs", errno));
}

} // namespace

std::string missing_privileges()
{
	uint64_t eff = read_caps().effective;
	auto has = [&](int cap) { return (eff & bit(cap)) != 0; };
	std::string missing;
	auto need = [&](bool ok, const char *name) {
		if (!ok)
			missing += (missing.empty() ? "" : ", ") + std::string(name);
	};
	// CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON (kernels before 5.8).
	need(has(CAP_BPF) || has(CAP_SYS_ADMIN), "CAP_BPF");
	need(has(CAP_PERFMON) || has(CAP_SYS_ADMIN), "CAP_PERFMON");
	need(::geteuid() == 0 || has(CAP_DAC_READ_SEARCH) || has(CAP_DAC_OVERRIDE), "CAP_DAC_READ_SEARCH");
	if (missing.empty())
		return "";
	return "needs root, or the capabilities CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE (and "
	       "CAP_SYS_ADMIN where tracefs is not mounted), to load its BPF programs and attach them to the kernel's "
	       "tracepoints; this process (uid " + std::to_string(::geteuid()) + ") lacks " + missing +
	       ": run it with sudo";
}

void drop_privileges() { keep_only(bit(CAP_DAC_READ_SEARCH)); }

void drop_all_privileges()
{
	try {
		keep_only(0);
	} catch (const Error &) {
		// The helper holds perf events and nothing else: it runs on.
	}
}

} // namespace guard
