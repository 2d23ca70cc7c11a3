// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/attach_raw_tracepoint.h"

#include <cerrno>
#include <string>

#include "base/error.h"
#include "loader/bpf_syscall.h"
#include "loader/load_errors.h"

namespace guard {

namespace {

Link raw_tracepoint_open(int prog_fd, const char *name, std::string_view target)
{
	union bpf_attr attr {};
	attr.raw_tracepoint.name = reinterpret_cast<uintptr_t>(name);
	attr.raw_tracepoint.prog_fd = static_cast<uint32_t>(prog_fd);
	long fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, attr);
	if (fd < 0) {
		int err = errno;
		if (err == EOPNOTSUPP || err == 524 /* ENOTSUPP */)
			throw NotSupportedByKernel(errno_message("BPF_RAW_TRACEPOINT_OPEN", err) +
						   ": not supported by this kernel");
		fail(errno_message("BPF_RAW_TRACEPOINT_OPEN", err));
	}
	Link l;
	l.target = target;
	l.link = Fd(static_cast<int>(fd));
	return l;
}

} // namespace

Link attach_raw_tracepoint(int prog_fd, std::string_view name)
{
	std::string n(name);
	return with_context("attach raw tracepoint " + n, [&] { return raw_tracepoint_open(prog_fd, n.c_str(), n); });
}

Link attach_btf_target(int prog_fd, std::string_view target)
{
	return with_context("attach " + std::string(target), [&] { return raw_tracepoint_open(prog_fd, nullptr, target); });
}

} // namespace guard
