// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/forward_target.h"

#include <netdb.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "loader/error.h"

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

// HOST:PORT, HOST a name, an IPv4 address or a bracketed IPv6 one.
void resolve(ForwardTarget &t, const std::string &url, const std::string &authority, int socktype)
{
	size_t colon = authority.rfind(':');
	if (colon == std::string::npos || colon == 0)
		bad_url(url, "no HOST:PORT");
	std::string host = authority.substr(0, colon), port = authority.substr(colon + 1);
	if (host.front() == '[') {
		if (host.back() != ']')
			bad_url(url, "an IPv6 address needs its closing ]");
		host = host.substr(1, host.size() - 2);
	}
	char *end = nullptr;
	long n = std::strtol(port.c_str(), &end, 10);
	if (port.empty() || *end != '\0' || n < 1 || n > 65535 || port.find_first_not_of("0123456789") != std::string::npos)
		bad_url(url, "port \"" + port + "\" is not a number from 1 to 65535");
	struct addrinfo hints {};
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	struct addrinfo *found = nullptr;
	if (int err = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); err != 0)
		bad_url(url, "host \"" + host + "\": " + ::gai_strerror(err));
	std::memcpy(&t.addr, found->ai_addr, found->ai_addrlen);
	t.addr_len = found->ai_addrlen;
	::freeaddrinfo(found);
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
	resolve(t, url, rest, scheme == "tcp" ? SOCK_STREAM : SOCK_DGRAM);
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
