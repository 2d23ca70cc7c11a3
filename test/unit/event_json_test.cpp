// SPDX-License-Identifier: GPL-2.0-or-later
// The per-kind JSON fields (docs/schema.md) on hand-made records: exact
// text for addresses, argv arrays, results and flags.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <simdjson.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/event_json.h"
#include "test/support/records.h"

using namespace guard;

namespace {

// The kind's fields of a record as JSON text, without the context.
std::string fields_of(const std::vector<uint8_t> &bytes)
{
	Record rec;
	REQUIRE(decode_record(bytes, rec) == DecodeError::none);
	std::vector<char> buf(line_max_bytes);
	JsonWriter line(buf.data());
	write_event_fields(line, rec);
	char *end = line.finish();
	return std::string(buf.data(), end);
}

// A record of fixed part T followed by the given strings, each with its NUL.
template <class T>
std::vector<uint8_t> with_strings(T fixed, std::initializer_list<std::pair<struct guard_string T::*, std::string_view>> strings)
{
	std::vector<uint8_t> tail;
	for (auto [member, text] : strings) {
		(fixed.*member).offset = static_cast<__u16>(sizeof(T) + tail.size());
		(fixed.*member).length = static_cast<__u16>(text.size());
		tail.insert(tail.end(), text.begin(), text.end());
		tail.push_back(0);
	}
	fixed.header.size = static_cast<__u16>(sizeof(T) + tail.size());
	std::vector<uint8_t> bytes(sizeof(T));
	std::memcpy(bytes.data(), &fixed, sizeof(T));
	bytes.insert(bytes.end(), tail.begin(), tail.end());
	return bytes;
}

std::vector<uint8_t> net(uint16_t kind, uint16_t family, std::initializer_list<uint8_t> addr, uint16_t port,
			 int32_t result, std::string_view unix_path = {})
{
	struct guard_net n {};
	n.header = test::make_header(kind, 1, "nc");
	n.family = family;
	n.port = port;
	n.result = result;
	std::copy(addr.begin(), addr.end(), n.addr);
	return with_strings(n, {{&guard_net::unix_path, unix_path}, {&guard_net::given_unix_path, ""}});
}

} // namespace

TEST_CASE("addresses: dotted IPv4, RFC 5952 IPv6, unix paths")
{
	CHECK(fields_of(net(GUARD_RECORD_NET_CONNECT, AF_INET, {10, 0, 0, 254}, 443, 0)) ==
	      "{\"family\":\"inet\",\"addr\":\"10.0.0.254\",\"port\":443,\"ok\":true}\n");
	CHECK(fields_of(net(GUARD_RECORD_NET_CONNECT, AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 22,
			    -111)) ==
	      "{\"family\":\"inet6\",\"addr\":\"::1\",\"port\":22,\"ok\":false,\"errno\":111,\"error\":\"ECONNREFUSED\"}\n");
	CHECK(fields_of(net(GUARD_RECORD_NET_BIND, AF_INET6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1},
			    80, 0)) == "{\"family\":\"inet6\",\"addr\":\"2001:db8::1:0:0:1\",\"port\":80,\"ok\":true}\n");
	CHECK(fields_of(net(GUARD_RECORD_NET_BIND, AF_INET6, {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1,
			    0)) == "{\"family\":\"inet6\",\"addr\":\"fe80::\",\"port\":1,\"ok\":true}\n");
	// One zero group is not shortened (RFC 5952 4.2.2).
	CHECK(fields_of(net(GUARD_RECORD_NET_BIND, AF_INET6, {0, 1, 0, 2, 0, 0, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}, 1, 0)) ==
	      "{\"family\":\"inet6\",\"addr\":\"1:2:0:4:5:6:7:8\",\"port\":1,\"ok\":true}\n");
	CHECK(fields_of(net(GUARD_RECORD_NET_ACCEPT, AF_UNIX, {}, 0, 5, "@abstract")) ==
	      "{\"family\":\"unix\",\"unix_path\":\"@abstract\",\"ok\":true,\"fd\":5}\n");
	CHECK(fields_of(net(GUARD_RECORD_NET_LISTEN, 0, {}, 0, 0)) == "{\"backlog\":0,\"ok\":true}\n");
}

TEST_CASE("exec_failed: argv as an array, the result, flags only when set")
{
	struct guard_exec e {};
	e.header = test::make_header(GUARD_RECORD_EXEC_FAILED, 7, "sh");
	e.header.flags = GUARD_EXEC_ARGV_TRUNCATED | GUARD_EXEC_EXECVEAT;
	e.argc = 3;
	e.result = -13;
	auto bytes = with_strings(e, {{&guard_exec::path_given, "/tmp/x"},
				      {&guard_exec::exe, ""},
				      {&guard_exec::cwd, "/home/u"},
				      {&guard_exec::argv, std::string_view("x\0-c\0\xff", 6)}});
	std::string text = fields_of(bytes);
	CHECK(text == "{\"path\":\"/tmp/x\",\"cwd\":\"/home/u\",\"argv\":[\"x\",\"-c\",\"\xef\xbf\xbd\"],"
		      "\"argv_hex\":[\"78\",\"2d63\",\"ff\"],"
		      "\"argc\":3,\"ok\":false,\"errno\":13,\"error\":\"EACCES\",\"argv_truncated\":true,\"execveat\":true}\n");
	simdjson::dom::parser parser;
	simdjson::dom::element doc;
	CHECK(parser.parse(text).get(doc) == simdjson::SUCCESS);
}

TEST_CASE("a result no kernel returns (INT32_MIN) is its errno, with no name")
{
	struct guard_exec e {};
	e.header = test::make_header(GUARD_RECORD_EXEC_FAILED, 7, "sh");
	e.result = INT32_MIN;
	auto bytes = with_strings(e, {{&guard_exec::path_given, "/x"},
				      {&guard_exec::exe, ""},
				      {&guard_exec::cwd, ""},
				      {&guard_exec::argv, ""}});
	CHECK(fields_of(bytes).find("\"ok\":false,\"errno\":2147483648}") != std::string::npos);
}

TEST_CASE("file_open: access, modify and mode; chown keeps -1 as -1")
{
	struct guard_file f {};
	f.header = test::make_header(GUARD_RECORD_FILE_OPEN, 7, "cp");
	f.header.flags = GUARD_FILE_MODIFY;
	f.open_flags = O_WRONLY | O_CREAT;
	f.mode = 0644;
	f.result = 3;
	CHECK(fields_of(with_strings(f, {{&guard_file::path, "/etc/passwd"}, {&guard_file::path2, ""}, {&guard_file::path_given, ""}})) ==
	      "{\"path\":\"/etc/passwd\",\"ok\":true,\"fd\":3,\"flags\":65,\"access\":\"write\",\"modify\":true,\"mode\":420}\n");
	// O_ACCMODE 3: as rule matching and alerts name it (one function, access_name).
	f.open_flags = O_ACCMODE;
	CHECK(fields_of(with_strings(f, {{&guard_file::path, "/dev/x"}, {&guard_file::path2, ""}, {&guard_file::path_given, ""}}))
		      .find("\"access\":\"read_write\"") != std::string::npos);

	struct guard_file c {};
	c.header = test::make_header(GUARD_RECORD_FILE_CHOWN, 7, "chown");
	c.header.flags = GUARD_FILE_PATH_UNRESOLVED;
	c.owner_uid = 0xffffffff;
	c.owner_gid = 0;
	c.result = -1;
	CHECK(fields_of(with_strings(c, {{&guard_file::path, "x"}, {&guard_file::path2, ""}, {&guard_file::path_given, ""}})) ==
	      "{\"path\":\"x\",\"ok\":false,\"errno\":1,\"error\":\"EPERM\",\"owner_uid\":-1,\"owner_gid\":0,"
	      "\"path_unresolved\":true}\n");
}

TEST_CASE("io_uring: via on file and net events; a request reported at submission has no result")
{
	struct guard_file f {};
	f.header = test::make_header(GUARD_RECORD_FILE_OPEN, 7, "app");
	f.header.flags = GUARD_VIA_IO_URING | GUARD_NO_RESULT | GUARD_FILE_PATH_FROM_USER;
	f.open_flags = O_RDONLY;
	CHECK(fields_of(with_strings(f, {{&guard_file::path, "/etc/shadow"}, {&guard_file::path2, ""}, {&guard_file::path_given, ""}})) ==
	      "{\"path\":\"/etc/shadow\",\"flags\":0,\"access\":\"read\",\"modify\":false,\"path_from_user\":true,"
	      "\"via\":\"io_uring\",\"result_unknown\":true}\n");

	auto conn = net(GUARD_RECORD_NET_CONNECT, AF_INET, {198, 51, 100, 7}, 443, -101);
	uint16_t flags = GUARD_VIA_IO_URING | GUARD_NET_ADDR_FROM_USER;
	std::memcpy(conn.data() + offsetof(struct guard_header, flags), &flags, sizeof(flags));
	CHECK(fields_of(conn) == "{\"family\":\"inet\",\"addr\":\"198.51.100.7\",\"port\":443,\"ok\":false,\"errno\":101,"
				 "\"error\":\"ENETUNREACH\",\"addr_from_user\":true,\"via\":\"io_uring\"}\n");

	// A completion whose submission guard never saw.
	auto accepted = net(GUARD_RECORD_NET_ACCEPT, AF_INET, {127, 0, 0, 1}, 50000, 5);
	flags = GUARD_VIA_IO_URING | GUARD_NO_REQUEST;
	std::memcpy(accepted.data() + offsetof(struct guard_header, flags), &flags, sizeof(flags));
	CHECK(fields_of(accepted) == "{\"family\":\"inet\",\"addr\":\"127.0.0.1\",\"port\":50000,\"ok\":true,\"fd\":5,"
				     "\"via\":\"io_uring\",\"request_unseen\":true}\n");
}

TEST_CASE("net_send carries its count; file_mkdir its mode; open_by_handle_at says by_handle")
{
	auto send = net(GUARD_RECORD_NET_SEND, AF_INET6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}, 53, 1);
	uint32_t count = 12;
	std::memcpy(send.data() + offsetof(struct guard_net, count), &count, sizeof(count));
	CHECK(fields_of(send) == "{\"family\":\"inet6\",\"addr\":\"2001:db8::5\",\"port\":53,\"count\":12,\"ok\":true}\n");

	struct guard_file m {};
	m.header = test::make_header(GUARD_RECORD_FILE_MKDIR, 7, "mkdir");
	m.header.flags = GUARD_FILE_PATH_FROM_USER;
	m.mode = 0700;
	CHECK(fields_of(with_strings(m, {{&guard_file::path, "/tmp/.x"}, {&guard_file::path2, ""}, {&guard_file::path_given, ""}})) ==
	      "{\"path\":\"/tmp/.x\",\"ok\":true,\"mode\":448,\"path_from_user\":true}\n");

	struct guard_file h {};
	h.header = test::make_header(GUARD_RECORD_FILE_OPEN, 7, "app");
	h.header.flags = GUARD_FILE_BY_HANDLE;
	h.result = 4;
	h.dev = 8 << 20 | 1;
	h.ino = 941;
	CHECK(fields_of(with_strings(h, {{&guard_file::path, "/etc/shadow"}, {&guard_file::path2, ""}, {&guard_file::path_given, ""}})) ==
	      "{\"path\":\"/etc/shadow\",\"ok\":true,\"dev\":2049,\"ino\":941,\"fd\":4,\"flags\":0,\"access\":\"read\","
	      "\"modify\":false,\"by_handle\":true}\n");
}
