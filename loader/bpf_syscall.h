// The bpf(2) system call, which glibc does not wrap, and the few commands guard
// issues through it. Each returns an owned Fd or throws an Error naming the
// command and the errno.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loader/fd.h"

namespace guard {

// Raw bpf(2): returns what the kernel returned (-1 and errno on failure).
long sys_bpf(enum bpf_cmd cmd, union bpf_attr &attr);

// bpf_attr.map_name and prog_name hold BPF_OBJ_NAME_LEN - 1 characters of
// [A-Za-z0-9_.]; longer names are cut, others are rejected by the kernel.
void copy_object_name(char (&dst)[BPF_OBJ_NAME_LEN], std::string_view name);

struct MapCreateRequest {
	std::string_view name;
	uint32_t type = 0;
	uint32_t key_size = 0;
	uint32_t value_size = 0;
	uint32_t max_entries = 0;
	uint32_t flags = 0;
};
Fd bpf_map_create(const MapCreateRequest &req);

struct ProgramLoadRequest {
	std::string_view name;
	uint32_t type = 0;
	std::span<const struct bpf_insn> insns;
	std::string_view license;
};
// On rejection the verifier's log is part of the Error's text.
Fd bpf_prog_load(const ProgramLoadRequest &req);

// Ids of every BPF program loaded on the machine (BPF_PROG_GET_NEXT_ID walk).
struct KernelProgram {
	uint32_t id;
	std::string name;
};
std::vector<KernelProgram> bpf_loaded_programs();

} // namespace guard
