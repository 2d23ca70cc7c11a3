// SPDX-License-Identifier: GPL-2.0-or-later
// Network events end to end, on loopback only: test/helpers/net_ops binds,
// listens, connects to itself and accepts; refused and unreachable connects
// show their errno. The "external" address is connected to from an empty
// network namespace, where the connect fails at once and nothing leaves.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;
using test::field_is;

namespace {

// A loopback port nothing listens on: bound, then closed again.
int closed_loopback_port()
{
	int fd = ::socket(AF_INET, SOCK_STREAM, 0);
	REQUIRE(fd >= 0);
	struct sockaddr_in in {};
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(in);
	REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&in), len) == 0);
	REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr *>(&in), &len) == 0);
	::close(fd);
	return ntohs(in.sin_port);
}

std::function<bool(simdjson::dom::element)> port_is(int64_t port)
{
	return [port](simdjson::dom::element doc) {
		int64_t p = -1;
		return doc["port"].get_int64().get(p) == simdjson::SUCCESS && p == port;
	};
}

} // namespace

TEST_CASE("bind, listen, connect and accept over IPv4 and IPv6 loopback")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	for (auto [op, family, addr] : {std::tuple{"serve4", "inet", "127.0.0.1"}, std::tuple{"serve6", "inet6", "::1"}}) {
		CAPTURE(op);
		auto run = test::run_helper("net_ops", {op});
		int server_port = std::stoi(test::helper_value(run.out, "server_port"));
		int client_port = std::stoi(test::helper_value(run.out, "client_port"));
		int accepted = std::stoi(test::helper_value(run.out, "accept4 ret"));
		INFO("helper: " << run.out);
		INFO("output: " << guard.output_text());

		auto bind = test::find_event(guard, "net_bind", run.pid);
		REQUIRE(bind);
		CHECK(bind->str("family") == family);
		CHECK(bind->str("addr") == addr);
		// Bound to port 0: the socket's own address says which the kernel chose.
		CHECK(bind->num("port") == server_port);
		CHECK(bind->flag("ok"));
		CHECK_FALSE(bind->has("raced"));

		// listen reports the address the socket was bound to, port chosen.
		auto listen = test::find_event(guard, "net_listen", run.pid);
		REQUIRE(listen);
		CHECK(listen->num("backlog") == 7);
		CHECK(listen->flag("ok"));
		CHECK(listen->str("family") == family);
		CHECK(listen->str("addr") == addr);
		CHECK(listen->num("port") == server_port);

		auto connect = test::find_event(guard, "net_connect", run.pid, port_is(server_port));
		REQUIRE(connect);
		CHECK(connect->str("family") == family);
		CHECK(connect->str("addr") == addr);
		CHECK(connect->flag("ok"));

		auto accept = test::find_event(guard, "net_accept", run.pid);
		REQUIRE(accept);
		CHECK(accept->str("family") == family);
		CHECK(accept->str("addr") == addr);
		CHECK(accept->num("port") == client_port);
		CHECK(accept->num("fd") == accepted);
		CHECK(accept->flag("ok"));
	}
}

TEST_CASE("a refused connect gives ECONNREFUSED; an IPv4-mapped IPv6 peer is reported as IPv4")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	int port = closed_loopback_port();

	auto v4 = test::run_helper("net_ops", {"connect4", "127.0.0.1", std::to_string(port)});
	REQUIRE(v4.out == "connect ret=-1 errno=111\n");
	auto mapped = test::run_helper("net_ops", {"connect6", "::ffff:127.0.0.1", std::to_string(port)});
	REQUIRE(mapped.out == "connect ret=-1 errno=111\n");
	INFO("output: " << guard.output_text());

	for (pid_t pid : {v4.pid, mapped.pid}) {
		auto ev = test::find_event(guard, "net_connect", pid, port_is(port));
		REQUIRE(ev);
		CHECK(ev->str("family") == "inet");
		CHECK(ev->str("addr") == "127.0.0.1");
		CHECK(ev->flag("ok") == false);
		CHECK(ev->num("errno") == ECONNREFUSED);
		CHECK(ev->str("error") == "ECONNREFUSED");
	}
}

TEST_CASE("a connect to an external address from an empty network namespace fails at once")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	// 198.51.100.7 (TEST-NET-2) and 2001:db8::7 are documentation addresses;
	// in an empty namespace there is no route, not even loopback is up.
	auto v4 = test::run_helper("net_ops", {"connect4", "198.51.100.7", "443"}, true);
	REQUIRE(v4.out == "connect ret=-1 errno=101\n");
	auto v6 = test::run_helper("net_ops", {"connect6", "2001:db8::7", "443"}, true);
	// IPv6 finds no source address there first.
	REQUIRE(v6.out == "connect ret=-1 errno=99\n");
	INFO("output: " << guard.output_text());

	auto ev4 = test::find_event(guard, "net_connect", v4.pid, port_is(443));
	REQUIRE(ev4);
	CHECK(ev4->str("addr") == "198.51.100.7");
	CHECK(ev4->str("error") == "ENETUNREACH");
	auto ev6 = test::find_event(guard, "net_connect", v6.pid, port_is(443));
	REQUIRE(ev6);
	CHECK(ev6->str("family") == "inet6");
	CHECK(ev6->str("addr") == "2001:db8::7");
	CHECK(ev6->str("error") == "EADDRNOTAVAIL");
}

TEST_CASE("unix sockets: a path socket served and connected, an abstract name refused")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	std::string path = "/tmp/guard-e2e-sock-" + std::to_string(::getpid());
	std::string abstract = "@guard-e2e-abstract-" + std::to_string(::getpid());

	auto served = test::run_helper("net_ops", {"serve-unix", path});
	std::filesystem::remove(path);
	auto refused = test::run_helper("net_ops", {"connect-unix", abstract});
	INFO("helper: " << served.out << refused.out);
	INFO("output: " << guard.output_text());

	auto bind = test::find_event(guard, "net_bind", served.pid);
	REQUIRE(bind);
	CHECK(bind->str("family") == "unix");
	CHECK(bind->str("unix_path") == path);
	CHECK_FALSE(bind->has("addr"));
	auto listen = test::find_event(guard, "net_listen", served.pid);
	REQUIRE(listen);
	CHECK(listen->str("unix_path") == path);
	auto connect = test::find_event(guard, "net_connect", served.pid);
	REQUIRE(connect);
	CHECK(connect->str("unix_path") == path);
	CHECK(connect->flag("ok"));
	auto accept = test::find_event(guard, "net_accept", served.pid);
	REQUIRE(accept);
	CHECK(accept->str("family") == "unix");
	CHECK(accept->flag("ok"));

	auto abstract_ev = test::find_event(guard, "net_connect", refused.pid);
	REQUIRE(abstract_ev);
	CHECK(abstract_ev->str("unix_path") == abstract);
	CHECK(abstract_ev->str("error") == "ECONNREFUSED");
}
