// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/bpf_syscall.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "loader/load_errors.h"

namespace guard {

long sys_bpf(enum bpf_cmd cmd, union bpf_attr &attr)
{
	return ::syscall(__NR_bpf, cmd, &attr, sizeof(attr));
}

void copy_object_name(char (&dst)[BPF_OBJ_NAME_LEN], std::string_view name)
{
	std::memset(dst, 0, sizeof(dst));
	size_t n = 0;
	for (char c : name) {
		if (n == sizeof(dst) - 1)
			break;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '.';
		dst[n++] = ok ? c : '_';
	}
}

Fd bpf_map_create(const MapCreateRequest &req)
{
	union bpf_attr attr {};
	attr.map_type = req.type;
	attr.key_size = req.key_size;
	attr.value_size = req.value_size;
	attr.max_entries = req.max_entries;
	attr.map_flags = req.flags;
	if (req.btf_fd >= 0 && (req.btf_key_type_id || req.btf_value_type_id)) {
		attr.btf_fd = static_cast<uint32_t>(req.btf_fd);
		attr.btf_key_type_id = req.btf_key_type_id;
		attr.btf_value_type_id = req.btf_value_type_id;
	}
	copy_object_name(attr.map_name, req.name);
	long fd = sys_bpf(BPF_MAP_CREATE, attr);
	if (fd < 0)
		fail(errno_message("BPF_MAP_CREATE", errno));
	return Fd(static_cast<int>(fd));
}

void bpf_map_update(int map_fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr {};
	attr.map_fd = static_cast<uint32_t>(map_fd);
	attr.key = reinterpret_cast<uintptr_t>(key);
	attr.value = reinterpret_cast<uintptr_t>(value);
	attr.flags = flags;
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, attr) != 0)
		fail(errno_message("BPF_MAP_UPDATE_ELEM", errno));
}

bool bpf_map_lookup(int map_fd, const void *key, void *value)
{
	union bpf_attr attr {};
	attr.map_fd = static_cast<uint32_t>(map_fd);
	attr.key = reinterpret_cast<uintptr_t>(key);
	attr.value = reinterpret_cast<uintptr_t>(value);
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, attr) == 0)
		return true;
	if (errno == ENOENT)
		return false;
	fail(errno_message("BPF_MAP_LOOKUP_ELEM", errno));
}

bool bpf_map_delete(int map_fd, const void *key)
{
	union bpf_attr attr {};
	attr.map_fd = static_cast<uint32_t>(map_fd);
	attr.key = reinterpret_cast<uintptr_t>(key);
	if (sys_bpf(BPF_MAP_DELETE_ELEM, attr) == 0)
		return true;
	if (errno == ENOENT)
		return false;
	fail(errno_message("BPF_MAP_DELETE_ELEM", errno));
}

void bpf_map_freeze(int map_fd)
{
	union bpf_attr attr {};
	attr.map_fd = static_cast<uint32_t>(map_fd);
	if (sys_bpf(BPF_MAP_FREEZE, attr) != 0)
		fail(errno_message("BPF_MAP_FREEZE", errno));
}

namespace {

// The verifier's log ends with its verdict; the last lines are what a reader
// needs first, so a long log is cut from the front.
std::string log_tail(const std::string &log, size_t max_bytes)
{
	std::string text = log.substr(0, log.find('\0'));
	while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
		text.pop_back();
	if (text.size() <= max_bytes)
		return text;
	size_t cut = text.find('\n', text.size() - max_bytes);
	return "...\n" + text.substr(cut == std::string::npos ? text.size() - max_bytes : cut + 1);
}

long prog_load(const ProgramLoadRequest &req, char *log, uint32_t log_size, uint32_t log_level = 1)
{
	union bpf_attr attr {};
	attr.prog_type = req.type;
	attr.insns = reinterpret_cast<uintptr_t>(req.insns.data());
	attr.insn_cnt = static_cast<uint32_t>(req.insns.size());
	std::string license(req.license);
	attr.license = reinterpret_cast<uintptr_t>(license.c_str());
	attr.prog_flags = req.flags;
	attr.expected_attach_type = req.expected_attach_type;
	attr.attach_btf_id = req.attach_btf_id;
	copy_object_name(attr.prog_name, req.name);
	if (req.prog_btf_fd >= 0) {
		attr.prog_btf_fd = static_cast<uint32_t>(req.prog_btf_fd);
		attr.func_info_rec_size = sizeof(struct bpf_func_info);
		attr.func_info = reinterpret_cast<uintptr_t>(req.func_info.data());
		attr.func_info_cnt = static_cast<uint32_t>(req.func_info.size());
		attr.line_info_rec_size = sizeof(struct bpf_line_info);
		attr.line_info = reinterpret_cast<uintptr_t>(req.line_info.data());
		attr.line_info_cnt = static_cast<uint32_t>(req.line_info.size());
	}
	if (log) {
		attr.log_level = log_level;
		attr.log_buf = reinterpret_cast<uintptr_t>(log);
		attr.log_size = log_size;
	}
	return sys_bpf(BPF_PROG_LOAD, attr);
}

// EPERM before the verifier ran (no log) means either "you may not load
// BPF" or "nobody may load this type here" (a locked-down kernel refuses
// fentry, fexit and LSM programs even to root). Telling them apart: may
// this process load the plainest program, r0 = 0; exit, as a tracepoint?
bool may_load_tracepoint_program()
{
	struct bpf_insn insns[2] {};
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].dst_reg = BPF_REG_0;
	insns[1].code = BPF_JMP | BPF_EXIT;
	ProgramLoadRequest probe;
	probe.name = "guard_probe";
	probe.type = BPF_PROG_TYPE_TRACEPOINT;
	probe.insns = insns;
	probe.license = "GPL";
	long fd = prog_load(probe, nullptr, 0);
	if (fd < 0)
		return false;
	::close(static_cast<int>(fd));
	return true;
}

} // namespace

Fd bpf_prog_load(const ProgramLoadRequest &req)
{
	long fd;
	if (req.stats) {
		// Statistics only: a few lines, whatever the program's size.
		std::string log(64 * 1024, '\0');
		// log_level 4 is the kernel's BPF_LOG_STATS (not in the UAPI header).
		fd = prog_load(req, log.data(), static_cast<uint32_t>(log.size()), 4);
		if (fd >= 0) {
			*req.stats = log_tail(log, log.size());
			return Fd(static_cast<int>(fd));
		}
	} else {
		// First without a log: the verifier runs faster when it need not write one.
		fd = prog_load(req, nullptr, 0);
		if (fd >= 0)
			return Fd(static_cast<int>(fd));
	}
	int first_errno = errno;

	// Again with a log, growing it until the whole verdict fits (ENOSPC).
	std::string log;
	for (uint32_t size = 1 << 20; size <= (1u << 28); size <<= 2) {
		log.assign(size, '\0');
		fd = prog_load(req, log.data(), size);
		if (fd >= 0)
			return Fd(static_cast<int>(fd)); // passed the second time: keep it
		if (errno != ENOSPC)
			break;
	}
	std::string message = errno_message("BPF_PROG_LOAD", first_errno);
	std::string tail = log_tail(log, 4096);
	// ENOTSUPP (524) is the kernel's own "not supported", which only
	// reaches userspace by mistake; strerror has no text for it.
	if (first_errno == EOPNOTSUPP || first_errno == 524)
		throw NotSupportedByKernel(message + (first_errno == 524 ? " (ENOTSUPP)" : "") + ": not supported by this kernel" +
					   (tail.empty() ? "" : ": verifier:\n" + tail));
	if (!tail.empty())
		throw VerifierRejection(message + ": verifier:\n" + tail, tail);
	if (first_errno == EPERM && req.type != BPF_PROG_TYPE_TRACEPOINT && may_load_tracepoint_program())
		throw NotSupportedByKernel(message + ": not supported by this kernel: it refuses program type " +
					   std::to_string(req.type) + " with expected_attach_type " +
					   std::to_string(req.expected_attach_type) +
					   " where a plain tracepoint program loads (a locked-down kernel refuses fentry, "
					   "fexit and lsm)");
	fail(message);
}

Fd bpf_btf_load(std::span<const uint8_t> raw)
{
	union bpf_attr attr {};
	attr.btf = reinterpret_cast<uintptr_t>(raw.data());
	attr.btf_size = static_cast<uint32_t>(raw.size());
	long fd = sys_bpf(BPF_BTF_LOAD, attr);
	if (fd >= 0)
		return Fd(static_cast<int>(fd));
	int first_errno = errno;
	// Again with a log: the kernel names the type it rejected and why.
	std::string log(1 << 20, '\0');
	attr.btf_log_buf = reinterpret_cast<uintptr_t>(log.data());
	attr.btf_log_size = static_cast<uint32_t>(log.size());
	attr.btf_log_level = 1;
	fd = sys_bpf(BPF_BTF_LOAD, attr);
	if (fd >= 0)
		return Fd(static_cast<int>(fd));
	std::string message = errno_message("BPF_BTF_LOAD", first_errno);
	std::string tail = log_tail(log, 4096);
	if (!tail.empty())
		message += ": BTF log:\n" + tail;
	fail(message);
}

uint32_t bpf_prog_test_run(int prog_fd)
{
	union bpf_attr attr {};
	attr.test.prog_fd = static_cast<uint32_t>(prog_fd);
	if (sys_bpf(BPF_PROG_TEST_RUN, attr) != 0)
		fail(errno_message("BPF_PROG_TEST_RUN", errno));
	return attr.test.retval;
}

void bpf_object_info(int fd, void *info, uint32_t size)
{
	union bpf_attr query {};
	query.info.bpf_fd = static_cast<uint32_t>(fd);
	query.info.info_len = size;
	query.info.info = reinterpret_cast<uintptr_t>(info);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, query) != 0)
		fail(errno_message("BPF_OBJ_GET_INFO_BY_FD", errno));
}

struct bpf_prog_info bpf_program_info(int prog_fd)
{
	struct bpf_prog_info info {};
	bpf_object_info(prog_fd, &info, sizeof(info));
	return info;
}

struct bpf_map_info bpf_map_info_of(int map_fd)
{
	struct bpf_map_info info {};
	bpf_object_info(map_fd, &info, sizeof(info));
	return info;
}

std::vector<KernelProgram> bpf_loaded_programs()
{
	std::vector<KernelProgram> programs;
	uint32_t id = 0;
	for (;;) {
		union bpf_attr attr {};
		attr.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, attr) != 0) {
			if (errno == ENOENT)
				break;
			fail(errno_message("BPF_PROG_GET_NEXT_ID", errno));
		}
		id = attr.next_id;

		union bpf_attr get {};
		get.prog_id = id;
		long fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, get);
		if (fd < 0)
			continue; // unloaded since we saw its id
		Fd prog(static_cast<int>(fd));
		struct bpf_prog_info info {};
		union bpf_attr query {};
		query.info.bpf_fd = static_cast<uint32_t>(prog.get());
		query.info.info_len = sizeof(info);
		query.info.info = reinterpret_cast<uintptr_t>(&info);
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, query) != 0)
			fail(errno_message("BPF_OBJ_GET_INFO_BY_FD", errno));
		programs.push_back({id, std::string(info.name, strnlen(info.name, sizeof(info.name)))});
	}
	return programs;
}

} // namespace guard
