// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/perf_event.h"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "base/error.h"
#include "loader/bpf_syscall.h"
#include "loader/load_errors.h"

namespace guard {

namespace {

std::string pmu_file(std::string_view pmu, std::string_view file)
{
	return "/sys/bus/event_source/devices/" + std::string(pmu) + "/" + std::string(file);
}

} // namespace

Fd open_perf_event(struct perf_event_attr &attr)
{
	attr.size = sizeof(attr);
	long fd = ::syscall(__NR_perf_event_open, &attr, -1 /* any pid */, 0 /* cpu */, -1 /* group */,
			    PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		fail(errno_message("perf_event_open", errno));
	return Fd(static_cast<int>(fd));
}

uint32_t pmu_type(std::string_view pmu)
{
	std::string path = pmu_file(pmu, "type");
	std::ifstream in(path);
	if (!in)
		throw NotSupportedByKernel("no " + path + ": this kernel has no " + std::string(pmu) +
					   " PMU, so no " + std::string(pmu) + "s (CONFIG_" +
					   (pmu == "kprobe" ? "KPROBE_EVENTS" : "UPROBE_EVENTS") + ")");
	uint32_t type = 0;
	if (!(in >> type))
		fail("read " + path + ": not a number");
	return type;
}

uint64_t pmu_retprobe_bit(std::string_view pmu)
{
	std::string path = pmu_file(pmu, "format/retprobe");
	std::ifstream in(path);
	std::string format;
	unsigned bit = 0;
	if (!(in >> format) || std::sscanf(format.c_str(), "config:%u", &bit) != 1 || bit > 63)
		fail("read " + path + ": expected config:<bit>");
	return uint64_t(1) << bit;
}

ProbeTarget parse_probe_target(std::string_view target)
{
	ProbeTarget t{std::string(target), 0};
	size_t plus = t.function.find('+');
	if (plus == std::string::npos)
		return t;
	char *end = nullptr;
	t.offset = std::strtoull(t.function.c_str() + plus + 1, &end, 0);
	if (plus == 0 || end == t.function.c_str() + plus + 1 || *end != '\0')
		fail("expected <function>[+<offset>], got " + std::string(target));
	t.function.resize(plus);
	return t;
}

Link link_perf_event(int prog_fd, Fd event, std::string program, std::string target)
{
	Link l{std::move(program), std::move(target), std::move(event), {}};
	// BPF_LINK_CREATE (kernel 5.15+) makes the attachment an object of its own.
	union bpf_attr la {};
	la.link_create.prog_fd = static_cast<uint32_t>(prog_fd);
	la.link_create.target_fd = static_cast<uint32_t>(l.perf_event.get());
	la.link_create.attach_type = BPF_PERF_EVENT;
	long lfd = sys_bpf(BPF_LINK_CREATE, la);
	if (lfd >= 0) {
		l.link = Fd(static_cast<int>(lfd));
		return l;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		fail(errno_message("BPF_LINK_CREATE", errno));

	// Older kernels: set the program on the event and enable it.
	if (::ioctl(l.perf_event.get(), PERF_EVENT_IOC_SET_BPF, prog_fd) != 0)
		fail(errno_message("PERF_EVENT_IOC_SET_BPF", errno));
	if (::ioctl(l.perf_event.get(), PERF_EVENT_IOC_ENABLE, 0) != 0)
		fail(errno_message("PERF_EVENT_IOC_ENABLE", errno));
	return l;
}

} // namespace guard
