/* SPDX-License-Identifier: GPL-2.0-or-later */
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

#include "base/fd.h"

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
	// BTF of key and value (0: none), in the BTF object btf_fd.
	int btf_fd = -1;
	uint32_t btf_key_type_id = 0;
	uint32_t btf_value_type_id = 0;
};
Fd bpf_map_create(const MapCreateRequest &req);

// BPF_MAP_UPDATE_ELEM / LOOKUP_ELEM with raw bytes of the map's key and value sizes.
void bpf_map_update(int map_fd, const void *key, const void *value, uint64_t flags = BPF_ANY);
// False when the key is not in the map (ENOENT).
bool bpf_map_lookup(int map_fd, const void *key, void *value);
// Deletes key; false if the map had no such key.
bool bpf_map_delete(int map_fd, const void *key);
// Deletes each of keys (one generation of a table, say).
template <class Keys> void bpf_map_delete_each(int map_fd, const Keys &keys)
{
	for (const auto &key : keys)
		bpf_map_delete(map_fd, &key);
}
// BPF_MAP_FREEZE: from now on no system call may change the map.
void bpf_map_freeze(int map_fd);

// BPF_BTF_LOAD: on rejection the kernel's BTF log is part of the Error's text.
Fd bpf_btf_load(std::span<const uint8_t> raw);

struct ProgramLoadRequest {
	std::string_view name;
	uint32_t type = 0;
	std::span<const struct bpf_insn> insns;
	std::string_view license;
	// BPF_F_* load flags (prog_flags): BPF_F_SLEEPABLE, say.
	uint32_t flags = 0;
	// For the types that take them (docs/loader.md, step 7): the attach type
	// the program is verified for, and its target's id in vmlinux BTF.
	uint32_t expected_attach_type = 0;
	uint32_t attach_btf_id = 0;
	// With the object's BTF loaded: one bpf_func_info per function and the
	// bpf_line_info records, insn_off counted in instructions of insns.
	int prog_btf_fd = -1;
	std::span<const struct bpf_func_info> func_info;
	std::span<const struct bpf_line_info> line_info;
	// When set, the program is loaded with BPF_LOG_STATS and the verifier's
	// statistics ("processed N insns ...", "verification time ...") land here.
	std::string *stats = nullptr;
};
// On rejection the verifier's log is part of the error's text: a
// VerifierRejection when the verifier wrote one, NotSupportedByKernel when
// the kernel says it cannot (EOPNOTSUPP, ENOTSUPP), else an Error.
Fd bpf_prog_load(const ProgramLoadRequest &req);

// BPF_PROG_TEST_RUN with no input: runs the program once, now, in the calling
// thread, and returns its return value (r0, cut to 32 bits by the kernel).
uint32_t bpf_prog_test_run(int prog_fd);

// Ids of every BPF program loaded on the machine (BPF_PROG_GET_NEXT_ID walk).
struct KernelProgram {
	uint32_t id;
	std::string name;
};
std::vector<KernelProgram> bpf_loaded_programs();

// BPF_OBJ_GET_INFO_BY_FD: what the kernel says about a program, map, link
// or BTF, into the matching struct bpf_*_info of size bytes.
void bpf_object_info(int fd, void *info, uint32_t size);
// What the kernel says about one loaded program (BPF_OBJ_GET_INFO_BY_FD).
struct bpf_prog_info bpf_program_info(int prog_fd);
// What the kernel says about one map: its id, type and sizes as created.
struct bpf_map_info bpf_map_info_of(int map_fd);

} // namespace guard
