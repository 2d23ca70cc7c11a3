// SPDX-License-Identifier: GPL-2.0-or-later
// The privilege kinds (cred_change ... memfd_create): the decoder's bounds on
// their layouts, their JSON (exact text, valid whatever bytes the strings
// hold) and the fields rules read from them.
#include <doctest/doctest.h>

#include <simdjson.h>
#include <sys/syscall.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/event_fields.h"
#include "engine/event_json.h"
#include "engine/record.h"
#include "synthetic/privilege_records.h"

using namespace guard;

namespace {

std::vector<std::vector<uint8_t>> privilege_mix()
{
	std::vector<std::vector<uint8_t>> v;
	synthetic::add_privilege_mix(v, synthetic::Task{});
	return v;
}

size_t fixed_size_of(uint16_t kind)
{
	switch (record_family(kind)) {
	case RecordFamily::cred: return sizeof(struct guard_cred);
	case RecordFamily::target: return sizeof(struct guard_target);
	case RecordFamily::module: return sizeof(struct guard_module);
	case RecordFamily::bpf: return sizeof(struct guard_bpf_load);
	case RecordFamily::mount: return sizeof(struct guard_mount);
	case RecordFamily::memfd: return sizeof(struct guard_memfd);
	default: return 0;
	}
}

// Offsets of a layout's guard_string members.
std::vector<size_t> string_offsets(uint16_t kind)
{
	switch (record_family(kind)) {
	case RecordFamily::module:
		return {offsetof(guard_module, name), offsetof(guard_module, path), offsetof(guard_module, params)};
	case RecordFamily::mount:
		return {offsetof(guard_mount, path), offsetof(guard_mount, path2), offsetof(guard_mount, fstype)};
	case RecordFamily::memfd: return {offsetof(guard_memfd, name)};
	default: return {};
	}
}

uint16_t kind_of(const std::vector<uint8_t> &bytes)
{
	struct guard_header h;
	std::memcpy(&h, bytes.data(), sizeof(h));
	return h.kind;
}

std::string fields_of(const std::vector<uint8_t> &bytes)
{
	Record rec;
	REQUIRE(decode_record(bytes, rec) == DecodeError::none);
	std::vector<char> buf(line_max_bytes);
	JsonWriter line(buf.data());
	write_event_fields(line, rec);
	return std::string(buf.data(), line.finish());
}

} // namespace

TEST_CASE("every privilege kind decodes, and every truncation of it is refused")
{
	for (const auto &bytes : privilege_mix()) {
		uint16_t kind = kind_of(bytes);
		CAPTURE(record_kind_name(kind));
		REQUIRE(fixed_size_of(kind) > 0);
		Record rec;
		REQUIRE(decode_record(bytes, rec) == DecodeError::none);
		CHECK(!syscall_name(rec.syscall_nr).empty());
		for (size_t len = 0; len < bytes.size(); len++)
			CHECK(decode_record(std::span(bytes.data(), len), rec) != DecodeError::none);
		// A header whose size is one byte short of the fixed part.
		std::vector<uint8_t> short_one(bytes.begin(), bytes.begin() + fixed_size_of(kind) - 1);
		__u16 size = static_cast<__u16>(short_one.size());
		std::memcpy(short_one.data() + offsetof(struct guard_header, size), &size, sizeof(size));
		CHECK(decode_record(short_one, rec) == DecodeError::short_record);
	}
}

TEST_CASE("a privilege record's strings pointing outside it, or into its fixed part, are refused")
{
	for (const auto &good : privilege_mix()) {
		uint16_t kind = kind_of(good);
		CAPTURE(record_kind_name(kind));
		const __u16 fixed = static_cast<__u16>(fixed_size_of(kind));
		for (size_t at : string_offsets(kind)) {
			for (struct guard_string s : {guard_string{0, 1}, guard_string{static_cast<__u16>(fixed - 1), 1},
						       guard_string{fixed, 0xffff}, guard_string{0xffff, 1},
						       guard_string{static_cast<__u16>(good.size()), 1}}) {
				auto bytes = good;
				std::memcpy(bytes.data() + at, &s, sizeof(s));
				Record rec;
				CHECK(decode_record(bytes, rec) == DecodeError::string_out_of_bounds);
			}
		}
	}
}

TEST_CASE("every privilege kind writes valid JSON, whatever bytes its strings hold")
{
	simdjson::dom::parser parser;
	for (const auto &bytes : privilege_mix()) {
		CAPTURE(record_kind_name(kind_of(bytes)));
		std::string text = fields_of(bytes);
		simdjson::dom::element doc;
		CHECK(parser.parse(text).get(doc) == simdjson::SUCCESS);
		std::string_view syscall;
		CHECK(doc["syscall"].get_string().get(syscall) == simdjson::SUCCESS);
	}
	// Every byte value in a memfd's name and a mount's paths.
	std::string all(256, 0);
	for (int i = 0; i < 256; i++)
		all[i] = static_cast<char>(i);
	synthetic::Task t;
	for (const auto &bytes : {synthetic::memfd_record(t, all, 1), synthetic::mount_record(t, GUARD_RECORD_MOUNT, SYS_mount, all, all, all),
				  synthetic::module_record(t, GUARD_RECORD_MODULE_LOAD, SYS_finit_module, all, all, all)}) {
		simdjson::dom::element doc;
		CHECK(parser.parse(fields_of(bytes)).get(doc) == simdjson::SUCCESS);
	}
}

TEST_CASE("cred_change: every id and capability set before and after, and the result")
{
	auto bytes = synthetic::cred_record(synthetic::Task{}, synthetic::cred_ids(65534, 65534), synthetic::cred_ids(0, 0, 0x1ff));
	CHECK(fields_of(bytes) ==
	      "{\"syscall\":\"setresuid\",\"old_uid\":65534,\"new_uid\":0,\"old_euid\":65534,\"new_euid\":0,"
	      "\"old_suid\":0,\"new_suid\":0,\"old_fsuid\":65534,\"new_fsuid\":0,\"old_gid\":0,\"new_gid\":0,"
	      "\"old_egid\":0,\"new_egid\":0,\"old_sgid\":0,\"new_sgid\":0,\"old_fsgid\":0,\"new_fsgid\":0,"
	      "\"old_cap_effective\":0,\"new_cap_effective\":511,\"old_cap_permitted\":0,\"new_cap_permitted\":511,"
	      "\"old_cap_inheritable\":0,\"new_cap_inheritable\":0,\"ok\":true}\n");
	Record rec;
	REQUIRE(decode_record(bytes, rec) == DecodeError::none);
	EventView ev;
	ev.rec = &rec;
	Field f;
	REQUIRE(field_by_name("old_uid", f));
	CHECK(number_field(f, ev) == 65534);
	REQUIRE(field_by_name("new_cap_effective", f));
	CHECK(number_field(f, ev) == 0x1ff);
	REQUIRE(field_by_name("syscall", f));
	CHECK(string_field(f, ev) == "setresuid");
}

TEST_CASE("ptrace, process_vm_write and signal_agent name their target")
{
	synthetic::Task t;
	CHECK(fields_of(synthetic::target_record(t, GUARD_RECORD_PTRACE, SYS_ptrace, 77, 16, -1)) ==
	      "{\"syscall\":\"ptrace\",\"target_pid\":77,\"request\":16,\"addr\":1,\"ok\":false,\"errno\":1,\"error\":\"EPERM\"}\n");
	CHECK(fields_of(synthetic::target_record(t, GUARD_RECORD_PROCESS_VM_WRITE, SYS_process_vm_writev, 77, 1, 8)) ==
	      "{\"syscall\":\"process_vm_writev\",\"target_pid\":77,\"local_iovecs\":1,\"remote_iovecs\":1,\"bytes\":8,\"ok\":true}\n");
	auto signal = synthetic::target_record(t, GUARD_RECORD_SIGNAL_AGENT, SYS_kill, 55, 15);
	CHECK(fields_of(signal) == "{\"syscall\":\"kill\",\"target_pid\":55,\"signal\":15,\"ok\":true}\n");
	Record rec;
	REQUIRE(decode_record(signal, rec) == DecodeError::none);
	EventView ev;
	ev.rec = &rec;
	Field f;
	REQUIRE(field_by_name("signal", f));
	CHECK(number_field(f, ev) == 15);
}

TEST_CASE("bpf_prog_load: a name of all 16 bytes has no NUL and is read to its end, not past")
{
	auto bytes = synthetic::bpf_load_record(synthetic::Task{}, "sixteen_bytes_xx", 1);
	CHECK(fields_of(bytes) == "{\"syscall\":\"bpf\",\"fd\":5,\"prog_type\":1,\"attach_type\":0,\"name\":\"sixteen_bytes_xx\","
				  "\"insn_cnt\":2,\"prog_flags\":0,\"ok\":true}\n");
}

TEST_CASE("modules, mounts and memfds: the strings each kind names")
{
	synthetic::Task t;
	CHECK(fields_of(synthetic::module_record(t, GUARD_RECORD_MODULE_LOAD, SYS_finit_module, {}, "/tmp/rk.ko", "x=1")) ==
	      "{\"syscall\":\"finit_module\",\"fd\":3,\"path\":\"/tmp/rk.ko\",\"params\":\"x=1\",\"flags\":0,\"ok\":true}\n");
	CHECK(fields_of(synthetic::module_record(t, GUARD_RECORD_MODULE_UNLOAD, SYS_delete_module, "rk", {}, {}, -2)) ==
	      "{\"syscall\":\"delete_module\",\"name\":\"rk\",\"flags\":0,\"ok\":false,\"errno\":2,\"error\":\"ENOENT\"}\n");
	CHECK(fields_of(synthetic::mount_record(t, GUARD_RECORD_MOUNT, SYS_mount, "/mnt/x", "none", "tmpfs", 2)) ==
	      "{\"syscall\":\"mount\",\"target\":\"/mnt/x\",\"source\":\"none\",\"fstype\":\"tmpfs\",\"flags\":2,\"ok\":true}\n");
	CHECK(fields_of(synthetic::mount_record(t, GUARD_RECORD_PIVOT_ROOT, SYS_pivot_root, "/new", "/new/old")) ==
	      "{\"syscall\":\"pivot_root\",\"new_root\":\"/new\",\"put_old\":\"/new/old\",\"flags\":0,\"ok\":true}\n");
	CHECK(fields_of(synthetic::memfd_record(t, "jit", 4242)) ==
	      "{\"syscall\":\"memfd_create\",\"fd\":3,\"name\":\"jit\",\"flags\":1,\"dev\":1,\"ino\":4242,\"ok\":true}\n");
}
