/* SPDX-License-Identifier: GPL-2.0-or-later */
// Builds small raw BTF blobs in tests, so CO-RE rules can be checked on
// type graphs made for the purpose (two candidates, a missing field...)
// without root and without depending on the running kernel's layout.
#pragma once

#include <linux/btf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace guard::test {

class BtfBuilder {
public:
	struct Member {
		std::string name;
		uint32_t type;
		uint32_t bit_offset;
		uint32_t bitfield_size = 0;
	};

	uint32_t add_int(const std::string &name, uint32_t bytes, bool is_signed = false)
	{
		uint32_t id = begin(name, BTF_KIND_INT, 0, false, bytes);
		push(((is_signed ? uint32_t(BTF_INT_SIGNED) : 0u) << 24) | (bytes * 8)); // encoding, offset 0, bits
		return id;
	}
	uint32_t add_ptr(uint32_t to) { return begin("", BTF_KIND_PTR, 0, false, to); }
	uint32_t add_typedef(const std::string &name, uint32_t to) { return begin(name, BTF_KIND_TYPEDEF, 0, false, to); }
	uint32_t add_struct(const std::string &name, uint32_t size, const std::vector<Member> &members,
			    bool is_union = false)
	{
		bool kflag = false;
		for (const Member &m : members)
			kflag |= m.bitfield_size != 0;
		uint32_t id = begin(name, is_union ? BTF_KIND_UNION : BTF_KIND_STRUCT, uint32_t(members.size()), kflag,
				    size);
		for (const Member &m : members) {
			push(str(m.name));
			push(m.type);
			push(kflag ? (m.bitfield_size << 24) | m.bit_offset : m.bit_offset);
		}
		return id;
	}
	uint32_t add_array(uint32_t elem, uint32_t index_type, uint32_t n)
	{
		uint32_t id = begin("", BTF_KIND_ARRAY, 0, false, 0);
		push(elem);
		push(index_type);
		push(n);
		return id;
	}
	uint32_t add_enum(const std::string &name, const std::vector<std::pair<std::string, int32_t>> &values)
	{
		uint32_t id = begin(name, BTF_KIND_ENUM, uint32_t(values.size()), false, 4);
		for (auto &[n, v] : values) {
			push(str(n));
			push(uint32_t(v));
		}
		return id;
	}

	std::vector<uint8_t> build() const
	{
		struct btf_header hdr {};
		hdr.magic = BTF_MAGIC;
		hdr.version = BTF_VERSION;
		hdr.hdr_len = sizeof(hdr);
		hdr.type_off = 0;
		hdr.type_len = uint32_t(types_.size() * 4);
		hdr.str_off = hdr.type_len;
		hdr.str_len = uint32_t(strings_.size());
		std::vector<uint8_t> out(sizeof(hdr) + hdr.type_len + hdr.str_len);
		std::memcpy(out.data(), &hdr, sizeof(hdr));
		std::memcpy(out.data() + sizeof(hdr), types_.data(), hdr.type_len);
		std::memcpy(out.data() + sizeof(hdr) + hdr.type_len, strings_.data(), strings_.size());
		return out;
	}

private:
	uint32_t begin(const std::string &name, uint32_t kind, uint32_t vlen, bool kflag, uint32_t size_or_type)
	{
		push(str(name));
		push((kflag ? 1u << 31 : 0u) | (kind << 24) | vlen); // btf_type.info
		push(size_or_type);
		return ++count_;
	}
	void push(uint32_t v) { types_.push_back(v); }
	uint32_t str(const std::string &s)
	{
		if (s.empty())
			return 0;
		uint32_t off = uint32_t(strings_.size());
		strings_.insert(strings_.end(), s.begin(), s.end());
		strings_.push_back('\0');
		return off;
	}

	std::vector<uint32_t> types_;
	std::string strings_ = std::string(1, '\0');
	uint32_t count_ = 0;
};

} // namespace guard::test
