// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/forward_target.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace guard {

namespace {

[[noreturn]] void bad_url(const std::string &url, const std::string &why)
{
	fail("--syslog " + url + ": " + why +
	     "; expected tcp://HOST:PORT, udp://HOST:PORT or unix:///PATH (tcp://127.0.0.1:514, "
	     "udp://[::1]:514, unix:///dev/log)");
}

ForwardTarget unix_target(ForwardProtocol protocol, const std::string &name, const std::string &path)
{
	ForwardTarget t;
	t.protocol = protocol;
	t.name = name;
	auto *sun = reinterpret_cast<struct sockaddr_un *>(&t.addr);
	sun->sun_family = AF_UNIX;
	std::memcpy(sun->sun_path, path.data(), path.size());
	t.addr_len = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + path.size() + 1);
	return t;
}

// HOST:PORT, HOST an IPv4 address, a bracketed IPv6 one, or localhost. No
// name is resolved: the static binary has no resolver (glibc's needs its
// shared NSS modules), and the relay's address is configuration.
void parse_address(ForwardTarget &t, const std::string &url, const std::string &authority)
{
	size_t colon = authority.rfind(':');
	if (colon == std::string::npos || colon == 0)
		bad_url(url, "no HOST:PORT");
	std::string host = authority.substr(0, colon), port = authority.substr(colon + 1);
	bool bracketed = host.front() == '[';
	if (bracketed) {
		if (host.back() != ']')
			bad_url(url, "an IPv6 address needs its closing ]");
		host = host.substr(1, host.size() - 2);
	}
	char *end = nullptr;
	long n = std::strtol(port.c_str(), &end, 10);
	if (port.empty() || *end != '\0' || n < 1 || n > 65535 || port.find_first_not_of("0123456789") != std::string::npos)
		bad_url(url, "port \"" + port + "\" is not a number from 1 to 65535");
	if (host == "localhost")
		host = "127.0.0.1";
	auto *v4 = reinterpret_cast<struct sockaddr_in *>(&t.addr);
	auto *v6 = reinterpret_cast<struct sockaddr_in6 *>(&t.addr);
	if (!bracketed && ::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(static_cast<uint16_t>(n));
		t.addr_len = sizeof(*v4);
	} else if (bracketed && ::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(static_cast<uint16_t>(n));
		t.addr_len = sizeof(*v6);
	} else {
		bad_url(url, "host \"" + host + "\" is not an IPv4 address, a bracketed IPv6 address or localhost "
			     "(guard resolves no names)");
	}
}

} // namespace

ForwardTarget parse_syslog_url(const std::string &url)
{
	size_t sep = url.find("://");
	if (sep == std::string::npos)
		bad_url(url, "no scheme");
	std::string scheme = url.substr(0, sep), rest = url.substr(sep + 3);
	if (scheme == "unix") {
		if (rest.empty() || rest.front() != '/')
			bad_url(url, "the path must be absolute (unix:// then /PATH)");
		if (rest.size() >= sizeof(sockaddr_un::sun_path))
			bad_url(url, "the path is longer than a socket's " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
					     " bytes");
		return unix_target(ForwardProtocol::syslog_unix, "syslog " + url, rest);
	}
	if (scheme != "tcp" && scheme != "udp")
		bad_url(url, "scheme \"" + scheme + "\" is none of tcp, udp, unix");
	if (rest.empty() || rest.find('/') != std::string::npos)
		bad_url(url, "expected HOST:PORT after " + scheme + "://, and nothing after it");
	ForwardTarget t;
	t.protocol = scheme == "tcp" ? ForwardProtocol::syslog_tcp : ForwardProtocol::syslog_udp;
	t.name = "syslog " + url;
	parse_address(t, url, rest);
	return t;
}

ForwardTarget journald_target(const std::string &socket_path)
{
	if (socket_path.size() >= sizeof(sockaddr_un::sun_path))
		fail("journal socket " + socket_path + ": path too long");
	return unix_target(ForwardProtocol::journald, "journald", socket_path);
}

int connect_target(const ForwardTarget &target, int timeout_ms)
{
	int type = target.protocol == ForwardProtocol::syslog_tcp ? SOCK_STREAM : SOCK_DGRAM;
	int fd = ::socket(target.addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (::connect(fd, reinterpret_cast<const struct sockaddr *>(&target.addr), target.addr_len) == 0)
		return fd;
	int err = errno;
	if (err == EINPROGRESS) {
		struct pollfd p = {fd, POLLOUT, 0};
		socklen_t len = sizeof(err);
		if (::poll(&p, 1, timeout_ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
			return fd;
		if (err == EINPROGRESS)
			err = ETIMEDOUT;
	}
	::close(fd);
	errno = err;
	return -1;
}

} // namespace guard
