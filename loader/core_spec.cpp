// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/core_spec.h"

#include "base/error.h"

namespace guard {

namespace {

// relo_core.c's BPF_CORE_SPEC_MAX_LEN: deeper access paths are refused.
constexpr size_t kMaxAccessLen = 64;
// Bound on type recursion (relo_core.c uses 32 levels).
constexpr int kMaxDepth = 32;

bool is_composite(uint32_t kind) { return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION; }
bool is_any_enum(uint32_t kind) { return kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64; }

std::vector<uint32_t> parse_access_string(std::string_view access)
{
	std::vector<uint32_t> out;
	size_t pos = 0;
	while (true) {
		size_t end = access.find(':', pos);
		std::string_view part = access.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
		if (part.empty() || part.size() > 10)
			fail("access string \"" + std::string(access) + "\": expected numbers separated by ':'");
		uint64_t v = 0;
		for (char c : part) {
			if (c < '0' || c > '9')
				fail("access string \"" + std::string(access) + "\": expected numbers separated by ':'");
			v = v * 10 + uint64_t(c - '0');
		}
		if (v > UINT32_MAX)
			fail("access string \"" + std::string(access) + "\": index too large");
		out.push_back(uint32_t(v));
		if (out.size() > kMaxAccessLen)
			fail("access string \"" + std::string(access) + "\": deeper than " + std::to_string(kMaxAccessLen));
		if (end == std::string_view::npos)
			return out;
		pos = end + 1;
	}
}

// A zero-length array as the last member of a struct: indexing past its
// declared size is how C reaches a flexible array's elements.
bool is_flexible_array(const Btf &btf, const CoreAccess *parent, const struct btf_array &arr)
{
	if (!parent || parent->name.empty() || arr.nelems > 0)
		return false;
	return parent->index + 1 == Btf::vlen(btf.type(parent->type_id));
}

std::string_view enumerator_name(const Btf &btf, uint32_t enum_id, uint32_t index)
{
	if (btf.kind(enum_id) == BTF_KIND_ENUM)
		return btf.string_at(btf.enum_values(enum_id)[index].name_off);
	return btf.string_at(btf.enum64_values(enum_id)[index].name_off);
}

// Finds local_acc's member by name in target struct targ_id, descending
// into anonymous members; on success target's accesses and offset grow.
bool match_member(const Btf &local, const CoreAccess &local_acc, const Btf &target, uint32_t targ_id, CoreSpec &spec,
		  uint32_t &next_targ_id, int depth)
{
	if (depth > kMaxDepth)
		fail("CO-RE: anonymous members nested too deep in target type " + std::to_string(targ_id));
	const struct btf_member &local_member = local.members(local_acc.type_id)[local_acc.index];
	targ_id = target.skip_modifiers(targ_id);
	if (targ_id == 0 || !is_composite(target.kind(targ_id)))
		return false;
	const struct btf_type &targ_t = target.type(targ_id);
	auto members = target.members(targ_id);
	for (uint32_t i = 0; i < members.size(); i++) {
		const struct btf_member &m = members[i];
		if (spec.raw.size() >= kMaxAccessLen)
			fail("CO-RE: target access path deeper than " + std::to_string(kMaxAccessLen));
		uint32_t bit_offset = Btf::member_bit_offset(targ_t, m);
		spec.bit_offset += bit_offset;
		spec.raw.push_back(i);
		std::string_view targ_name = target.string_at(m.name_off);
		if (targ_name.empty()) {
			if (match_member(local, local_acc, target, m.type, spec, next_targ_id, depth + 1))
				return true;
		} else if (targ_name == local_acc.name) {
			if (!core_fields_compatible(local, local_member.type, target, m.type))
				return false;
			spec.access.push_back({targ_id, i, targ_name});
			next_targ_id = m.type;
			return true;
		}
		spec.bit_offset -= bit_offset;
		spec.raw.pop_back();
	}
	return false;
}

bool types_compatible(const Btf &local, uint32_t local_id, const Btf &target, uint32_t targ_id, int depth)
{
	if (depth > kMaxDepth)
		fail("CO-RE: type compatibility check nested too deep");
	local_id = local.skip_modifiers(local_id);
	targ_id = target.skip_modifiers(targ_id);
	if (local_id == 0 || targ_id == 0)
		return local_id == targ_id; // void only matches void
	uint32_t lk = local.kind(local_id), tk = target.kind(targ_id);
	if (lk != tk && !(is_any_enum(lk) && is_any_enum(tk)))
		return false;
	switch (lk) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
	case BTF_KIND_FLOAT:
		return true; // the names were matched where it mattered; layouts may differ
	case BTF_KIND_INT:
		// Only the old "bitfield int" encoding (a bit offset inside an INT) is refused.
		return BTF_INT_OFFSET(local.int_data(local_id)) == 0 && BTF_INT_OFFSET(target.int_data(targ_id)) == 0;
	case BTF_KIND_PTR:
		return types_compatible(local, local.type(local_id).type, target, target.type(targ_id).type, depth + 1);
	case BTF_KIND_ARRAY:
		return types_compatible(local, local.array(local_id).type, target, target.array(targ_id).type, depth + 1);
	case BTF_KIND_FUNC_PROTO: {
		auto lp = local.params(local_id);
		auto tp = target.params(targ_id);
		if (lp.size() != tp.size())
			return false;
		for (size_t i = 0; i < lp.size(); i++)
			if (!types_compatible(local, lp[i].type, target, tp[i].type, depth + 1))
				return false;
		return types_compatible(local, local.type(local_id).type, target, target.type(targ_id).type, depth + 1);
	}
	default:
		return false;
	}
}

bool names_match(std::string_view local, std::string_view target)
{
	return local.empty() || essential_name(local) == essential_name(target);
}

bool types_match(const Btf &local, uint32_t local_id, const Btf &target, uint32_t targ_id, bool behind_ptr, int depth);

// Every local enumerator's name is one of the target's (values may differ:
// the program asks the kernel's value with bpf_core_enum_value).
bool enumerators_match(const Btf &local, uint32_t local_id, const Btf &target, uint32_t targ_id)
{
	const struct btf_type &lt = local.type(local_id);
	const struct btf_type &tt = target.type(targ_id);
	if (!is_any_enum(Btf::kind(tt)) || lt.size != tt.size)
		return false;
	for (uint32_t i = 0; i < Btf::vlen(lt); i++) {
		bool found = false;
		for (uint32_t j = 0; j < Btf::vlen(tt) && !found; j++)
			found = names_match(enumerator_name(local, local_id, i), enumerator_name(target, targ_id, j));
		if (!found)
			return false;
	}
	return true;
}

// Every local member exists in the target, by name, with a matching type.
bool members_match(const Btf &local, uint32_t local_id, const Btf &target, uint32_t targ_id, int depth)
{
	auto tm = target.members(targ_id);
	for (const struct btf_member &m : local.members(local_id)) {
		bool found = false;
		for (const struct btf_member &t : tm)
			if (local.string_at(m.name_off) == target.string_at(t.name_off)) {
				found = types_match(local, m.type, target, t.type, false, depth + 1);
				break;
			}
		if (!found)
			return false;
	}
	return true;
}

// The same number of parameters, each and the return type matching.
bool prototypes_match(const Btf &local, uint32_t local_id, const Btf &target, uint32_t targ_id, bool behind_ptr,
		      int depth)
{
	auto lp = local.params(local_id);
	auto tp = target.params(targ_id);
	if (lp.size() != tp.size())
		return false;
	for (size_t i = 0; i < lp.size(); i++)
		if (!types_match(local, lp[i].type, target, tp[i].type, behind_ptr, depth + 1))
			return false;
	return types_match(local, local.type(local_id).type, target, target.type(targ_id).type, behind_ptr, depth + 1);
}

bool types_match(const Btf &local, uint32_t local_id, const Btf &target, uint32_t targ_id, bool behind_ptr, int depth)
{
	if (depth > kMaxDepth)
		fail("CO-RE: type match nested too deep");
	local_id = local.skip_modifiers(local_id);
	targ_id = target.skip_modifiers(targ_id);
	if (local_id == 0 || targ_id == 0)
		return local_id == targ_id;
	const struct btf_type &lt = local.type(local_id);
	const struct btf_type &tt = target.type(targ_id);
	if (!names_match(local.name(local_id), target.name(targ_id)))
		return false;
	uint32_t lk = Btf::kind(lt), tk = Btf::kind(tt);
	switch (lk) {
	case BTF_KIND_FWD:
		// kind_flag: 0 declares a struct, 1 a union. Behind a pointer a
		// declaration matches the definition too.
		if (lk == tk)
			return BTF_INFO_KFLAG(lt.info) == BTF_INFO_KFLAG(tt.info);
		return behind_ptr && ((tk == BTF_KIND_STRUCT && !BTF_INFO_KFLAG(lt.info)) ||
				      (tk == BTF_KIND_UNION && BTF_INFO_KFLAG(lt.info)));
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return enumerators_match(local, local_id, target, targ_id);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (behind_ptr && tk == BTF_KIND_FWD)
			return (lk == BTF_KIND_UNION) == bool(BTF_INFO_KFLAG(tt.info));
		// Behind a pointer only the name and kind must agree: the layout
		// is the kernel's business.
		return lk == tk && (behind_ptr || members_match(local, local_id, target, targ_id, depth));
	case BTF_KIND_INT:
		return lk == tk && lt.size == tt.size &&
		       (local.int_encoding(local_id) & BTF_INT_SIGNED) == (target.int_encoding(targ_id) & BTF_INT_SIGNED);
	case BTF_KIND_PTR:
		return lk == tk && types_match(local, lt.type, target, tt.type, true, depth + 1);
	case BTF_KIND_ARRAY:
		return lk == tk && local.array(local_id).nelems == target.array(targ_id).nelems &&
		       types_match(local, local.array(local_id).type, target, target.array(targ_id).type, behind_ptr,
				   depth + 1);
	case BTF_KIND_FUNC_PROTO:
		return lk == tk && prototypes_match(local, local_id, target, targ_id, behind_ptr, depth);
	default:
		return lk == tk && lk == BTF_KIND_FLOAT && lt.size == tt.size;
	}
}

} // namespace

std::string_view essential_name(std::string_view name)
{
	size_t cut = name.find("___");
	return cut == std::string_view::npos ? name : name.substr(0, cut);
}

namespace {

// An enum value relocation: the access string is one index, an enumerator of
// the (possibly typedef'd) enum.
void parse_enumval_access(CoreSpec &spec, uint32_t type_id, std::string_view access)
{
	const Btf &btf = *spec.btf;
	uint32_t id = btf.skip_modifiers(type_id);
	if (id == 0 || !is_any_enum(btf.kind(id)))
		fail("enum value relocation on type " + std::to_string(type_id) + ", which is not an enum");
	if (spec.raw.size() != 1 || spec.raw[0] >= Btf::vlen(btf.type(id)))
		fail("access string \"" + std::string(access) + "\" names no enumerator");
	spec.access.push_back({id, spec.raw[0], enumerator_name(btf, id, spec.raw[0])});
}

// One step of a field relocation's access string from type id: member
// `index` of a struct or union (named members become access steps; an
// anonymous one only moves the offset), or element `index` of an array.
// Returns the type stepped into.
uint32_t step_into(CoreSpec &spec, uint32_t id, uint32_t index, std::string_view access, size_t step)
{
	const Btf &btf = *spec.btf;
	id = btf.skip_modifiers(id);
	if (id == 0)
		fail("access string \"" + std::string(access) + "\" steps into void");
	uint32_t k = btf.kind(id);
	if (is_composite(k)) {
		auto members = btf.members(id);
		if (index >= members.size())
			fail("access string \"" + std::string(access) + "\": member " + std::to_string(index) +
			     " of a type with " + std::to_string(members.size()));
		spec.bit_offset += Btf::member_bit_offset(btf.type(id), members[index]);
		std::string_view name = btf.string_at(members[index].name_off);
		if (!name.empty())
			spec.access.push_back({id, index, name});
		return members[index].type;
	}
	if (k != BTF_KIND_ARRAY)
		fail("access string \"" + std::string(access) + "\": step " + std::to_string(step) +
		     " into a type that is neither struct, union nor array");
	const struct btf_array &arr = btf.array(id);
	if (!is_flexible_array(btf, &spec.access.back(), arr) && index >= arr.nelems)
		fail("access string \"" + std::string(access) + "\": element " + std::to_string(index) +
		     " of an array of " + std::to_string(arr.nelems));
	id = btf.skip_modifiers(arr.type);
	spec.access.push_back({id, index, {}});
	spec.bit_offset += uint64_t(index) * btf.resolve_size(id) * 8;
	return id;
}

} // namespace

CoreSpec parse_core_spec(const Btf &btf, uint32_t type_id, std::string_view access, CoreKind kind)
{
	CoreSpec spec;
	spec.btf = &btf;
	spec.root_type_id = type_id;
	spec.kind = kind;
	spec.raw = parse_access_string(access);
	btf.type(type_id); // must exist

	switch (core_kind_class(kind)) {
	case CoreKindClass::type:
		if (spec.raw.size() != 1 || spec.raw[0] != 0)
			fail("access string \"" + std::string(access) + "\" of a type relocation must be \"0\"");
		return spec;
	case CoreKindClass::enumval:
		parse_enumval_access(spec, type_id, access);
		return spec;
	case CoreKindClass::field:
		break;
	}

	// The first index walks over the root as if it were an array element.
	uint32_t id = btf.skip_modifiers(type_id);
	if (id == 0)
		fail("field relocation rooted at void");
	spec.access.push_back({id, spec.raw[0], {}});
	spec.bit_offset = uint64_t(spec.raw[0]) * btf.resolve_size(id) * 8;
	for (size_t i = 1; i < spec.raw.size(); i++)
		id = step_into(spec, id, spec.raw[i], access, i);
	return spec;
}

std::string describe_core_spec(const CoreSpec &spec)
{
	const Btf &btf = *spec.btf;
	std::string root(btf.name(spec.root_type_id));
	if (root.empty())
		root = "(anon)";
	switch (core_kind_class(spec.kind)) {
	case CoreKindClass::type: {
		uint32_t k = btf.kind(spec.root_type_id);
		std::string_view prefix = k == BTF_KIND_STRUCT ? "struct " : k == BTF_KIND_UNION ? "union " :
					  is_any_enum(k) ? "enum " : k == BTF_KIND_TYPEDEF ? "typedef " : "";
		return std::string(prefix) + root;
	}
	case CoreKindClass::enumval:
		return root + "::" + std::string(spec.access.empty() ? "?" : spec.access[0].name);
	case CoreKindClass::field:
		break;
	}
	std::string out = root;
	if (!spec.access.empty() && spec.access[0].index != 0)
		out += "[" + std::to_string(spec.access[0].index) + "]";
	for (size_t i = 1; i < spec.access.size(); i++)
		out += spec.access[i].name.empty() ? "[" + std::to_string(spec.access[i].index) + "]"
						   : "." + std::string(spec.access[i].name);
	return out;
}

namespace {

// One cache entry for both enum kinds: an enum may be either in the kernel.
uint32_t candidate_kind(uint32_t kind)
{
	return kind == BTF_KIND_ENUM64 ? uint32_t(BTF_KIND_ENUM) : kind;
}

} // namespace

void CoreCandidates::prefetch(const Btf &local, const std::vector<uint32_t> &local_ids)
{
	std::map<std::pair<uint32_t, std::string_view>, std::vector<uint32_t>> wanted;
	uint64_t kinds = 0; // a bit per BTF kind asked about
	for (uint32_t id : local_ids) {
		if (id == 0 || id > local.type_count())
			continue; // parse_core_spec reports it
		uint32_t kind = candidate_kind(local.kind(id));
		std::string_view name = essential_name(local.name(id));
		if (name.empty() || cache_.count({kind, std::string(name)}))
			continue;
		wanted.try_emplace({kind, name});
		kinds |= uint64_t(1) << kind;
	}
	if (wanted.empty())
		return;
	// Most names differ from every wanted one in their first two bytes: a
	// table of those (64 Ki bits) skips them before any string is measured.
	std::vector<bool> prefixes(1 << 16);
	auto prefix = [](const char *s) { return (unsigned(uint8_t(s[0])) << 8) | (s[0] ? uint8_t(s[1]) : 0u); };
	for (const auto &[key, ids] : wanted)
		prefixes[prefix(std::string(key.second).c_str())] = true;
	std::string_view strings = target_.strings();
	for (uint32_t id = 1; id <= target_.type_count(); id++) {
		const struct btf_type &t = target_.type(id);
		uint32_t kind = candidate_kind(Btf::kind(t));
		if (!(kinds & (uint64_t(1) << kind)) || t.name_off >= strings.size() ||
		    !prefixes[prefix(strings.data() + t.name_off)])
			continue;
		if (auto it = wanted.find({kind, essential_name(target_.string_at(t.name_off))}); it != wanted.end())
			it->second.push_back(id);
	}
	for (auto &[key, ids] : wanted)
		cache_.emplace(std::make_pair(key.first, std::string(key.second)), std::move(ids));
}

const std::vector<uint32_t> &CoreCandidates::find(const Btf &local, uint32_t local_id)
{
	uint32_t kind = candidate_kind(local.kind(local_id));
	std::string name(essential_name(local.name(local_id)));
	auto key = std::make_pair(kind, name);
	if (auto it = cache_.find(key); it != cache_.end())
		return it->second;
	std::vector<uint32_t> found;
	for (uint32_t id = 1; id <= target_.type_count(); id++) {
		uint32_t k = target_.kind(id);
		if (k != kind && !(kind == BTF_KIND_ENUM && k == BTF_KIND_ENUM64))
			continue;
		if (essential_name(target_.name(id)) == name)
			found.push_back(id);
	}
	return cache_.emplace(key, std::move(found)).first->second;
}

bool match_core_spec(const CoreSpec &local, const Btf &target, uint32_t candidate, CoreSpec &out)
{
	out = CoreSpec{};
	out.btf = &target;
	out.root_type_id = candidate;
	out.kind = local.kind;

	switch (core_kind_class(local.kind)) {
	case CoreKindClass::type:
		if (local.kind == CoreKind::type_matches)
			return core_types_match(*local.btf, local.root_type_id, target, candidate);
		return core_types_compatible(*local.btf, local.root_type_id, target, candidate);
	case CoreKindClass::enumval: {
		uint32_t id = target.skip_modifiers(candidate);
		if (id == 0 || !is_any_enum(target.kind(id)))
			return false;
		std::string_view want = essential_name(local.access[0].name);
		for (uint32_t i = 0; i < Btf::vlen(target.type(id)); i++) {
			std::string_view name = enumerator_name(target, id, i);
			if (essential_name(name) == want) {
				out.access.push_back({id, i, name});
				out.raw.push_back(i);
				return true;
			}
		}
		return false;
	}
	case CoreKindClass::field:
		break;
	}

	uint32_t targ_id = candidate;
	for (size_t i = 0; i < local.access.size(); i++) {
		const CoreAccess &acc = local.access[i];
		if (!acc.name.empty()) {
			if (!match_member(*local.btf, acc, target, targ_id, out, targ_id, 0))
				return false;
			continue;
		}
		// An array step; the root step (i == 0) indexes the root itself.
		if (i > 0) {
			targ_id = target.skip_modifiers(targ_id);
			if (targ_id == 0 || target.kind(targ_id) != BTF_KIND_ARRAY)
				return false;
			const struct btf_array &arr = target.array(targ_id);
			const CoreAccess *parent = out.access.empty() ? nullptr : &out.access.back();
			if (!is_flexible_array(target, parent, arr) && acc.index >= arr.nelems)
				return false;
			targ_id = arr.type;
		}
		targ_id = target.skip_modifiers(targ_id);
		if (targ_id == 0)
			return false;
		if (out.raw.size() >= kMaxAccessLen)
			fail("CO-RE: target access path deeper than " + std::to_string(kMaxAccessLen));
		out.access.push_back({targ_id, acc.index, {}});
		out.raw.push_back(acc.index);
		out.bit_offset += uint64_t(acc.index) * target.resolve_size(targ_id) * 8;
	}
	return true;
}

bool core_fields_compatible(const Btf &local, uint32_t local_id, const Btf &target, uint32_t targ_id)
{
	for (int depth = 0; depth <= kMaxDepth; depth++) {
		local_id = local.skip_modifiers(local_id);
		targ_id = target.skip_modifiers(targ_id);
		if (local_id == 0 || targ_id == 0)
			return local_id == targ_id;
		uint32_t lk = local.kind(local_id), tk = target.kind(targ_id);
		if (is_composite(lk) && is_composite(tk))
			return true;
		if (is_any_enum(lk) && is_any_enum(tk))
			return essential_name(local.name(local_id)) == essential_name(target.name(targ_id));
		if (lk != tk)
			return false;
		switch (lk) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return true;
		case BTF_KIND_FWD:
			return essential_name(local.name(local_id)) == essential_name(target.name(targ_id));
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(local.int_data(local_id)) == 0 && BTF_INT_OFFSET(target.int_data(targ_id)) == 0;
		case BTF_KIND_ARRAY:
			local_id = local.array(local_id).type;
			targ_id = target.array(targ_id).type;
			continue;
		default:
			return false;
		}
	}
	fail("CO-RE: array of arrays nested too deep");
}

bool core_types_compatible(const Btf &local, uint32_t local_id, const Btf &target, uint32_t target_id)
{
	return types_compatible(local, local_id, target, target_id, 0);
}

bool core_types_match(const Btf &local, uint32_t local_id, const Btf &target, uint32_t target_id)
{
	return types_match(local, local_id, target, target_id, false, 0);
}

} // namespace guard
