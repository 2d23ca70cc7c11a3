// SPDX-License-Identifier: GPL-2.0-or-later
// CO-RE resolution without root: the rules on type graphs built for the
// purpose, then every relocation of the core fixture against the real
// vmlinux BTF, each answer checked against an independent walk of it.
#include <doctest/doctest.h>

#include <algorithm>

#include "base/error.h"
#include "loader/core_relocate.h"
#include "test/support/btf_builder.h"
#include "test/support/files.h"
#include "test/support/fixtures.h"

using namespace guard;
using test::BtfBuilder;

namespace {

// An ALU64 "r1 = imm" with the relocation's local value, as clang emits.
std::vector<struct bpf_insn> mov_imm(int32_t imm) { return {{BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, imm}}; }

CoreRelocation relo(uint32_t type_id, std::string access, CoreKind kind)
{
	return {0, type_id, std::move(access), kind};
}

// Local: struct foo___local { int a; int b; } -- b at byte 4.
struct LocalFoo {
	Btf btf;
	uint32_t foo;
	static LocalFoo make(const std::string &name = "foo___local")
	{
		BtfBuilder b;
		uint32_t i32 = b.add_int("int", 4, true);
		uint32_t foo = b.add_struct(name, 8, {{"a", i32, 0}, {"b", i32, 32}});
		return {Btf::parse(b.build()), foo};
	}
};

} // namespace

TEST_CASE("essential names drop the ___flavor suffix")
{
	CHECK(essential_name("task_struct___v5") == "task_struct");
	CHECK(essential_name("task_struct") == "task_struct");
	CHECK(essential_name("a___b___c") == "a");
}

TEST_CASE("a field is found by name, not by its local offset")
{
	LocalFoo local = LocalFoo::make();
	BtfBuilder t;
	uint32_t i32 = t.add_int("int", 4, true);
	uint32_t i64 = t.add_int("long", 8, true);
	t.add_struct("foo", 24, {{"x", i64, 0}, {"b", i32, 128}, {"a", i32, 160}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);

	CoreResult r = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_byte_offset), 0);
	CHECK_FALSE(r.poison);
	CHECK(r.description == "foo___local.b");
	CHECK(r.local_value == 4);
	CHECK(r.target_value == 16);
	CHECK(r.target_path == "0:1");

	auto insns = mov_imm(4);
	patch_core_instruction(insns, r);
	CHECK(insns[0].imm == 16);
}

TEST_CASE("a member inside an anonymous union of the target is found")
{
	LocalFoo local = LocalFoo::make();
	BtfBuilder t;
	uint32_t i32 = t.add_int("int", 4, true);
	uint32_t anon = t.add_struct("", 4, {{"b", i32, 0}}, true);
	t.add_struct("foo", 12, {{"a", i32, 0}, {"", anon, 64}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	CoreResult r = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_byte_offset), 0);
	CHECK(r.target_value == 8);
	CHECK(r.target_path == "0:1:0");
}

TEST_CASE("two candidates that agree are fine; two that disagree are ambiguous")
{
	LocalFoo local = LocalFoo::make();
	{
		BtfBuilder t;
		uint32_t i32 = t.add_int("int", 4, true);
		t.add_struct("foo", 8, {{"a", i32, 0}, {"b", i32, 32}});
		t.add_struct("foo___other", 8, {{"b", i32, 32}});
		Btf target = Btf::parse(t.build());
		CoreContext ctx(&target);
		CHECK(resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_byte_offset), 0)
			      .target_value == 4);
	}
	{
		BtfBuilder t;
		uint32_t i32 = t.add_int("int", 4, true);
		t.add_struct("foo", 8, {{"a", i32, 0}, {"b", i32, 32}});
		t.add_struct("foo", 16, {{"b", i32, 96}});
		Btf target = Btf::parse(t.build());
		CoreContext ctx(&target);
		CHECK_THROWS_WITH_AS(
			resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_byte_offset), 3),
			doctest::Contains("CO-RE relo #3 (foo___local.b): ambiguous"), Error);
	}
}

TEST_CASE("a missing field poisons the instruction; exists says 0")
{
	LocalFoo local = LocalFoo::make();
	BtfBuilder t;
	uint32_t i32 = t.add_int("int", 4, true);
	t.add_struct("foo", 4, {{"a", i32, 0}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);

	CoreResult r = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_byte_offset), 3);
	CHECK(r.poison);
	CHECK(r.describe() == "CO-RE relo #3 (foo___local.b): no field in vmlinux BTF");
	auto insns = mov_imm(4);
	patch_core_instruction(insns, r);
	CHECK(insns[0].code == (BPF_JMP | BPF_CALL));
	CHECK(insns[0].imm == kCorePoisonHelper);

	CoreResult exists = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_exists), 0);
	CHECK_FALSE(exists.poison);
	CHECK(exists.local_value == 1);
	CHECK(exists.target_value == 0);
}

TEST_CASE("a field whose type changed kind does not match")
{
	LocalFoo local = LocalFoo::make();
	BtfBuilder t;
	uint32_t i32 = t.add_int("int", 4, true);
	uint32_t inner = t.add_struct("inner", 4, {{"z", i32, 0}});
	t.add_struct("foo", 8, {{"a", i32, 0}, {"b", inner, 32}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	CHECK(resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_byte_offset), 0).poison);
}

TEST_CASE("a missing type: type relocations read 0, field relocations poison")
{
	LocalFoo local = LocalFoo::make("nothing_like_it");
	BtfBuilder t;
	t.add_int("int", 4, true);
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	CoreResult exists = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0", CoreKind::type_exists), 0);
	CHECK_FALSE(exists.poison);
	CHECK(exists.target_value == 0);
	CoreResult size = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0", CoreKind::type_size), 0);
	CHECK(size.local_value == 8);
	CHECK(size.target_value == 0);
	CoreResult field = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:0", CoreKind::field_byte_offset), 1);
	CHECK(field.poison);
	CHECK(field.reason == "no type named nothing_like_it in vmlinux BTF");
}

TEST_CASE("bitfields: byte offset, size and the two shifts")
{
	// local: struct bits { unsigned int lo:3, mid:5; }; target moves mid to bits 10..14.
	BtfBuilder l;
	uint32_t u32 = l.add_int("unsigned int", 4);
	uint32_t bits = l.add_struct("bits", 4, {{"lo", u32, 0, 3}, {"mid", u32, 3, 5}});
	Btf local = Btf::parse(l.build());
	BtfBuilder t;
	uint32_t tu32 = t.add_int("unsigned int", 4);
	t.add_struct("bits", 8, {{"pad", tu32, 0, 0}, {"lo", tu32, 32, 3}, {"mid", tu32, 42, 5}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	auto value = [&](CoreKind kind) {
		CoreResult r = resolve_core_relocation(local, ctx, relo(bits, "0:1", kind), 0);
		REQUIRE_FALSE(r.poison);
		return r.target_value;
	};
	CHECK(value(CoreKind::field_byte_offset) == 4);
	CHECK(value(CoreKind::field_byte_size) == 4);
	CHECK(value(CoreKind::field_lshift_u64) == 64 - (42 + 5 - 32));
	CHECK(value(CoreKind::field_rshift_u64) == 64 - 5);
	CHECK(value(CoreKind::field_signed) == 0);
}

TEST_CASE("enum values by enumerator name")
{
	BtfBuilder l;
	uint32_t e = l.add_enum("color___mine", {{"RED", 0}, {"BLUE___x", 1}});
	Btf local = Btf::parse(l.build());
	BtfBuilder t;
	t.add_enum("color", {{"GREEN", 5}, {"BLUE", 9}, {"RED", 2}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	CoreResult v = resolve_core_relocation(local, ctx, relo(e, "1", CoreKind::enumval_value), 0);
	CHECK(v.description == "color___mine::BLUE___x");
	CHECK(v.local_value == 1);
	CHECK(v.target_value == 9);
	CHECK(resolve_core_relocation(local, ctx, relo(e, "0", CoreKind::enumval_exists), 0).target_value == 1);
}

TEST_CASE("a load whose field grew from u32 to u64 is widened")
{
	BtfBuilder l;
	uint32_t u32 = l.add_int("unsigned int", 4);
	uint32_t s = l.add_struct("s", 4, {{"n", u32, 0}});
	Btf local = Btf::parse(l.build());
	BtfBuilder t;
	uint32_t u64 = t.add_int("unsigned long", 8);
	t.add_struct("s", 16, {{"pad", u64, 0}, {"n", u64, 64}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	CoreResult r = resolve_core_relocation(local, ctx, relo(s, "0:0", CoreKind::field_byte_offset), 0);
	std::vector<struct bpf_insn> insns{{BPF_LDX | BPF_MEM | BPF_W, 0, 1, 0, 0}};
	patch_core_instruction(insns, r);
	CHECK(insns[0].off == 8);
	CHECK(insns[0].code == (BPF_LDX | BPF_MEM | BPF_DW));
}

TEST_CASE("an instruction that does not hold the local value is refused")
{
	LocalFoo local = LocalFoo::make();
	BtfBuilder t;
	uint32_t i32 = t.add_int("int", 4, true);
	t.add_struct("foo", 8, {{"a", i32, 0}, {"b", i32, 32}});
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	CoreResult r = resolve_core_relocation(local.btf, ctx, relo(local.foo, "0:1", CoreKind::field_byte_offset), 2);
	auto insns = mov_imm(12);
	CHECK_THROWS_WITH_AS(patch_core_instruction(insns, r), doctest::Contains("holds 12, the relocation expected 4"),
			     Error);
}

TEST_CASE("malformed access strings are errors")
{
	LocalFoo local = LocalFoo::make();
	BtfBuilder t;
	t.add_int("int", 4, true);
	Btf target = Btf::parse(t.build());
	CoreContext ctx(&target);
	for (const char *bad : {"", "0:", ":1", "0:x", "0:7", "0:1:0", "99999999999"})
		CHECK_THROWS_AS(resolve_core_relocation(local.btf, ctx, relo(local.foo, bad, CoreKind::field_byte_offset), 0),
				Error);
	// A kind no kernel defines never becomes a CoreKind: refused as .BTF.ext is read.
	CHECK_THROWS_WITH_AS(core_kind_from(99), "CO-RE: unknown relocation kind 99", Error);
	CHECK(core_kind_from(BPF_CORE_TYPE_MATCHES) == CoreKind::type_matches);
	CHECK_THROWS_AS(resolve_core_relocation(local.btf, ctx, relo(777, "0", CoreKind::field_byte_offset), 0), Error);
}

namespace {

// Byte offset of a direct, named member, walked by hand.
uint32_t member_offset(const Btf &btf, std::string_view type, std::string_view member)
{
	auto id = btf.find(type, BTF_KIND_STRUCT);
	REQUIRE(id);
	for (const struct btf_member &m : btf.members(*id))
		if (btf.string_at(m.name_off) == member)
			return Btf::member_bit_offset(btf.type(*id), m) / 8;
	FAIL("no member " << member << " in " << type);
	return 0;
}

} // namespace

TEST_CASE("core.bpf.o against this machine's vmlinux BTF")
{
	Btf vmlinux = Btf::load_file("/sys/kernel/btf/vmlinux");
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("core.bpf.o")));
	REQUIRE(spec.btf);
	const ProgramSpec &prog = spec.programs.at(0);
	CoreContext ctx(&vmlinux);
	std::vector<struct bpf_insn> insns = prog.insns;
	std::vector<CoreResult> results = apply_core_relocations(*spec.btf, ctx, prog, insns);
	REQUIRE(results.size() == prog.core_relos.size());

	auto find = [&](std::string_view description, CoreKind kind) -> const CoreResult & {
		auto it = std::find_if(results.begin(), results.end(), [&](const CoreResult &r) {
			return r.description == description && r.relo.kind == kind;
		});
		REQUIRE_MESSAGE(it != results.end(), "no relocation " << description);
		return *it;
	};
	CHECK(find("task_struct.real_parent", CoreKind::field_byte_offset).target_value ==
	      member_offset(vmlinux, "task_struct", "real_parent"));
	CHECK(find("task_struct.tgid", CoreKind::field_byte_offset).target_value ==
	      member_offset(vmlinux, "task_struct", "tgid"));
	CHECK(find("task_struct.cred", CoreKind::field_byte_offset).target_value ==
	      member_offset(vmlinux, "task_struct", "cred"));
	CHECK(find("nsproxy.mnt_ns", CoreKind::field_byte_offset).target_value ==
	      member_offset(vmlinux, "nsproxy", "mnt_ns"));
	CHECK(find("mnt_namespace.ns.inum", CoreKind::field_byte_offset).target_value ==
	      member_offset(vmlinux, "mnt_namespace", "ns") + member_offset(vmlinux, "ns_common", "inum"));
	CHECK(find("cred.euid.val", CoreKind::field_byte_offset).target_value ==
	      member_offset(vmlinux, "cred", "euid"));
	CHECK(find("task_struct.real_parent", CoreKind::field_exists).target_value == 1);
	CHECK(find("task_struct.real_parent", CoreKind::field_byte_size).target_value == 8);
	CHECK(find("task_struct___fake.no_such_member_anywhere", CoreKind::field_exists).target_value == 0);
	CHECK(find("struct guard_no_such_type", CoreKind::type_exists).target_value == 0);
	CHECK(find("struct task_struct", CoreKind::type_size).target_value ==
	      vmlinux.resolve_size(*vmlinux.find("task_struct", BTF_KIND_STRUCT)));
	CHECK(find("pid_type___fake::PIDTYPE_NO_SUCH_VALUE___fake", CoreKind::enumval_exists).target_value == 0);
	for (const CoreResult &r : results)
		CHECK_MESSAGE(!r.poison, r.describe());
}

TEST_CASE("type_matches: members by name with matching types; ints by size and sign")
{
	BtfBuilder l;
	uint32_t u32 = l.add_int("unsigned int", 4);
	uint32_t local = l.add_struct("pair___mine", 8, {{"b", u32, 0}, {"a", u32, 32}});
	Btf lb = Btf::parse(l.build());

	BtfBuilder t;
	uint32_t tu32 = t.add_int("unsigned int", 4);
	uint32_t ts32 = t.add_int("int", 4, true);
	uint32_t same = t.add_struct("pair", 12, {{"a", tu32, 0}, {"x", tu32, 32}, {"b", tu32, 64}});
	uint32_t signed_b = t.add_struct("pair", 8, {{"a", tu32, 0}, {"b", ts32, 32}});
	uint32_t missing = t.add_struct("pair", 4, {{"a", tu32, 0}});
	Btf tb = Btf::parse(t.build());

	CHECK(core_types_match(lb, local, tb, same));         // order and extra members do not matter
	CHECK_FALSE(core_types_match(lb, local, tb, signed_b)); // b's signedness differs
	CHECK_FALSE(core_types_match(lb, local, tb, missing));  // b is missing
	CHECK(core_types_compatible(lb, local, tb, missing));   // plain compatibility looks no deeper

	CoreContext ctx(&tb);
	// Three candidates by name; only the one that matches counts.
	CoreResult r = resolve_core_relocation(lb, ctx, relo(local, "0", CoreKind::type_matches), 0);
	CHECK(r.local_value == 1);
	CHECK(r.target_value == 1);
}
