/* SPDX-License-Identifier: GPL-2.0-or-later */
// A mix of records of every kind that exercises every default rule (and
// misses them too), for the allocation test and the engine benchmark.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "synthetic/fake_cgroups.h"
#include "synthetic/privilege_records.h"
#include "synthetic/record_builders.h"

namespace guard::synthetic {

inline std::vector<std::vector<uint8_t>> record_mix()
{
	std::vector<std::vector<uint8_t>> v;
	Task shell{4000, 1, "bash", 5'000'000'000};
	Task cat{4001, 4000, "cat", 5'000'100'000};
	Task sh{4002, 4000, "sh", 5'000'200'000};
	Task curl{4003, 4000, "curl", 5'000'300'000};
	const uint8_t v6_global[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	const uint8_t v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	v.push_back(fork_record(shell, cat.pid));
	v.push_back(exec_record(cat, "/usr/bin/cat", {"cat", "/etc/hostname"}));
	v.push_back(file_record(cat, GUARD_RECORD_FILE_OPEN, "/etc/hostname", {}, 3, O_RDONLY));
	v.push_back(file_record(cat, GUARD_RECORD_FILE_OPEN, "/etc/shadow", {}, -13, O_RDONLY));      // SHADOW_READ attempt
	v.push_back(file_record(cat, GUARD_RECORD_FILE_OPEN, "/etc/shadow", {}, 3, O_RDONLY));        // SHADOW_READ success
	v.push_back(exit_record(cat, 0));
	v.push_back(fork_record(shell, sh.pid));
	v.push_back(exec_record(sh, "/tmp/payload", {"/tmp/payload", "-x"}));                          // EXEC_FROM_TMP
	v.push_back(exec_record(sh, "/usr/bin/python3", {"python3", "-c", "print(1)"}));
	v.push_back(exec_record(sh, "/nonexistent", {"x"}, 0, -2));                                    // exec_failed
	v.push_back(exec_record(sh, "/memfd:x (deleted)", {"x"}, GUARD_EXEC_FILELESS | GUARD_EXEC_MEMFD)); // FILELESS_EXEC
	v.push_back(net_record(sh, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(203, 0, 113, 9), 4444, -101)); // SUSPICIOUS_CONNECT
	v.push_back(net_record(sh, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(10, 0, 0, 1), 443));
	v.push_back(net_record(sh, GUARD_RECORD_NET_CONNECT, AF_INET6, {v6_global, v6_global + 16}, 443)); // SUSPICIOUS_CONNECT
	v.push_back(net_record(sh, GUARD_RECORD_NET_CONNECT, AF_INET6, {v6_loop, v6_loop + 16}, 443));
	v.push_back(net_record(curl, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(203, 0, 113, 9), 443));
	v.push_back(raced_connect_record(curl, ipv4(203, 0, 113, 9), 443, ipv4(10, 0, 0, 1), 443)); // SOCKADDR_RACE
	v.push_back(script_exec_record(sh, "./x.sh", "/usr/bin/dash", "/var/tmp"));                   // EXEC_FROM_TMP
	v.push_back(net_record(sh, GUARD_RECORD_NET_BIND, AF_INET, ipv4(127, 0, 0, 1), 8080));
	v.push_back(net_record(sh, GUARD_RECORD_NET_LISTEN, AF_INET, ipv4(127, 0, 0, 1), 8080));
	v.push_back(net_record(sh, GUARD_RECORD_NET_ACCEPT, AF_INET, ipv4(127, 0, 0, 1), 50000, 5));
	v.push_back(net_record(sh, GUARD_RECORD_NET_SEND, AF_INET, ipv4(203, 0, 113, 9), 53, 1, GUARD_NET_ADDR_FROM_USER, 7)); // SUSPICIOUS_CONNECT
	v.push_back(net_record(sh, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(198, 51, 100, 7), 443, -101,
			       GUARD_NET_ADDR_FROM_USER | GUARD_VIA_IO_URING)); // SUSPICIOUS_CONNECT
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, "/etc/shadow", {}, 0, O_RDONLY,
				GUARD_FILE_PATH_FROM_USER | GUARD_VIA_IO_URING | GUARD_NO_RESULT)); // SHADOW_READ
	v.push_back(file_record(sh, GUARD_RECORD_FILE_MKDIR, "/tmp/.hidden", {}, 0, 0, GUARD_FILE_PATH_FROM_USER));
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, "/tmp/dropped", {}, 3, O_WRONLY | O_CREAT, GUARD_FILE_MODIFY));
	v.push_back(with_file_mode(file_record(sh, GUARD_RECORD_FILE_CHMOD, "/tmp/dropped", {}, 0), 0755));
	v.push_back(exec_record(sh, "/tmp/dropped", {"/tmp/dropped"})); // DROPPER + EXEC_FROM_TMP + CHMOD_THEN_RUN
	v.push_back(file_record(sh, GUARD_RECORD_FILE_RENAME, "/tmp/unit", "/etc/systemd/system/evil.service", 0)); // PERSISTENCE_SYSTEMD
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, "/etc/cron.d/job", {}, 3, O_WRONLY | O_TRUNC, GUARD_FILE_MODIFY)); // PERSISTENCE_CRON
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, "/home/u/.bashrc", {}, 3, O_WRONLY | O_APPEND, GUARD_FILE_MODIFY)); // PERSISTENCE_SHELL_PROFILE
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, "/home/u/.bashrc", {}, 3, O_RDONLY));
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, "/root/.ssh/authorized_keys", {}, 3, O_WRONLY, GUARD_FILE_MODIFY)); // PERSISTENCE_SSH_KEYS
	v.push_back(file_record(sh, GUARD_RECORD_FILE_UNLINK, "/etc/ld.so.preload", {}, -2));         // PERSISTENCE_LD_PRELOAD (attempt)
	v.push_back(file_record(sh, GUARD_RECORD_FILE_CHOWN, "/srv/x", {}, 0));
	v.push_back(file_record(sh, GUARD_RECORD_FILE_LINK, "/srv/x", "/srv/y", 0));
	v.push_back(file_record(sh, GUARD_RECORD_FILE_SYMLINK, "/srv/z", "../x", 0));
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, std::string_view("/srv/\xff\x01weird\"name", 18), {}, 3, O_RDONLY));
	v.push_back(exec_record(sh, "/usr/bin/env", {"env", std::string("a\xff\n", 3)}));
	v.push_back(exec_record(sh, "/usr/bin/dash", {"sh", "/dev/shm/x.sh"}));                         // SCRIPT_FROM_TMP
	v.push_back(exec_record(sh, "/usr/bin/dash", {"sh", "-c", "echo ZXhpdCAw | base64 -d | sh"}));  // DECODE_AND_RUN
	v.push_back(with_file_mode(file_record(sh, GUARD_RECORD_FILE_CHMOD, "/srv/sh", {}, 0), 04755));  // SETUID_BIT_SET
	v.push_back(with_file_mode(file_record(sh, GUARD_RECORD_FILE_OPEN, "/srv/sh", {}, 3, O_WRONLY | O_CREAT, GUARD_FILE_MODIFY),
				   02755));                                                              // SETUID_FILE_CREATED
	v.push_back(file_record(sh, GUARD_RECORD_FILE_UNLINK, "/root/.bash_history", {}, 0));           // HISTORY_REMOVED
	v.push_back(file_record(sh, GUARD_RECORD_FILE_OPEN, "/root/.bash_history", {}, 3, O_WRONLY | O_TRUNC,
				GUARD_FILE_MODIFY));                                                    // HISTORY_TRUNCATED
	v.push_back(file_record(cat, GUARD_RECORD_FILE_OPEN, "/home/u/.ssh/id_rsa", {}, 3, O_RDONLY));  // CREDENTIAL_FILE_READ
	v.push_back(exec_record(sh, "/home/u/.../kworker", {"kworker"}));                               // MASQUERADING_DIR_EXEC
	v.push_back(exec_record(Task{4005, 4000, "sshd", 5'000'500'000}, "/dev/shm/sshd", {"sshd"}));   // MASQUERADING_NAME
	v.push_back(exec_record(Task{4004, 4000, "tar", 5'000'400'000}, "/usr/bin/tar",
				{"tar", "czf", "/tmp/e.tgz", "/etc"}));                                 // ARCHIVE_TO_TMP
	v.push_back(exec_record(sh, "/usr/bin/bash", {"bash", "-i"}, 0, 0, "/", GUARD_STDIO_SOCKET | GUARD_STDIO_INET)); // REVERSE_SHELL
	v.push_back(exec_record(Task{4006, 4000, "base64", 5'000'600'000}, "/usr/bin/base64", {"base64", "-d"})); // DECODE_THEN_SHELL
	uint32_t tool_pid = 4010;
	for (const char *tool : {"id", "whoami", "uname", "hostname", "ps"}) // DISCOVERY_SWEEP
		v.push_back(exec_record(Task{tool_pid++, 4000, tool, 5'000'700'000}, std::string("/usr/bin/") + tool, {tool}));
	for (uint16_t port = 1; port <= 20; port++) // PORT_SCAN
		v.push_back(net_record(curl, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), port, -111));
	v.push_back(with_cgroup(exec_record(Task{4030, 4000, "bash", 5'000'800'000}, "/usr/bin/bash", {"bash"}),
				container_cgroup_base + 1)); // SHELL_IN_CONTAINER (with FakeCgroupPaths)
	add_privilege_mix(v, sh);
	v.push_back(exit_record(sh, 1));
	return v;
}

// Gives a pooled record another pid without reallocating it, so a long run
// touches many processes (and the process table evicts).
inline void set_pid(std::vector<uint8_t> &record, uint32_t pid)
{
	std::memcpy(record.data() + offsetof(struct guard_header, pid), &pid, sizeof(pid));
}

} // namespace guard::synthetic
