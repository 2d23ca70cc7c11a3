// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/tracepoint.h"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "base/error.h"
#include "loader/bpf_syscall.h"

namespace guard {

namespace {

bool has_events(const std::string &root)
{
	struct stat st;
	return ::stat((root + "/events").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

std::string tracefs_root()
{
	const std::string root = "/sys/kernel/tracing";
	if (has_events(root))
		return root;
	if (::mount("tracefs", root.c_str(), "tracefs", 0, nullptr) == 0 && has_events(root))
		return root;
	int err = errno;
	// Older systems expose it under debugfs.
	if (has_events("/sys/kernel/debug/tracing"))
		return "/sys/kernel/debug/tracing";
	fail(errno_message("mount tracefs at " + root, err));
}

uint32_t tracepoint_id(std::string_view group, std::string_view event)
{
	std::string path = tracefs_root() + "/events/" + std::string(group) + "/" + std::string(event) + "/id";
	std::ifstream in(path);
	if (!in)
		fail("read " + path + ": no such tracepoint on this kernel");
	uint32_t id = 0;
	if (!(in >> id))
		fail("read " + path + ": not a number");
	return id;
}

TracepointLink attach_tracepoint(int prog_fd, std::string_view group, std::string_view event)
{
	return with_context("attach " + std::string(group) + "/" + std::string(event), [&] {
		TracepointLink tl{std::string(group), std::string(event), {}, {}};

		// One perf event is enough: a tracepoint program runs on every CPU,
		// because it hangs off the tracepoint itself, not the event's CPU.
		struct perf_event_attr attr {};
		attr.type = PERF_TYPE_TRACEPOINT;
		attr.size = sizeof(attr);
		attr.config = tracepoint_id(group, event);
		attr.sample_period = 1;
		long pfd = ::syscall(__NR_perf_event_open, &attr, -1 /* any pid */, 0 /* cpu */, -1 /* group */,
				     PERF_FLAG_FD_CLOEXEC);
		if (pfd < 0)
			fail(errno_message("perf_event_open", errno));
		tl.perf_event = Fd(static_cast<int>(pfd));

		// BPF_LINK_CREATE (kernel 5.15+) makes the attachment an object of its own.
		union bpf_attr la {};
		la.link_create.prog_fd = static_cast<uint32_t>(prog_fd);
		la.link_create.target_fd = static_cast<uint32_t>(tl.perf_event.get());
		la.link_create.attach_type = BPF_PERF_EVENT;
		long lfd = sys_bpf(BPF_LINK_CREATE, la);
		if (lfd >= 0) {
			tl.link = Fd(static_cast<int>(lfd));
			return tl;
		}
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			fail(errno_message("BPF_LINK_CREATE", errno));

		// Older kernels: set the program on the event and enable it.
		if (::ioctl(tl.perf_event.get(), PERF_EVENT_IOC_SET_BPF, prog_fd) != 0)
			fail(errno_message("PERF_EVENT_IOC_SET_BPF", errno));
		if (::ioctl(tl.perf_event.get(), PERF_EVENT_IOC_ENABLE, 0) != 0)
			fail(errno_message("PERF_EVENT_IOC_ENABLE", errno));
		return tl;
	});
}

} // namespace guard
