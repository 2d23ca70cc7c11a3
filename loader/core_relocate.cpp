// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/core_relocate.h"

#include <climits>

#include "base/error.h"

namespace guard {

namespace {

constexpr const char *kKernelBtfPath = "/sys/kernel/btf/vmlinux";

struct FieldValue {
	uint64_t value = 0;
	uint32_t size = 0;     // byte_off: the field's size, to adjust a load's width
	uint32_t type_id = 0;  // byte_off: the field's type
	bool validate = true;
};

// An array element (or the root itself) has an offset and a size only.
FieldValue element_value(const CoreSpec &spec, const CoreAccess &acc)
{
	FieldValue out;
	uint64_t size = spec.btf->resolve_size(acc.type_id);
	if (spec.kind == CoreKind::field_byte_offset) {
		out.value = spec.bit_offset / 8;
		out.size = uint32_t(size);
		out.type_id = acc.type_id;
	} else if (spec.kind == CoreKind::field_byte_size) {
		out.value = size;
	} else {
		fail(std::string(core_kind_name(spec.kind)) + " relocation on an array element");
	}
	return out;
}

// Where a member lies, in whole bytes: a bitfield's bytes are the smallest
// naturally aligned load that holds every bit of it.
struct FieldBytes {
	uint64_t offset = 0;
	uint64_t size = 0;
	uint64_t bit_size = 0;
	bool bitfield = false;
};

FieldBytes field_bytes(const Btf &btf, uint32_t field_type, uint64_t bit_off, uint64_t bitfield_size)
{
	FieldBytes f;
	f.bitfield = bitfield_size > 0;
	if (!f.bitfield) {
		f.size = btf.resolve_size(field_type);
		f.offset = bit_off / 8;
		f.bit_size = f.size * 8;
		return f;
	}
	f.bit_size = bitfield_size;
	f.size = btf.type(field_type).size;
	if (f.size == 0)
		fail("bitfield of a zero-sized type");
	f.offset = bit_off / 8 / f.size * f.size;
	while (bit_off + f.bit_size - f.offset * 8 > f.size * 8) {
		if (f.size >= 8)
			fail("bitfield cannot be read with one 64-bit load");
		f.size *= 2;
		f.offset = bit_off / 8 / f.size * f.size;
	}
	return f;
}

bool is_signed_type(const Btf &btf, uint32_t type_id)
{
	if (!type_id)
		return false;
	uint32_t k = btf.kind(type_id);
	return ((k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64) && BTF_INFO_KFLAG(btf.type(type_id).info)) ||
	       (k == BTF_KIND_INT && (btf.int_encoding(type_id) & BTF_INT_SIGNED));
}

// The value of a field relocation on one side, local or target
// (relo_core.c: bpf_core_calc_field_relo).
FieldValue field_value(const CoreSpec &spec)
{
	const Btf &btf = *spec.btf;
	const CoreAccess &acc = spec.access.back();
	if (acc.name.empty())
		return element_value(spec, acc);
	const struct btf_member &m = btf.members(acc.type_id)[acc.index];
	uint32_t field_type = btf.skip_modifiers(m.type);
	uint64_t bit_off = spec.bit_offset;
	FieldBytes f = field_bytes(btf, field_type, bit_off, Btf::member_bitfield_size(btf.type(acc.type_id), m));
	FieldValue out;
	// For a bitfield the compiler may have chosen another load; only the
	// shifts' and signedness's answers are unambiguous enough to check.
	out.validate = !f.bitfield;
	switch (spec.kind) {
	case CoreKind::field_byte_offset:
		out.value = f.offset;
		if (!f.bitfield) {
			out.size = uint32_t(f.size);
			out.type_id = field_type;
		}
		break;
	case CoreKind::field_byte_size:
		out.value = f.size;
		break;
	case CoreKind::field_signed:
		out.value = is_signed_type(btf, field_type);
		out.validate = true;
		break;
	case CoreKind::field_lshift_u64:
		// Little-endian: shift the field's top bit up to bit 63.
		out.value = 64 - (bit_off + f.bit_size - f.offset * 8);
		break;
	case CoreKind::field_rshift_u64:
		out.value = 64 - f.bit_size;
		out.validate = true;
		break;
	default:
		fail("unexpected field relocation kind " + std::string(core_kind_name(spec.kind)));
	}
	return out;
}

// One side's value; target == nullptr means "no candidate matched".
// Returns false when the answer is "poison the instruction".
bool side_value(const CoreSpec *spec, CoreKind kind, FieldValue &out)
{
	switch (core_kind_class(kind)) {
	case CoreKindClass::field:
		if (kind == CoreKind::field_exists) {
			out.value = spec != nullptr;
			return true;
		}
		if (!spec)
			return false;
		out = field_value(*spec);
		return true;
	case CoreKindClass::type:
		// Type relocations read 0 when the kernel lacks the type.
		if (!spec) {
			out.value = 0;
			return true;
		}
		switch (kind) {
		case CoreKind::type_id_local:
		case CoreKind::type_id_target:
			out.value = spec->root_type_id;
			break;
		case CoreKind::type_size:
			out.value = spec->btf->resolve_size(spec->root_type_id);
			break;
		default: // exists, matches
			out.value = 1;
			break;
		}
		return true;
	case CoreKindClass::enumval:
		if (kind == CoreKind::enumval_exists) {
			out.value = spec != nullptr;
			return true;
		}
		if (!spec)
			return false;
		const CoreAccess &acc = spec->access[0];
		if (spec->btf->kind(acc.type_id) == BTF_KIND_ENUM)
			out.value = uint64_t(int64_t(spec->btf->enum_values(acc.type_id)[acc.index].val));
		else {
			const struct btf_enum64 &e = spec->btf->enum64_values(acc.type_id)[acc.index];
			out.value = (uint64_t(e.val_hi32) << 32) | e.val_lo32;
		}
		return true;
	}
	return false;
}

std::string raw_path(const std::vector<uint32_t> &raw)
{
	std::string s;
	for (uint32_t i : raw)
		s += (s.empty() ? "" : ":") + std::to_string(i);
	return s;
}

// Loads and stores may change width only where that cannot change meaning:
// pointers (always 8 bytes to BPF) and unsigned integers.
bool size_change_is_safe(const Btf &local, uint32_t local_type, const Btf &target, uint32_t target_type)
{
	if (!local_type || !target_type)
		return false;
	uint32_t lk = local.kind(local_type), tk = target.kind(target_type);
	if (lk == BTF_KIND_PTR && tk == BTF_KIND_PTR)
		return true;
	return lk == BTF_KIND_INT && tk == BTF_KIND_INT && !(local.int_encoding(local_type) & BTF_INT_SIGNED) &&
	       !(target.int_encoding(target_type) & BTF_INT_SIGNED);
}

std::string poison_reason(const CoreSpec &local, bool had_candidates)
{
	std::string_view root = local.btf->name(local.root_type_id);
	if (!had_candidates)
		return "no type named " + std::string(essential_name(root)) + " in vmlinux BTF";
	switch (core_kind_class(local.kind)) {
	case CoreKindClass::enumval:
		return "no enumerator in vmlinux BTF";
	default:
		return "no field in vmlinux BTF";
	}
}

int bpf_size_bits(uint32_t bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

uint32_t insn_access_bytes(const struct bpf_insn &insn)
{
	switch (BPF_SIZE(insn.code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

void poison(std::vector<struct bpf_insn> &insns, size_t at)
{
	struct bpf_insn &insn = insns[at];
	// Both slots of an ld_imm64, so the verifier does not first complain
	// about an unknown opcode in the second one.
	if (insn.code == (BPF_LD | BPF_IMM | BPF_DW) && at + 1 < insns.size())
		insns[at + 1] = {BPF_JMP | BPF_CALL, 0, 0, 0, kCorePoisonHelper};
	insn = {BPF_JMP | BPF_CALL, 0, 0, 0, kCorePoisonHelper};
}

// The one kernel type among the candidates that the local spec matches, with
// its value. Two that match must agree: otherwise which was meant is unknown.
struct KernelMatch {
	std::optional<CoreSpec> spec; // none: no candidate matched
	FieldValue value;
	bool poison = false; // matched, but has no value (side_value said so)
};

KernelMatch match_in_kernel(const CoreSpec &local_spec, const Btf &target, const std::vector<uint32_t> &cands,
			    CoreKind kind)
{
	KernelMatch m;
	for (uint32_t cand : cands) {
		CoreSpec targ_spec;
		if (!match_core_spec(local_spec, target, cand, targ_spec))
			continue;
		FieldValue v;
		bool ok = side_value(&targ_spec, kind, v);
		if (!m.spec) {
			m.spec = targ_spec;
			m.value = v;
			m.poison = !ok;
			continue;
		}
		if (targ_spec.bit_offset != m.spec->bit_offset)
			fail("ambiguous: kernel types " + std::to_string(m.spec->root_type_id) + " and " +
			     std::to_string(cand) + " put the field at different offsets");
		if (ok == m.poison || (ok && v.value != m.value.value))
			fail("ambiguous: kernel types " + std::to_string(m.spec->root_type_id) + " and " +
			     std::to_string(cand) + " give different values");
	}
	return m;
}

// r.relo resolved against the kernel: r's target value, or poison and why.
void resolve_against_kernel(const Btf &local, CoreContext &kernel, const CoreSpec &local_spec, CoreResult &r)
{
	const CoreRelocation &relo = r.relo;
	if (relo.kind == CoreKind::type_id_local) {
		// Our own BTF is what the kernel gets: the local id stays valid.
		r.local_value = r.target_value = relo.type_id;
		r.validate = false;
		return;
	}
	FieldValue local_value;
	side_value(&local_spec, relo.kind, local_value);
	r.local_value = local_value.value;
	r.local_size = local_value.size;
	r.validate = local_value.validate;

	if (local.name(relo.type_id).empty())
		fail("the root type is anonymous: nothing to look up in vmlinux BTF by name");
	const Btf &target = kernel.kernel();
	const std::vector<uint32_t> &cands = kernel.candidates().find(local, relo.type_id);
	KernelMatch m = match_in_kernel(local_spec, target, cands, relo.kind);
	if (!m.spec) {
		FieldValue none;
		if (side_value(nullptr, relo.kind, none)) {
			r.target_value = none.value;
		} else {
			r.poison = true;
			r.reason = poison_reason(local_spec, !cands.empty());
		}
		return;
	}
	if (m.poison) {
		r.poison = true;
		r.reason = "no value in vmlinux BTF";
		return;
	}
	r.target_value = m.value.value;
	r.target_size = m.value.size;
	r.target_path = raw_path(m.spec->raw);
	if (relo.kind == CoreKind::field_byte_offset && r.local_size != r.target_size)
		r.size_mismatch = !size_change_is_safe(local, local_value.type_id, target, m.value.type_id);
}

} // namespace

std::string CoreResult::describe() const
{
	std::string s = "CO-RE relo #" + std::to_string(index) + " (" + description + ")";
	if (poison)
		s += ": " + reason;
	return s;
}

Btf read_kernel_btf()
{
	return with_context("load kernel BTF", [] { return Btf::load_file(kKernelBtfPath); });
}

const Btf &CoreContext::kernel()
{
	if (given_)
		return *given_;
	if (!owned_)
		owned_ = read_kernel_btf();
	return *owned_;
}

CoreCandidates &CoreContext::candidates()
{
	if (!candidates_)
		candidates_.emplace(kernel());
	return *candidates_;
}

CoreResult resolve_core_relocation(const Btf &local, CoreContext &kernel, const CoreRelocation &relo, size_t index)
{
	CoreResult r;
	r.index = index;
	r.relo = relo;
	CoreSpec local_spec = with_context("CO-RE relo #" + std::to_string(index), [&] {
		return parse_core_spec(local, relo.type_id, relo.access, relo.kind);
	});
	r.description = describe_core_spec(local_spec);
	with_context("CO-RE relo #" + std::to_string(index) + " (" + r.description + ")",
		     [&] { resolve_against_kernel(local, kernel, local_spec, r); });
	return r;
}

void patch_core_instruction(std::vector<struct bpf_insn> &insns, const CoreResult &r)
{
	std::string what = "CO-RE relo #" + std::to_string(r.index) + " (" + r.description + ") at instruction " +
			   std::to_string(r.relo.insn);
	if (r.relo.insn >= insns.size())
		fail(what + ": past the end of the program");
	if (r.poison) {
		poison(insns, r.relo.insn);
		return;
	}
	struct bpf_insn &insn = insns[r.relo.insn];
	auto mismatch = [&](uint64_t have) {
		fail(what + ": instruction holds " + std::to_string(have) + ", the relocation expected " +
		     std::to_string(r.local_value));
	};
	switch (BPF_CLASS(insn.code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn.code) != BPF_K)
			fail(what + ": ALU instruction without an immediate");
		if (r.validate && uint32_t(insn.imm) != uint32_t(r.local_value))
			mismatch(uint32_t(insn.imm));
		insn.imm = int32_t(uint32_t(r.target_value));
		return;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		if (r.validate && int64_t(insn.off) != int64_t(r.local_value))
			mismatch(uint64_t(int64_t(insn.off)));
		if (r.target_value > SHRT_MAX)
			fail(what + ": offset " + std::to_string(r.target_value) + " does not fit a load/store");
		if (r.size_mismatch) {
			// Reading an int where the kernel now has a different kind of
			// field: as libbpf, refuse through the verifier, not silently.
			poison(insns, r.relo.insn);
			return;
		}
		insn.off = int16_t(r.target_value);
		if (r.local_size && r.target_size && r.local_size != r.target_size) {
			if (insn_access_bytes(insn) != r.local_size)
				fail(what + ": access width differs from the field's size");
			int bits = bpf_size_bits(r.target_size);
			if (bits < 0)
				fail(what + ": kernel field of " + std::to_string(r.target_size) + " bytes cannot be loaded");
			insn.code = uint8_t(BPF_MODE(insn.code) | bits | BPF_CLASS(insn.code));
		}
		return;
	case BPF_LD: {
		if (insn.code != (BPF_LD | BPF_IMM | BPF_DW) || r.relo.insn + 1 >= insns.size() || insn.src_reg != 0)
			fail(what + ": not a plain ld_imm64");
		struct bpf_insn &hi = insns[r.relo.insn + 1];
		uint64_t imm = uint64_t(uint32_t(insn.imm)) | (uint64_t(uint32_t(hi.imm)) << 32);
		if (r.validate && imm != r.local_value)
			mismatch(imm);
		insn.imm = int32_t(uint32_t(r.target_value));
		hi.imm = int32_t(uint32_t(r.target_value >> 32));
		return;
	}
	default:
		fail(what + ": instruction class " + std::to_string(BPF_CLASS(insn.code)) + " cannot be relocated");
	}
}

std::vector<CoreResult> apply_core_relocations(const Btf &local, CoreContext &kernel, const ProgramSpec &prog,
					       std::vector<struct bpf_insn> &insns)
{
	std::vector<CoreResult> results;
	for (size_t i = 0; i < prog.core_relos.size(); i++) {
		const CoreRelocation &relo = prog.core_relos[i];
		auto key = std::make_tuple(&local, relo.type_id, relo.access, relo.kind);
		CoreResult r;
		if (auto it = kernel.resolved.find(key); it != kernel.resolved.end()) {
			r = it->second;
			r.index = i;
			r.relo = relo;
		} else {
			r = resolve_core_relocation(local, kernel, relo, i);
			kernel.resolved.emplace(key, r);
		}
		patch_core_instruction(insns, r);
		results.push_back(std::move(r));
	}
	return results;
}

} // namespace guard
