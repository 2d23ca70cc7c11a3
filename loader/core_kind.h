/* SPDX-License-Identifier: GPL-2.0-or-later */
// What a CO-RE relocation asks for: linux/bpf.h's enum bpf_core_relo_kind
// as a type. The object file holds the kind as a plain number, which may be
// anything in a hostile file; it becomes a CoreKind only through
// core_kind_from(), which refuses a number the kernel does not define, so
// that everything past reading .BTF.ext switches over known kinds only.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string_view>

namespace guard {

enum class CoreKind : uint32_t {
	// A member's place and shape: the offset patched into a load.
	field_byte_offset = BPF_CORE_FIELD_BYTE_OFFSET,
	field_byte_size = BPF_CORE_FIELD_BYTE_SIZE,
	field_exists = BPF_CORE_FIELD_EXISTS,
	field_signed = BPF_CORE_FIELD_SIGNED,
	field_lshift_u64 = BPF_CORE_FIELD_LSHIFT_U64, // a bitfield's shifts
	field_rshift_u64 = BPF_CORE_FIELD_RSHIFT_U64,
	// A type's id, existence, size or shape.
	type_id_local = BPF_CORE_TYPE_ID_LOCAL,
	type_id_target = BPF_CORE_TYPE_ID_TARGET,
	type_exists = BPF_CORE_TYPE_EXISTS,
	type_size = BPF_CORE_TYPE_SIZE,
	// An enumerator's existence or value.
	enumval_exists = BPF_CORE_ENUMVAL_EXISTS,
	enumval_value = BPF_CORE_ENUMVAL_VALUE,
	type_matches = BPF_CORE_TYPE_MATCHES,
};

// The three families, each matched against the kernel by its own rules.
enum class CoreKindClass { field, type, enumval };

CoreKindClass core_kind_class(CoreKind kind);

// libbpf's names ("byte_off", "field_exists", ...), for messages.
std::string_view core_kind_name(CoreKind kind);

// The kind of a .BTF.ext record; throws Error for a number that is none.
CoreKind core_kind_from(uint32_t number);

} // namespace guard
