/* SPDX-License-Identifier: GPL-2.0-or-later */
// CO-RE, part one: what a relocation means and where the same thing is in
// the kernel's BTF. Follows the rules of the kernel's own relo_core.c (which
// libbpf shares), re-derived here so that a reader can follow each one.
//
// A relocation names a root type in the object's BTF (the "local" BTF) and
// an access string of indices, "0:1:2":
//   - field relocations: the first index steps over the root pointer like an
//     array (almost always 0), each next one picks a member of a struct or
//     union, or an element of an array;
//   - type relocations: the access string is just "0";
//   - enum value relocations: the single index picks an enumerator.
//
// Matching against the kernel ("target") BTF goes by NAME, never by local
// offsets: candidates are target types of the same kind whose essential name
// (the name without a "___suffix") equals the local one; a member matches by
// exact name, looking through anonymous structs and unions; matched members
// must have compatible types.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "loader/btf.h"
#include "loader/core_kind.h"

namespace guard {

// One step of an access path. For a member: the struct or union holding it
// and the member's index; for an array element (or the root step): the
// element type and the index.
struct CoreAccess {
	uint32_t type_id = 0;
	uint32_t index = 0;
	std::string_view name; // member or enumerator name; empty for array steps
};

struct CoreSpec {
	const Btf *btf = nullptr;
	uint32_t root_type_id = 0;
	CoreKind kind = CoreKind::field_byte_offset;
	std::vector<CoreAccess> access;  // named steps and array steps (anonymous members folded in)
	std::vector<uint32_t> raw;       // every index, anonymous members included
	uint64_t bit_offset = 0;         // of the accessed field from the root
};

// "task_struct___v2" -> "task_struct".
std::string_view essential_name(std::string_view name);

// Parses a relocation's access string against the local BTF. Throws Error
// when the string does not fit the types (a malformed object).
CoreSpec parse_core_spec(const Btf &btf, uint32_t type_id, std::string_view access, CoreKind kind);

// "task_struct.real_parent", "pid_type::PIDTYPE_MAX", "struct task_struct".
std::string describe_core_spec(const CoreSpec &spec);

// Target types that could be the local root type: same kind (any enum for an
// enum), same essential name. Remembers answers per name, as the kernel BTF
// is large and programs ask about the same few types again and again.
class CoreCandidates {
public:
	explicit CoreCandidates(const Btf &target) : target_(target) {}
	const std::vector<uint32_t> &find(const Btf &local, uint32_t local_id);
	// Finds the candidates of many local types in one pass over the target:
	// vmlinux has some 100,000 types, and one pass per type asked about was
	// most of the loader's own start-up time.
	void prefetch(const Btf &local, const std::vector<uint32_t> &local_ids);

private:
	const Btf &target_;
	std::map<std::pair<uint32_t, std::string>, std::vector<uint32_t>> cache_;
};

// Matches local against one candidate root in target: true and *out filled
// when every step finds its counterpart with compatible types.
bool match_core_spec(const CoreSpec &local, const Btf &target, uint32_t candidate, CoreSpec &out);

// relo_core.c's compatibility rules, exposed for tests.
bool core_fields_compatible(const Btf &local, uint32_t local_id, const Btf &target, uint32_t target_id);
bool core_types_compatible(const Btf &local, uint32_t local_id, const Btf &target, uint32_t target_id);
bool core_types_match(const Btf &local, uint32_t local_id, const Btf &target, uint32_t target_id);

} // namespace guard
