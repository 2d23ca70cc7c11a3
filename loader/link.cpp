// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/link.h"

#include <cerrno>

#include "base/error.h"
#include "loader/bpf_syscall.h"

namespace guard {

struct bpf_link_info Link::info() const
{
	if (!link.valid())
		fail("link of " + program + " at " + target + ": attached without a BPF link (ioctl)");
	struct bpf_link_info info {};
	union bpf_attr attr {};
	attr.info.bpf_fd = static_cast<uint32_t>(link.get());
	attr.info.info_len = sizeof(info);
	attr.info.info = reinterpret_cast<uintptr_t>(&info);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, attr) != 0)
		fail(errno_message("link of " + program + " at " + target + ": BPF_OBJ_GET_INFO_BY_FD", errno));
	return info;
}

void Link::close()
{
	link.reset();
	perf_event.reset();
}

} // namespace guard
