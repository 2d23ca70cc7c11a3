// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/link.h"

#include "base/error.h"
#include "loader/bpf_syscall.h"

namespace guard {

struct bpf_link_info Link::info() const
{
	if (!link.valid())
		fail("link of " + program + " at " + target + ": attached without a BPF link (ioctl)");
	struct bpf_link_info info {};
	with_context("link of " + program + " at " + target, [&] { bpf_object_info(link.get(), &info, sizeof(info)); });
	return info;
}

void Link::close()
{
	link.reset();
	perf_event.reset();
}

} // namespace guard
