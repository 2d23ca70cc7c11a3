// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/btf.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fd.h"

#include "base/error.h"

namespace guard {

namespace {

// Bytes of kind-specific data after a btf_type, or nullopt for an unknown kind.
std::optional<size_t> extra_size(const struct btf_type &t)
{
	size_t vlen = BTF_INFO_VLEN(t.info);
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_INT:
		return sizeof(uint32_t);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64:
		return vlen * sizeof(struct btf_enum64);
	default:
		return std::nullopt;
	}
}

} // namespace

Btf Btf::parse(std::span<const uint8_t> raw)
{
	return parse(std::vector<uint8_t>(raw.begin(), raw.end()));
}

Btf Btf::parse(std::vector<uint8_t> &&bytes)
{
	Btf btf;
	btf.owned_ = std::move(bytes);
	btf.base_ = btf.owned_.data();
	btf.size_ = btf.owned_.size();
	btf.index();
	return btf;
}

namespace {

// The btf_header (include/uapi/linux/btf.h), checked: its sections inside the
// data, the types 4-byte aligned (records are made of __u32s), the strings
// NUL-terminated so any in-range offset starts a C string that ends.
struct btf_header read_header(std::span<const uint8_t> raw)
{
	struct btf_header hdr;
	if (raw.size() < sizeof(hdr))
		fail("BTF: " + std::to_string(raw.size()) + " bytes is shorter than its header");
	std::memcpy(&hdr, raw.data(), sizeof(hdr));
	if (hdr.magic != BTF_MAGIC)
		fail("BTF: bad magic (not BTF, or not this host's byte order)");
	if (hdr.version != BTF_VERSION)
		fail("BTF: version " + std::to_string(hdr.version) + ", expected " + std::to_string(BTF_VERSION));
	if (hdr.hdr_len < sizeof(hdr) || hdr.hdr_len > raw.size() || hdr.hdr_len % 4 != 0)
		fail("BTF: header length " + std::to_string(hdr.hdr_len) + " out of range");
	uint64_t body = raw.size() - hdr.hdr_len;
	if (uint64_t(hdr.type_off) + hdr.type_len > body || uint64_t(hdr.str_off) + hdr.str_len > body)
		fail("BTF: type or string section extends past the end of the data");
	if (hdr.type_off % 4 != 0)
		fail("BTF: type section is not 4-byte aligned");
	if (hdr.str_len == 0 || raw[hdr.hdr_len + hdr.str_off + hdr.str_len - 1] != '\0')
		fail("BTF: string section does not end with NUL");
	return hdr;
}

// Names inside a type's kind data (members, enumerators, parameters) must be
// in the string section too, so name() never needs to check again.
template <typename Entry>
void check_entry_names(const uint8_t *data, uint32_t n, uint32_t str_len, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (reinterpret_cast<const Entry *>(data)[i].name_off >= str_len)
			fail("BTF: type " + std::to_string(id) + ": member name outside the string section");
}

void check_kind_data_names(const struct btf_type &t, const uint8_t *data, uint32_t str_len, uint32_t id)
{
	uint32_t n = Btf::vlen(t);
	switch (Btf::kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return check_entry_names<struct btf_member>(data, n, str_len, id);
	case BTF_KIND_ENUM:
		return check_entry_names<struct btf_enum>(data, n, str_len, id);
	case BTF_KIND_ENUM64:
		return check_entry_names<struct btf_enum64>(data, n, str_len, id);
	case BTF_KIND_FUNC_PROTO:
		return check_entry_names<struct btf_param>(data, n, str_len, id);
	default:
		return;
	}
}

} // namespace

void Btf::index()
{
	struct btf_header hdr = read_header(std::span<const uint8_t>(base_, size_));
	types_begin_ = hdr.hdr_len + hdr.type_off;
	strings_begin_ = hdr.hdr_len + hdr.str_off;
	strings_size_ = hdr.str_len;

	// One pass over the types: vmlinux has ~100,000 of them, and indexing
	// it is on guard's start-up path. Ids are implicit: the n-th record is id n.
	offsets_.reserve(hdr.type_len / 32);
	offsets_.push_back(0); // id 0: void, which has no record
	uint32_t pos = 0;
	while (pos < hdr.type_len) {
		uint32_t id = static_cast<uint32_t>(offsets_.size());
		if (hdr.type_len - pos < sizeof(struct btf_type))
			fail("BTF: type " + std::to_string(id) + ": truncated");
		struct btf_type t;
		std::memcpy(&t, at(pos), sizeof(t));
		std::optional<size_t> extra = extra_size(t);
		if (!extra)
			fail("BTF: type " + std::to_string(id) + ": unknown kind " + std::to_string(BTF_INFO_KIND(t.info)));
		if (hdr.type_len - pos - sizeof(t) < *extra)
			fail("BTF: type " + std::to_string(id) + ": kind data truncated");
		if (t.name_off >= hdr.str_len)
			fail("BTF: type " + std::to_string(id) + ": name offset outside the string section");
		offsets_.push_back(pos);
		check_kind_data_names(t, at(pos) + sizeof(t), hdr.str_len, id);
		pos += static_cast<uint32_t>(sizeof(t) + *extra);
	}
}

Btf Btf::load_file(const std::string &path)
{
	Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		fail(errno_message("read " + path, errno));
	struct stat st;
	if (::fstat(fd.get(), &st) != 0)
		fail(errno_message("stat " + path, errno));
	size_t size = static_cast<size_t>(st.st_size);

	// Map it when the file allows (sysfs does for vmlinux BTF since 6.16):
	// the kernel's BTF is several MiB, and copying it costs start-up time.
	if (size > 0) {
		void *p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
		if (p != MAP_FAILED) {
			Btf btf;
			btf.mapping_ = std::shared_ptr<const void>(p, [size](const void *q) { ::munmap(const_cast<void *>(q), size); });
			btf.base_ = static_cast<const uint8_t *>(p);
			btf.size_ = size;
			with_context(path, [&] { btf.index(); });
			return btf;
		}
	}
	std::vector<uint8_t> bytes(size);
	size_t have = 0;
	while (have < bytes.size()) {
		ssize_t n = ::read(fd.get(), bytes.data() + have, bytes.size() - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(errno_message("read " + path, errno));
		if (n == 0)
			break;
		have += static_cast<size_t>(n);
	}
	bytes.resize(have);
	return with_context(path, [&] { return parse(std::move(bytes)); });
}

Btf &Btf::operator=(const Btf &other)
{
	if (this == &other)
		return *this;
	owned_ = other.owned_;
	mapping_ = other.mapping_;
	base_ = owned_.empty() ? other.base_ : owned_.data();
	size_ = other.size_;
	types_begin_ = other.types_begin_;
	strings_begin_ = other.strings_begin_;
	strings_size_ = other.strings_size_;
	offsets_ = other.offsets_;
	return *this;
}

uint8_t *Btf::writable(const void *p)
{
	if (mapping_)
		fail("BTF: a mapped file is read-only");
	return const_cast<uint8_t *>(static_cast<const uint8_t *>(p));
}

const struct btf_type &Btf::type(uint32_t id) const
{
	if (id == 0 || id >= offsets_.size())
		fail("BTF: no type with id " + std::to_string(id));
	return *reinterpret_cast<const struct btf_type *>(at(offsets_[id]));
}

std::string_view Btf::string_at(uint32_t offset) const
{
	if (offset >= strings_size_)
		fail("BTF: string offset " + std::to_string(offset) + " outside the string section");
	const char *s = reinterpret_cast<const char *>(base_ + strings_begin_ + offset);
	return {s, strnlen(s, strings_size_ - offset)};
}

std::span<const struct btf_member> Btf::members(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_STRUCT && kind(t) != BTF_KIND_UNION)
		fail("BTF: type " + std::to_string(id) + " is not a struct or union");
	return {reinterpret_cast<const struct btf_member *>(&t + 1), vlen(t)};
}

const struct btf_array &Btf::array(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_ARRAY)
		fail("BTF: type " + std::to_string(id) + " is not an array");
	return *reinterpret_cast<const struct btf_array *>(&t + 1);
}

std::span<const struct btf_var_secinfo> Btf::datasec_vars(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_DATASEC)
		fail("BTF: type " + std::to_string(id) + " is not a DATASEC");
	return {reinterpret_cast<const struct btf_var_secinfo *>(&t + 1), vlen(t)};
}

const struct btf_var &Btf::var(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_VAR)
		fail("BTF: type " + std::to_string(id) + " is not a VAR");
	return *reinterpret_cast<const struct btf_var *>(&t + 1);
}

std::span<const struct btf_enum> Btf::enum_values(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_ENUM)
		fail("BTF: type " + std::to_string(id) + " is not an ENUM");
	return {reinterpret_cast<const struct btf_enum *>(&t + 1), vlen(t)};
}

std::span<const struct btf_enum64> Btf::enum64_values(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_ENUM64)
		fail("BTF: type " + std::to_string(id) + " is not an ENUM64");
	return {reinterpret_cast<const struct btf_enum64 *>(&t + 1), vlen(t)};
}

std::span<const struct btf_param> Btf::params(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_FUNC_PROTO)
		fail("BTF: type " + std::to_string(id) + " is not a FUNC_PROTO");
	return {reinterpret_cast<const struct btf_param *>(&t + 1), vlen(t)};
}

uint32_t Btf::int_data(uint32_t id) const
{
	const struct btf_type &t = type(id);
	if (kind(t) != BTF_KIND_INT)
		fail("BTF: type " + std::to_string(id) + " is not an INT");
	uint32_t bits;
	std::memcpy(&bits, &t + 1, sizeof(bits));
	return bits;
}

uint32_t Btf::skip_modifiers(uint32_t id) const
{
	// A cycle of modifiers is malformed; the bound keeps a hostile file finite.
	for (uint32_t depth = 0; id != 0 && depth < 64; depth++) {
		switch (kind(id)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = type(id).type;
			break;
		default:
			return id;
		}
	}
	if (id != 0)
		fail("BTF: type chain too deep at id " + std::to_string(id));
	return id;
}

uint64_t Btf::resolve_size(uint32_t id) const
{
	uint64_t elements = 1;
	for (uint32_t depth = 0; depth < 64; depth++) {
		id = skip_modifiers(id);
		if (id == 0)
			fail("BTF: void has no size");
		const struct btf_type &t = type(id);
		switch (kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			return elements * t.size;
		case BTF_KIND_PTR:
			return elements * sizeof(uint64_t); // BPF pointers are 64-bit
		case BTF_KIND_ARRAY: {
			const struct btf_array &a = array(id);
			elements *= a.nelems;
			id = a.type;
			break;
		}
		case BTF_KIND_VAR:
			id = t.type;
			break;
		default:
			fail("BTF: type " + std::to_string(id) + " has no size");
		}
	}
	fail("BTF: array or var chain too deep");
}

std::optional<uint32_t> Btf::find(std::string_view name, uint32_t want) const
{
	for (uint32_t id = 1; id <= type_count(); id++)
		if (kind(id) == want && this->name(id) == name)
			return id;
	return std::nullopt;
}

} // namespace guard
