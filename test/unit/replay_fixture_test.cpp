// SPDX-License-Identifier: GPL-2.0-or-later
// A recorded fixture from the real kernel (test/fixtures/seed_workload.rec,
// `guard record` around test/fixtures/seed_workload.sh, kept to the records of
// that script and its children) through the engine: the seed's rules and the
// defaults find what the script did.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <map>

#include "engine/pipeline.h"
#include "engine/record_file.h"
#include "rules/rules_file.h"

using namespace guard;

namespace {

constexpr std::string_view kSeedRules = R"({"output": {"type": "file", "path": "./log/events.jsonl"},
 "rules": {
  "exec_from_tmp": {"enabled": true, "severity": "medium", "paths": ["/tmp/", "/var/tmp/", "/dev/shm/"]},
  "shadow_read": {"enabled": true, "severity": "high", "paths": ["/etc/shadow"]},
  "suspicious_connect": {"enabled": true, "severity": "high",
    "process_names": ["sh","bash","dash","zsh","python","python3","perl","ruby","nc","ncat","socat"],
    "exclude_private_ip": true}}})";

struct Replayed {
	std::string text;
	PipelineStats stats;
	std::map<std::string, uint64_t> alerts;
};

Replayed replay(std::unique_ptr<RuleSet> rules)
{
	RecordFile rec = RecordFile::load(std::string(GUARD_SOURCE_DIR) + "/test/fixtures/seed_workload.rec");
	int fd = ::memfd_create("replay", MFD_CLOEXEC);
	BatchWriter out(fd, 1 << 20);
	Pipeline p(out, rec.boot_to_unix_ns(), {true, 1024});
	p.set_rules(std::move(rules));
	rec.for_each([&](std::span<const uint8_t> r) { p.on_record(r); });
	out.flush();
	Replayed r;
	r.stats = p.stats();
	p.for_each_alert_count([&](std::string_view id, uint64_t n) { r.alerts[std::string(id)] += n; });
	off_t size = ::lseek(fd, 0, SEEK_END);
	r.text.resize(static_cast<size_t>(size));
	REQUIRE(::pread(fd, r.text.data(), r.text.size(), 0) == size);
	::close(fd);
	return r;
}

size_t count(const std::string &text, std::string_view needle)
{
	size_t n = 0;
	for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
		n++;
	return n;
}

// Alert lines holding needle (an alert repeats its event's fields).
size_t count_alerts(const std::string &text, std::string_view needle)
{
	size_t n = 0;
	for (size_t at = 0, end; at < text.size(); at = end + 1) {
		end = text.find('\n', at);
		if (end == std::string::npos)
			end = text.size();
		std::string_view line(text.data() + at, end - at);
		n += line.starts_with("{\"type\":\"alert\"") && line.find(needle) != std::string_view::npos;
	}
	return n;
}

} // namespace

TEST_CASE("recorded fixture, seed rules: the script's execs from /tmp, both shadow reads, one outside connect")
{
	Replayed r = replay(rules::compile_rules_text(kSeedRules, "rules.json").set);
	CHECK(r.stats.records == 287);
	uint64_t decode_errors = 0;
	for (uint64_t n : r.stats.decode_errors)
		decode_errors += n;
	CHECK(decode_errors == 0);
	// work.sh, dropped and nc twice all ran from /tmp/fx.
	CHECK(r.alerts["EXEC_FROM_TMP"] == 4);
	CHECK(r.alerts["SHADOW_READ"] == 2);
	CHECK(count_alerts(r.text, "\"path\":\"/etc/shadow\",\"ok\":true") == 1);
	CHECK(count_alerts(r.text, "\"path\":\"/etc/shadow\",\"ok\":false,\"errno\":13,\"error\":\"EACCES\"") == 1);
	CHECK(count_alerts(r.text, "\"access\":\"read\"") == 2);
	// 198.51.100.7 alerts, 10.0.0.1 does not.
	CHECK(r.alerts["SUSPICIOUS_CONNECT"] == 1);
	CHECK(count_alerts(r.text, "\"exe\":\"/tmp/fx/nc\",\"family\":\"inet\",\"addr\":\"198.51.100.7\",\"port\":4444") == 1);
	CHECK(count(r.text, "\"parent_comm\":\"work.sh\"") >= 5);
}

TEST_CASE("recorded fixture, default rules: cp then exec of /tmp/fx/dropped is a dropper")
{
	Replayed r = replay(rules::load_default_rules().set);
	CHECK(r.alerts["DROPPER"] == 1);
	CHECK(count(r.text, "\"rule\":\"DROPPER\",\"severity\":\"high\"") == 1);
	CHECK(count(r.text, "\"path\":\"/tmp/fx/dropped\",\"cwd\":\"/tmp/fx\",\"argv\":[\"/tmp/fx/dropped\"]") >= 1);
}
