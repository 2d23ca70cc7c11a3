// SPDX-License-Identifier: GPL-2.0-or-later
// The routes around syscall tracepoints, each tried as an attacker would:
// io_uring requests (inline, on an io-wq worker, with no completion asked
// for), open_by_handle_at, and datagrams sent to an address without a
// connect. Each is reported as the syscall would be and the same rules
// fire. Outside addresses are reached only from an empty network namespace,
// where every attempt fails at once and nothing leaves the machine.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/temp_dir.h"

using namespace guard;
using test::alerted;
using test::field_is;

namespace {

std::function<bool(simdjson::dom::element)> addr_is(const std::string &addr, int64_t port)
{
	return [addr, port](simdjson::dom::element doc) {
		std::string_view a;
		int64_t p = -1;
		return doc["addr"].get_string().get(a) == simdjson::SUCCESS && a == addr &&
		       doc["port"].get_int64().get(p) == simdjson::SUCCESS && p == port;
	};
}

const std::string kPythonConnect = std::string(GUARD_SOURCE_DIR) + "/test/helpers/io_uring_connect.py";

} // namespace

TEST_CASE("io_uring: an open of /etc/shadow inline, on a worker thread, by SQPOLL, by dirfd and with no completion is SHADOW_READ")
{
	REQUIRE(test::running_as_root());
	struct stat shadow;
	REQUIRE(::stat("/etc/shadow", &shadow) == 0);
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	struct Case {
		const char *what;
		std::vector<std::string> ops;
		const char *given; // path_given: the request's string, when not the kernel's path
		bool submitted_by_main_thread; // else by the ring's SQPOLL thread
	};
	for (const Case &c : std::vector<Case>{{"inline", {"openat", "/etc/shadow"}, "", true},
					       {"io-wq worker", {"--async", "openat", "/etc/shadow"}, "", true},
					       {"SQPOLL thread", {"--sqpoll", "openat", "/etc/shadow"}, "", false},
					       {"dirfd", {"openat-dir", "/etc", "shadow"}, "shadow", true}}) {
		CAPTURE(c.what);
		auto run = test::run_helper("io_uring_ops", c.ops);
		INFO("helper: " << run.out << "output: " << guard.output_text());
		REQUIRE(run.out.find(" res=") != std::string::npos);
		// The submitter's pid and comm, even when a worker thread opened it;
		// through SQPOLL, the kernel's thread is the submitter (its tid), in
		// the process's name.
		auto ev = test::find_event(guard, "file_open", run.pid, field_is("path", "/etc/shadow"));
		REQUIRE(ev);
		CHECK(ev->str("via") == "io_uring");
		CHECK(ev->str("comm") == "io_uring_ops");
		CHECK((ev->num("tid") == run.pid) == c.submitted_by_main_thread);
		CHECK(ev->flag("ok"));
		CHECK(ev->num("ino") == int64_t(shadow.st_ino));
		CHECK(ev->num("dev") == int64_t(shadow.st_dev));
		CHECK(!ev->flag("path_from_user"));
		if (*c.given)
			CHECK(ev->str("path_given") == c.given);
		CHECK(ev->str("rule") == "SHADOW_READ");
		CHECK(alerted(guard, run.pid, "SHADOW_READ"));
	}

	// IOSQE_CQE_SKIP_SUCCESS: a success posts no completion. Reported at
	// submission, from the kernel's copy of the path, its result unknown.
	auto silent = test::run_helper("io_uring_ops", {"--skip-success", "openat", "/etc/shadow"});
	INFO("output: " << guard.output_text());
	REQUIRE(silent.out == "openat submitted\n");
	auto ev = test::find_event(guard, "file_open", silent.pid, field_is("path", "/etc/shadow"));
	REQUIRE(ev);
	CHECK(ev->flag("result_unknown"));
	CHECK(!ev->has("ok"));
	CHECK(!ev->has("fd"));
	CHECK(ev->flag("path_from_user"));
	CHECK(alerted(guard, silent.pid, "SHADOW_READ"));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("io_uring: an open submitted before guard started is still reported at its completion")
{
	REQUIRE(test::running_as_root());
	test::TempDir tmp;
	const std::string gate = tmp.path + "/gate";
	// The open waits, linked behind a read of an empty pipe, while guard starts.
	test::HelperRun run;
	std::thread helper([&] { run = test::run_helper("io_uring_ops", {"linked-open", "/etc/shadow", gate}); });
	for (int i = 0; i < 500 && !std::filesystem::exists(gate + ".ready"); i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	test::GuardProcess guard;
	bool attached = !guard.wait_attached().empty();
	std::ofstream(gate).put('x');
	helper.join();
	REQUIRE(attached);
	INFO("helper: " << run.out << "output: " << guard.output_text());
	REQUIRE(run.out.find("openat res=") != std::string::npos);
	// What the completion shows: the file the new fd holds.
	auto ev = test::find_event(guard, "file_open", run.pid, field_is("path", "/etc/shadow"));
	REQUIRE(ev);
	CHECK(ev->flag("request_unseen"));
	CHECK(ev->flag("ok"));
	CHECK(alerted(guard, run.pid, "SHADOW_READ"));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("io_uring: rename, unlink, mkdir, symlink, link, sendmsg and accept each make their record")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	test::TempDir tmp;
	const std::string d = tmp.path;

	auto mkdir = test::run_helper("io_uring_ops", {"mkdir", d + "/made"});
	auto rename = test::run_helper("io_uring_ops", {"rename", d + "/made", d + "/moved"});
	auto symlink = test::run_helper("io_uring_ops", {"symlink", "/etc/passwd", d + "/sl"});
	auto link = test::run_helper("io_uring_ops", {"link", d + "/sl", d + "/hl"});
	auto unlink = test::run_helper("io_uring_ops", {"unlink", d + "/hl"});
	auto send = test::run_helper("io_uring_ops", {"--async", "sendmsg4", "198.51.100.7", "53"}, true);
	auto accept = test::run_helper("io_uring_ops", {"accept4"});
	INFO("output: " << guard.output_text());
	for (const auto *run : {&mkdir, &rename, &symlink, &link, &unlink})
		CHECK(run->out.find("res=0") != std::string::npos);
	CHECK(send.out == "sendmsg4 res=-101\n");

	auto made = test::find_event(guard, "file_mkdir", mkdir.pid, field_is("path", d + "/made"));
	REQUIRE(made);
	CHECK(made->num("mode") == 0750);
	CHECK(made->str("via") == "io_uring");
	auto moved = test::find_event(guard, "file_rename", rename.pid, field_is("new_path", d + "/moved"));
	REQUIRE(moved);
	CHECK(moved->str("path") == d + "/made");
	auto sl = test::find_event(guard, "file_symlink", symlink.pid, field_is("path", d + "/sl"));
	REQUIRE(sl);
	CHECK(sl->str("target") == "/etc/passwd");
	auto hl = test::find_event(guard, "file_link", link.pid, field_is("new_path", d + "/hl"));
	REQUIRE(hl);
	CHECK(hl->str("path") == d + "/sl");
	auto gone = test::find_event(guard, "file_unlink", unlink.pid, field_is("path", d + "/hl"));
	REQUIRE(gone);
	CHECK(gone->str("via") == "io_uring");

	auto sent = test::find_event(guard, "net_send", send.pid, addr_is("198.51.100.7", 53));
	REQUIRE(sent);
	CHECK(sent->str("via") == "io_uring");
	CHECK(sent->str("error") == "ENETUNREACH");
	CHECK(sent->num("count") == 1);

	// The peer of the accepted socket is the client's own port.
	int64_t client_port = std::stoi(test::helper_value(accept.out, "port"));
	auto acc = test::find_event(guard, "net_accept", accept.pid, addr_is("127.0.0.1", client_port));
	REQUIRE(acc);
	CHECK(acc->str("via") == "io_uring");
	CHECK(acc->flag("ok"));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("io_uring connect and a datagram sendto from python3 to an outside address are SUSPICIOUS_CONNECT; sendmmsg reports every destination")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	// A python3 driving an io_uring by hand (ctypes), in an empty netns.
	pid_t uring = test::run_and_wait("/usr/bin/unshare", {"--net", "python3", kPythonConnect, "198.51.100.9", "8443"});
	// A plain UDP sendto, no connect: 20 datagrams to one place, one record.
	pid_t udp = test::run_and_wait("/usr/bin/unshare",
				       {"--net", "python3", "-c",
					"import socket\n"
					"s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
					"for _ in range(20):\n"
					"    try: s.sendto(b'x', ('203.0.113.5', 53))\n"
					"    except OSError: pass\n"});
	// One sendmmsg to three places: a benign first message hides nothing.
	// Loopback addresses, on this machine: the datagrams go nowhere else.
	auto many = test::run_helper("net_ops", {"sendmmsg4", "127.0.0.1", "9", "127.0.0.2", "9", "127.0.0.3", "19"});
	INFO("output: " << guard.output_text());
	REQUIRE(many.out == "sendmmsg ret=3 errno=0\n");
	for (auto [addr, port] : std::vector<std::pair<std::string, int64_t>>{{"127.0.0.1", 9}, {"127.0.0.2", 9}, {"127.0.0.3", 19}}) {
		CAPTURE(addr);
		auto ev = test::find_event(guard, "net_send", many.pid, addr_is(addr, port));
		REQUIRE(ev);
		CHECK(ev->flag("ok"));
		CHECK(ev->num("count") == 1);
	}

	auto conn = test::find_event(guard, "net_connect", uring, addr_is("198.51.100.9", 8443));
	REQUIRE(conn);
	CHECK(conn->str("via") == "io_uring");
	CHECK(conn->str("comm") == "python3");
	CHECK(conn->str("error") == "ENETUNREACH");
	CHECK(conn->str("rule") == "SUSPICIOUS_CONNECT");
	CHECK(alerted(guard, uring, "SUSPICIOUS_CONNECT"));

	auto sent = test::find_event(guard, "net_send", udp, addr_is("203.0.113.5", 53));
	REQUIRE(sent);
	CHECK(sent->str("error") == "ENETUNREACH");
	CHECK(sent->flag("addr_from_user"));
	CHECK(sent->num("count") == 1);
	CHECK(sent->str("rule") == "SUSPICIOUS_CONNECT");
	CHECK(alerted(guard, udp, "SUSPICIOUS_CONNECT"));
	CHECK(guard.stop(SIGTERM) == 0);
	// The other 19 sends went into the window: no second record.
	const std::string text = guard.output_text();
	const std::string key = "\"type\":\"net_send\",";
	const std::string pid_field = "\"pid\":" + std::to_string(udp) + ",";
	size_t records = 0;
	for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
		size_t end = text.find('\n', at);
		records += text.substr(at, end - at).find(pid_field) != std::string::npos;
	}
	CHECK(records == 1);
}

TEST_CASE("open_by_handle_at of /etc/shadow is an open of /etc/shadow: SHADOW_READ")
{
	REQUIRE(test::running_as_root());
	struct stat shadow;
	REQUIRE(::stat("/etc/shadow", &shadow) == 0);
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	auto run = test::run_helper("file_ops", {"open-by-handle", "/etc/shadow"});
	INFO("helper: " << run.out << "output: " << guard.output_text());
	REQUIRE(run.out.find("ret=-1") == std::string::npos);
	auto ev = test::find_event(guard, "file_open", run.pid, field_is("path", "/etc/shadow"));
	REQUIRE(ev);
	CHECK(ev->flag("by_handle"));
	CHECK(ev->flag("ok"));
	CHECK(ev->num("ino") == int64_t(shadow.st_ino));
	CHECK(!ev->has("path_given"));
	CHECK(alerted(guard, run.pid, "SHADOW_READ"));
	CHECK(guard.stop(SIGTERM) == 0);
}
