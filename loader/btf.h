/* SPDX-License-Identifier: GPL-2.0-or-later */
// BPF Type Format: the type graph clang writes into an object's .BTF section
// and the kernel exposes for itself at /sys/kernel/btf/vmlinux. The loader
// reads map shapes from it, and CO-RE matches types across the two graphs.
//
// Layout (include/uapi/linux/btf.h): a btf_header, then a types section of
// variable-length records (struct btf_type followed by kind-specific data),
// then a string section. Type id 0 is "void"; ids count from 1 in file order.
#pragma once

#include <linux/btf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace guard {

class Btf {
public:
	// Copies and validates a raw BTF blob: header, section bounds, every
	// type's kind-specific data and every name offset. Throws Error.
	static Btf parse(std::span<const uint8_t> raw);
	static Btf parse(std::vector<uint8_t> &&raw); // takes the bytes without a copy
	// Reads and parses a raw BTF file, such as /sys/kernel/btf/vmlinux.
	static Btf load_file(const std::string &path);

	// Number of types, not counting void: valid ids are 1..type_count().
	uint32_t type_count() const { return static_cast<uint32_t>(offsets_.size()) - 1; }
	const struct btf_type &type(uint32_t id) const;
	std::string_view name(uint32_t id) const { return string_at(type(id).name_off); }
	std::string_view string_at(uint32_t offset) const;

	static uint32_t kind(const struct btf_type &t) { return BTF_INFO_KIND(t.info); }
	static uint32_t vlen(const struct btf_type &t) { return BTF_INFO_VLEN(t.info); }
	uint32_t kind(uint32_t id) const { return kind(type(id)); }

	// Kind-specific data that follows a btf_type.
	std::span<const struct btf_member> members(uint32_t id) const;       // STRUCT, UNION
	const struct btf_array &array(uint32_t id) const;                     // ARRAY
	std::span<const struct btf_var_secinfo> datasec_vars(uint32_t id) const; // DATASEC
	const struct btf_var &var(uint32_t id) const;                         // VAR
	std::span<const struct btf_enum> enum_values(uint32_t id) const;      // ENUM
	std::span<const struct btf_enum64> enum64_values(uint32_t id) const;  // ENUM64
	std::span<const struct btf_param> params(uint32_t id) const;          // FUNC_PROTO
	uint32_t int_data(uint32_t id) const;                                 // INT: the u32 after btf_type
	uint32_t int_encoding(uint32_t id) const { return BTF_INT_ENCODING(int_data(id)); }

	// A member's place in its struct: in bits, and its width when it is a
	// bitfield (0 otherwise). With kind_flag set, `offset` packs both.
	static uint32_t member_bit_offset(const struct btf_type &parent, const struct btf_member &m)
	{
		return BTF_INFO_KFLAG(parent.info) ? BTF_MEMBER_BIT_OFFSET(m.offset) : m.offset;
	}
	static uint32_t member_bitfield_size(const struct btf_type &parent, const struct btf_member &m)
	{
		return BTF_INFO_KFLAG(parent.info) ? BTF_MEMBER_BITFIELD_SIZE(m.offset) : 0;
	}

	// In-place fix-ups (loader/btf_fixup.cpp); sizes never change.
	struct btf_type &mutable_type(uint32_t id) { return *reinterpret_cast<struct btf_type *>(writable(&type(id))); }
	std::span<struct btf_var_secinfo> mutable_datasec_vars(uint32_t id)
	{
		auto vars = datasec_vars(id);
		return {reinterpret_cast<struct btf_var_secinfo *>(writable(vars.data())), vars.size()};
	}
	struct btf_var &mutable_var(uint32_t id) { return *reinterpret_cast<struct btf_var *>(writable(&var(id))); }
	std::span<struct btf_param> mutable_params(uint32_t id)
	{
		auto ps = params(id);
		return {reinterpret_cast<struct btf_param *>(writable(ps.data())), ps.size()};
	}

	// Follows TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG to the type beneath.
	uint32_t skip_modifiers(uint32_t id) const;
	// Size in bytes of a sized type (int, struct, array, pointer...).
	uint64_t resolve_size(uint32_t id) const;
	// First type of `kind` named `name`.
	std::optional<uint32_t> find(std::string_view name, uint32_t kind) const;

	std::span<const uint8_t> raw() const { return {base_, size_}; }
	// The string section, whole: NUL-separated names, ending with a NUL.
	std::string_view strings() const
	{
		return {reinterpret_cast<const char *>(base_ + strings_begin_), strings_size_};
	}

	Btf(Btf &&) = default;
	Btf &operator=(Btf &&) = default;
	Btf(const Btf &other) { *this = other; }
	Btf &operator=(const Btf &other);

private:
	Btf() = default;
	// Validates base_/size_ and indexes the types.
	void index();
	const uint8_t *at(uint32_t types_offset) const { return base_ + types_begin_ + types_offset; }
	uint8_t *writable(const void *p);

	// The bytes are either ours (owned_) or a read-only mapping of a file
	// (mapping_, for the kernel's BTF: no copy of several MiB at start-up).
	std::vector<uint8_t> owned_;
	std::shared_ptr<const void> mapping_;
	const uint8_t *base_ = nullptr;
	size_t size_ = 0;
	size_t types_begin_ = 0;   // where the types section starts in raw_
	size_t strings_begin_ = 0; // where the string section starts in raw_
	size_t strings_size_ = 0;
	std::vector<uint32_t> offsets_; // type id -> offset of its btf_type in the types section
};

} // namespace guard
