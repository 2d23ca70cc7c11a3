// SPDX-License-Identifier: GPL-2.0-or-later
// Forwarding (engine/forwarder.h) against sockets the test binds itself: the
// RFC 5424 message, octet-counted TCP framing across a receiver that closes,
// a full queue, journald's native protocol (a large entry as a memfd), the
// URLs --syslog takes; the BatchWriter's tap; the host's identity, and on lines.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "engine/batch_writer.h"
#include "engine/forwarder.h"
#include "engine/host_identity.h"
#include "engine/journal_message.h"
#include "engine/pipeline.h"
#include "rules/rules_file.h"
#include "test/support/records.h"
#include "test/support/temp_dir.h"

using namespace guard;
using namespace std::chrono_literals;

namespace {

const std::string kAlert = "{\"type\":\"alert\",\"time\":\"t\",\"rule\":\"SHADOW_READ\",\"severity\":\"high\","
			   "\"description\":\"d\",\"comm\":\"x\\\"]\"}\n";
const std::string kExec = "{\"type\":\"exec\",\"time\":\"t\",\"comm\":\"sh\"}\n";

// A loopback TCP listener on a port the kernel picks.
struct Listener {
	int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint16_t port = 0;
	Listener()
	{
		struct sockaddr_in a {};
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		socklen_t len = sizeof(a);
		REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
		REQUIRE(::listen(fd, 4) == 0);
		REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0);
		port = ntohs(a.sin_port);
	}
	~Listener() { ::close(fd); }
	std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port); }
};

// Reads from fd until frames holds n octet-counted frames (or 5 s pass).
std::vector<std::string> read_frames(int fd, size_t n, std::string &pending)
{
	std::vector<std::string> frames;
	auto deadline = std::chrono::steady_clock::now() + 5s;
	while (frames.size() < n && std::chrono::steady_clock::now() < deadline) {
		size_t sp = pending.find(' ');
		if (sp != std::string::npos) {
			size_t len = std::stoul(pending.substr(0, sp));
			if (pending.size() >= sp + 1 + len) {
				frames.push_back(pending.substr(sp + 1, len));
				pending.erase(0, sp + 1 + len);
				continue;
			}
		}
		struct pollfd p = {fd, POLLIN, 0};
		if (::poll(&p, 1, 100) != 1)
			continue;
		char buf[65536];
		ssize_t got = ::read(fd, buf, sizeof(buf));
		if (got <= 0)
			break;
		pending.append(buf, static_cast<size_t>(got));
	}
	return frames;
}

int accept_within(int listener)
{
	struct pollfd p = {listener, POLLIN, 0};
	REQUIRE(::poll(&p, 1, 5000) == 1);
	return ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
}

std::string message_of(const std::string &frame)
{
	size_t json = frame.find(" {");
	return json == std::string::npos ? "" : frame.substr(json + 1) + "\n";
}

} // namespace

TEST_CASE("forward: an alert is an RFC 5424 message with its rule and severity as structured data")
{
	SyslogIdentity id = syslog_identity("web 1", 42);
	std::string m;
	append_syslog_message(m, id, "2026-12-02T06:10:00.000001Z", kAlert);
	// daemon (3) * 8 + error (3): a high alert
	CHECK(m == "<27>1 2026-12-02T06:10:00.000001Z web1 guard 42 alert [guard@32473 rule=\"SHADOW_READ\" "
		   "severity=\"high\"] " +
			   kAlert.substr(0, kAlert.size() - 1));
	m.clear();
	append_syslog_message(m, syslog_identity("", 7), "T", kExec);
	CHECK(m == "<30>1 T - guard 7 exec - " + kExec.substr(0, kExec.size() - 1));
	CHECK(syslog_timestamp_now().size() == 27);
}

TEST_CASE("forward: --syslog URLs, and what a bad one is told")
{
	CHECK(parse_syslog_url("tcp://127.0.0.1:514").protocol == ForwardProtocol::syslog_tcp);
	CHECK(parse_syslog_url("udp://[::1]:514").addr.ss_family == AF_INET6);
	CHECK(parse_syslog_url("unix:///dev/log").protocol == ForwardProtocol::syslog_unix);
	CHECK(parse_syslog_url("tcp://localhost:514").addr.ss_family == AF_INET);
	for (const char *bad : {"127.0.0.1:514", "http://127.0.0.1:80", "tcp://127.0.0.1", "tcp://127.0.0.1:0",
				"tcp://127.0.0.1:65536", "tcp://127.0.0.1:5x", "unix://dev/log", "tcp://[::1:514",
				"tcp://127.0.0.1:514/x", "tcp://logs.example:514", "udp://::1:514"}) {
		CAPTURE(bad);
		try {
			parse_syslog_url(bad);
			FAIL("accepted");
		} catch (const Error &e) {
			CHECK(std::string(e.what()).find("expected tcp://HOST:PORT, udp://HOST:PORT or unix:///PATH") !=
			      std::string::npos);
		}
	}
}

TEST_CASE("forward: TCP frames are octet-counted, and a receiver's close is survived without loss")
{
	Listener l;
	Forwarder f(parse_syslog_url(l.url()), syslog_identity("h", 1));
	f.push(kAlert + kExec);
	int c = accept_within(l.fd);
	std::string pending;
	std::vector<std::string> frames = read_frames(c, 2, pending);
	REQUIRE(frames.size() == 2);
	CHECK(message_of(frames[0]) == kAlert);
	CHECK(message_of(frames[1]) == kExec);
	::close(c); // the receiver restarts

	// Wait until the forwarder noticed nothing more; then the next lines go
	// over a new connection, none lost in the dead one.
	f.push(kExec + kExec + kExec);
	c = accept_within(l.fd);
	pending.clear();
	frames = read_frames(c, 3, pending);
	CHECK(frames.size() == 3);
	f.stop(1s);
	::close(c);
	ForwardStats s = f.stats();
	CHECK(s.emitted == 5);
	CHECK(s.sent == 5);
	CHECK(s.dropped() == 0);
	CHECK(s.connects == 2);
}

TEST_CASE("forward: a full queue drops whole lines and counts them; emitted = sent + dropped")
{
	int port;
	{
		Listener l; // a port nobody listens on once it closes
		port = l.port;
	}
	Forwarder f(parse_syslog_url("tcp://127.0.0.1:" + std::to_string(port)), syslog_identity("h", 1),
		    3 * kExec.size());
	for (int i = 0; i < 10; i++)
		f.push(kExec);
	for (auto end = std::chrono::steady_clock::now() + 5s;
	     f.stats().last_error == 0 && std::chrono::steady_clock::now() < end;)
		std::this_thread::sleep_for(1ms);
	f.stop(0ms);
	ForwardStats s = f.stats();
	CHECK(s.emitted == 10);
	CHECK(s.sent == 0);
	CHECK(s.dropped_queue_full == 7);
	CHECK(s.dropped_at_exit == 3);
	CHECK(s.queued == 0);
	CHECK(s.last_error == ECONNREFUSED);
}

TEST_CASE("forward: journald's native protocol, and an entry too large for a datagram sent as a sealed memfd")
{
	test::TempDir dir;
	std::string path = dir.path + "/journal.sock";
	int rx = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a {};
	a.sun_family = AF_UNIX;
	std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
	REQUIRE(::bind(rx, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
	int big = 1 << 20;
	::setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));

	std::string large = "{\"type\":\"exec\",\"argv\":\"" + std::string(300000, 'a') + "\"}\n";
	Forwarder f(journald_target(path), syslog_identity("h", 1));
	f.push(kAlert + large);

	std::vector<char> buf(1 << 16);
	ssize_t n = ::recv(rx, buf.data(), buf.size(), 0);
	REQUIRE(n > 0);
	std::string entry(buf.data(), static_cast<size_t>(n));
	std::string want;
	append_journal_entry(want, kAlert);
	CHECK(entry == want);
	CHECK(entry.find("MESSAGE=" + kAlert) == 0);
	CHECK(entry.find("\nPRIORITY=3\n") != std::string::npos);
	CHECK(entry.find("\nGUARD_RULE=SHADOW_READ\n") != std::string::npos);
	CHECK(entry.find("\nGUARD_SEVERITY=high\n") != std::string::npos);

	// The large one: no data, one descriptor.
	alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = {buf.data(), buf.size()};
	struct msghdr m {};
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = control;
	m.msg_controllen = sizeof(control);
	n = ::recvmsg(rx, &m, MSG_CMSG_CLOEXEC);
	CHECK(n == 0);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	REQUIRE(c);
	REQUIRE(c->cmsg_type == SCM_RIGHTS);
	int mfd;
	std::memcpy(&mfd, CMSG_DATA(c), sizeof(int));
	CHECK(::fcntl(mfd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL));
	std::string content(large.size() + 4096, '\0');
	ssize_t got = ::pread(mfd, content.data(), content.size(), 0);
	REQUIRE(got > 0);
	content.resize(static_cast<size_t>(got));
	CHECK(content.find("MESSAGE=" + large) == 0);
	::close(mfd);
	f.stop(1s);
	CHECK(f.stats().sent == 2);
	::close(rx);
}

TEST_CASE("forward: the writer's tap sees every line once, in order, even those its own sink loses")
{
	int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC); // every write fails (EBADF)
	REQUIRE(fd >= 0);
	std::string seen;
	BatchWriter w(fd, 64);
	w.set_tap([&](std::string_view s) { seen += s; });
	std::string want;
	for (int i = 0; i < 10; i++) {
		std::string line = "{\"n\":" + std::to_string(i) + "}\n";
		char *p = w.reserve(line.size());
		std::memcpy(p, line.data(), line.size());
		w.commit(p + line.size());
		want += line;
		if (i % 3 == 0)
			w.flush();
	}
	w.flush();
	CHECK(seen == want);
	CHECK(w.lost_lines() > 0);
	::close(fd);
}

TEST_CASE("host identity: hostname and machine id; a missing or unset machine-id leaves it out")
{
	test::TempDir root;
	std::filesystem::create_directories(root.path + "/etc");
	root.write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
	HostIdentity h = read_host_identity(root.path);
	CHECK(h.machine_id == "0123456789abcdef0123456789abcdef");
	CHECK(h.boot_id.empty()); // no /proc under this root
	h.hostname = "web-1";
	CHECK(host_fields_json(h) == "\"host\":\"web-1\",\"machine_id\":\"0123456789abcdef0123456789abcdef\"");

	root.write("etc/machine-id", "uninitialized\n");
	CHECK(read_host_identity(root.path).machine_id.empty());
	::unlink((root.path + "/etc/machine-id").c_str());
	h = read_host_identity(root.path);
	CHECK(h.machine_id.empty());
	h.hostname = "web-1";
	CHECK(host_fields_json(h) == "\"host\":\"web-1\"");
}

TEST_CASE("host identity: --host-fields puts host and machine_id on event and alert lines")
{
	int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
	REQUIRE(null >= 0);
	BatchWriter out(null, 1 << 20);
	std::string lines;
	out.set_tap([&](std::string_view s) { lines += s; });
	Pipeline pipeline(out, 0);
	pipeline.set_host_fields("\"host\":\"web-1\",\"machine_id\":\"0123456789abcdef0123456789abcdef\"");
	pipeline.set_rules(std::move(rules::load_default_rules().set));
	pipeline.on_record(test::make_exec(4242, "x", "/tmp/x")); // EXEC_FROM_TMP
	REQUIRE(out.flush());
	::close(null);
	const std::string host = ",\"host\":\"web-1\",\"machine_id\":\"0123456789abcdef0123456789abcdef\",";
	size_t event_end = lines.find('\n');
	REQUIRE(event_end != std::string::npos);
	std::string event = lines.substr(0, event_end), alert = lines.substr(event_end + 1);
	CHECK(event.find("\"cgroup_id\":0" + host + "\"path\":\"/tmp/x\"") != std::string::npos);
	CHECK(alert.starts_with("{\"type\":\"alert\""));
	CHECK(alert.find(host + "\"event\":\"exec\"") != std::string::npos);
}
