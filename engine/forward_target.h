/* SPDX-License-Identifier: GPL-2.0-or-later */
// Where a forwarder sends lines: a syslog receiver (--syslog tcp://HOST:PORT,
// udp://HOST:PORT, unix:///PATH) or journald (--journald), and the socket
// it connects there. HOST is an IP address (or localhost): no name is
// resolved (forward_target.cpp says why).
#pragma once

#include <sys/socket.h>

#include <string>

namespace guard {

enum class ForwardProtocol { syslog_tcp, syslog_udp, syslog_unix, journald };

struct ForwardTarget {
	ForwardProtocol protocol = ForwardProtocol::syslog_tcp;
	std::string name; // as health records and messages name it: "syslog tcp://127.0.0.1:514"
	struct sockaddr_storage addr {};
	socklen_t addr_len = 0;
};

// Throws guard::Error saying what was expected.
ForwardTarget parse_syslog_url(const std::string &url);

constexpr const char *kJournalSocket = "/run/systemd/journal/socket";
ForwardTarget journald_target(const std::string &socket_path = kJournalSocket);

// A connected socket (non-blocking, close-on-exec), or -1 with errno set.
// A TCP connect waits at most timeout_ms.
int connect_target(const ForwardTarget &target, int timeout_ms);

} // namespace guard
