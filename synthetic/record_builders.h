/* SPDX-License-Identifier: GPL-2.0-or-later */
// Raw records of every kind, laid out as kern/ writes them, for tests and
// benchmarks of the engine (rules, process table, output, allocations).
#pragma once

#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "abi/guard_abi.h"

namespace guard::synthetic {

struct RecordBuilder {
	std::vector<uint8_t> bytes;
	size_t fixed;

	RecordBuilder(uint16_t kind, size_t fixed_size, uint32_t pid, uint32_t ppid, std::string_view comm,
		      uint64_t boot_ns)
		: bytes(fixed_size, 0), fixed(fixed_size)
	{
		struct guard_header h {};
		h.kind = kind;
		h.version = GUARD_ABI_VERSION;
		h.boot_ns = boot_ns;
		h.pid = pid;
		h.tid = pid;
		h.ppid = ppid;
		h.uid = 1000;
		h.gid = 1000;
		h.euid = 1000;
		h.mnt_ns = 4026531841u;
		h.pid_ns = 4026531836u;
		std::memcpy(h.comm, comm.data(), std::min(comm.size(), sizeof(h.comm)));
		std::memcpy(bytes.data(), &h, sizeof(h));
	}

	// Appends s and its NUL; returns where it is.
	struct guard_string add(std::string_view s)
	{
		struct guard_string g {static_cast<__u16>(bytes.size()), static_cast<__u16>(s.size())};
		bytes.insert(bytes.end(), s.begin(), s.end());
		bytes.push_back(0);
		return g;
	}

	template <class T>
	void put(const T &fixed_part)
	{
		std::memcpy(bytes.data(), &fixed_part, sizeof(T));
	}

	std::vector<uint8_t> done()
	{
		auto *h = reinterpret_cast<struct guard_header *>(bytes.data());
		__u16 size = static_cast<__u16>(bytes.size());
		std::memcpy(&h->size, &size, sizeof(size));
		return std::move(bytes);
	}
};

struct Task {
	uint32_t pid = 100;
	uint32_t ppid = 1;
	std::string comm = "bash";
	uint64_t boot_ns = 1'000'000'000;
};

inline struct guard_header header_of(const RecordBuilder &b)
{
	struct guard_header h;
	std::memcpy(&h, b.bytes.data(), sizeof(h));
	return h;
}

// An exec of path, as given and as the kernel found it (exe; a failed
// exec has none), in cwd.
inline std::vector<uint8_t> exec_record(const Task &t, std::string_view path, std::vector<std::string> argv = {},
					uint16_t flags = 0, int32_t result = 0, std::string_view cwd = "/", uint32_t stdio = 0)
{
	RecordBuilder b(result ? GUARD_RECORD_EXEC_FAILED : GUARD_RECORD_EXEC, sizeof(struct guard_exec), t.pid, t.ppid,
			t.comm, t.boot_ns);
	struct guard_exec e {};
	e.header = header_of(b);
	e.header.flags = flags;
	e.path_given = b.add(path);
	e.exe = b.add(result ? std::string_view() : path);
	e.cwd = b.add(cwd);
	std::string joined;
	for (const std::string &a : argv)
		joined += a + std::string(1, '\0');
	// As kern/ lays it out: the length leaves out the last argument's NUL.
	e.argv = {static_cast<__u16>(b.bytes.size()), static_cast<__u16>(joined.empty() ? 0 : joined.size() - 1)};
	b.bytes.insert(b.bytes.end(), joined.begin(), joined.end());
	e.argc = static_cast<__u32>(argv.size());
	e.result = result;
	e.stdio = stdio;
	b.put(e);
	return b.done();
}

// An exec record with the identity of its file: dev in the kernel's
// encoding (major << 20 | minor), as kern/ writes it.
inline void with_exe_identity_in_place(std::vector<uint8_t> &rec, uint32_t kernel_dev, uint64_t ino,
				       uint64_t ctime_ns)
{
	std::memcpy(rec.data() + offsetof(struct guard_exec, dev), &kernel_dev, sizeof(kernel_dev));
	std::memcpy(rec.data() + offsetof(struct guard_exec, ino), &ino, sizeof(ino));
	std::memcpy(rec.data() + offsetof(struct guard_exec, ctime_ns), &ctime_ns, sizeof(ctime_ns));
}
inline std::vector<uint8_t> with_exe_identity(std::vector<uint8_t> rec, uint32_t kernel_dev, uint64_t ino,
					      uint64_t ctime_ns)
{
	with_exe_identity_in_place(rec, kernel_dev, ino, ctime_ns);
	return rec;
}

// A #! script run by the kernel through its interpreter: exe is the
// interpreter, path_given the script as given.
inline std::vector<uint8_t> script_exec_record(const Task &t, std::string_view script, std::string_view interpreter,
					       std::string_view cwd = "/")
{
	RecordBuilder b(GUARD_RECORD_EXEC, sizeof(struct guard_exec), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_exec e {};
	e.header = header_of(b);
	e.header.flags = GUARD_EXEC_INTERPRETED;
	e.path_given = b.add(script);
	e.exe = b.add(interpreter);
	e.cwd = b.add(cwd);
	e.argv = b.add("");
	b.put(e);
	return b.done();
}

inline std::vector<uint8_t> fork_record(const Task &t, uint32_t child)
{
	RecordBuilder b(GUARD_RECORD_FORK, sizeof(struct guard_fork), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_fork f {};
	f.header = header_of(b);
	f.child_pid = child;
	f.child_tid = child;
	f.clone_flags = 17; // SIGCHLD
	b.put(f);
	return b.done();
}

inline std::vector<uint8_t> exit_record(const Task &t, int32_t code)
{
	RecordBuilder b(GUARD_RECORD_EXIT, sizeof(struct guard_exit), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_exit x {};
	x.header = header_of(b);
	x.exit_code = code;
	b.put(x);
	return b.done();
}

inline std::vector<uint8_t> file_record(const Task &t, uint16_t kind, std::string_view path, std::string_view path2 = {},
					int32_t result = 3, uint32_t open_flags = 0, uint16_t flags = 0)
{
	RecordBuilder b(kind, sizeof(struct guard_file), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_file f {};
	f.header = header_of(b);
	f.header.flags = flags;
	f.path = b.add(path);
	f.path2 = b.add(path2);
	f.path_given = b.add("");
	f.result = result;
	f.open_flags = open_flags;
	b.put(f);
	return b.done();
}

// A file record (file_record) with a mode: an open's with O_CREAT, a chmod's.
inline std::vector<uint8_t> with_file_mode(std::vector<uint8_t> rec, uint32_t mode)
{
	std::memcpy(rec.data() + offsetof(struct guard_file, mode), &mode, sizeof(mode));
	return rec;
}

inline std::vector<uint8_t> net_record(const Task &t, uint16_t kind, uint16_t family, std::vector<uint8_t> addr,
				       uint16_t port, int32_t result = 0, uint16_t flags = 0, uint32_t count = 0)
{
	RecordBuilder b(kind, sizeof(struct guard_net), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_net n {};
	n.header = header_of(b);
	n.header.flags = flags;
	n.count = count;
	n.family = family;
	n.port = port;
	n.result = result;
	if (!addr.empty())
		std::memcpy(n.addr, addr.data(), std::min<size_t>(addr.size(), 16));
	n.unix_path = b.add("");
	n.given_unix_path = b.add("");
	b.put(n);
	return b.done();
}

// A connect whose sockaddr was rewritten while it ran: the socket's peer,
// and beside it the IPv4 address the caller's memory showed at enter.
inline std::vector<uint8_t> raced_connect_record(const Task &t, std::vector<uint8_t> addr, uint16_t port,
						 std::vector<uint8_t> given, uint16_t given_port)
{
	RecordBuilder b(GUARD_RECORD_NET_CONNECT, sizeof(struct guard_net), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_net n {};
	n.header = header_of(b);
	n.header.flags = GUARD_NET_RACED;
	n.family = AF_INET;
	n.port = port;
	n.result = -115; // EINPROGRESS
	std::memcpy(n.addr, addr.data(), std::min<size_t>(addr.size(), 16));
	n.given_family = AF_INET;
	n.given_port = given_port;
	std::memcpy(n.given_addr, given.data(), std::min<size_t>(given.size(), 16));
	n.unix_path = b.add("");
	n.given_unix_path = b.add("");
	b.put(n);
	return b.done();
}

inline std::vector<uint8_t> ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }

} // namespace guard::synthetic
