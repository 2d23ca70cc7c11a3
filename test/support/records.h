/* SPDX-License-Identifier: GPL-2.0-or-later */
// Builds raw records the way kern/ lays them out, for tests of the engine.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

#include "abi/guard_abi.h"

namespace guard::test {

inline struct guard_header make_header(__u16 kind, __u32 pid, std::string_view comm)
{
	struct guard_header h {};
	h.kind = kind;
	h.version = GUARD_ABI_VERSION;
	h.boot_ns = 1234567890123ull;
	h.pid = pid;
	h.tid = pid + 1;
	h.uid = 1000;
	h.gid = 1001;
	std::memcpy(h.comm, comm.data(), std::min(comm.size(), sizeof(h.comm)));
	return h;
}

// An exec record with its path_given and the NUL the kernel copies, the
// same bytes as exe (the file ran as named); cwd and argv empty.
inline std::vector<uint8_t> make_exec(__u32 pid, std::string_view comm, std::string_view path_given)
{
	struct guard_exec e {};
	e.header = make_header(GUARD_RECORD_EXEC, pid, comm);
	e.path_given.offset = sizeof(struct guard_exec);
	e.path_given.length = static_cast<__u16>(path_given.size());
	e.argv.offset = static_cast<__u16>(sizeof(struct guard_exec) + path_given.size() + 1);
	e.exe = e.path_given;
	e.cwd = e.argv;
	size_t size = sizeof(e) + path_given.size() + 1;
	e.header.size = static_cast<__u16>(size);
	std::vector<uint8_t> bytes(size, 0);
	std::memcpy(bytes.data(), &e, sizeof(e));
	std::memcpy(bytes.data() + sizeof(e), path_given.data(), path_given.size());
	return bytes;
}

} // namespace guard::test
