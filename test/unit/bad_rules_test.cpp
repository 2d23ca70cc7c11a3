// SPDX-License-Identifier: GPL-2.0-or-later
// Bad rules files: each gets "name:LINE:COL: what was expected", never a
// crash. The table pins the position and the gist of each message; the fuzz
// cases throw random mutations of good files at the parser (run them under
// make SAN=1 test).
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "rules/rules_file.h"
#include "test/support/rules_error.h"

using namespace guard;

namespace {

struct BadFile {
	std::string text;
	std::string at;      // the error points at the nth occurrence of this in text ("": the start)
	const char *message; // a part of the message
	int nth = 1;
};

// "LINE:COL" of the nth occurrence of needle in text.
std::string position_of(const std::string &text, const std::string &needle, int nth)
{
	size_t at = 0;
	if (!needle.empty()) {
		at = text.find(needle);
		for (int i = 1; i < nth && at != std::string::npos; i++)
			at = text.find(needle, at + 1);
		REQUIRE(at != std::string::npos);
	}
	size_t line = 1, col = 1;
	for (size_t i = 0; i < at; i++)
		text[i] == '\n' ? (line++, col = 1) : col++;
	return std::to_string(line) + ":" + std::to_string(col);
}

// A rule wrapped in a file, to keep the table short.
std::string rule(const std::string &body) { return "{\"rules\": [" + body + "]}"; }

const std::string E = R"("id": "R", "severity": "high", "events": ["exec"])";
const std::string F = R"("id": "R", "severity": "high", "events": ["file_open"])";
const std::string N = R"("id": "R", "severity": "high", "events": ["net_connect"])";

std::string with_match(const std::string &head, const std::string &cond)
{
	return rule("{" + head + ", \"match\": " + cond + "}");
}

} // namespace

TEST_CASE("bad rules files: each error names file:line:col and what was expected")
{
	const std::vector<BadFile> cases = {
		// not JSON, or not the right shape
		{"", "", "empty file"},
		{"   \n  ", "", "empty file"},
		{"[]", "[", "JSON object at the top level"},
		{"42", "42", "JSON object at the top level"},
		{"\"rules\"", "\"rules\"", "JSON object at the top level"},
		{"{\"rules\": [}", "}", "improper structure"},
		{"{\"rules\": [] x", "x", "improper structure"},
		{"{\"rules\": []} {}", "{}", "unexpected text after the top-level value"},
		{"{\"rules\": \"abc}", "\"abc", "not valid JSON"},
		{"{\"rules\": [\"\xff\"]}", "\xff", "not valid UTF-8"},
		{"{\"rules\": [], \"rules\": []}", "\"rules\": []", "duplicate key \"rules\"", 2},
		{"{}", "{", "missing \"rules\""},
		{"{\"rules\": 5}", "5", "\"rules\": expected an array"},
		{"{\"rulez\": []}", "\"rulez\"", "unknown key \"rulez\" in the top level, did you mean \"rules\"?"},
		{"{\"version\": 2, \"rules\": []}", "2", "expected 1"},
		{"{\"version\": \"1\", \"rules\": []}", "\"1\"", "expected an integer, found a string"},
		// rules
		{"{\"rules\": [5]}", "5", "rule: expected an object, found an integer"},
		{"{\"rules\": [{}]}", "{}", "missing \"id\""},
		{"{\"rules\": [{\"id\": 5}]}", "5", "\"id\": expected a string"},
		{"{\"rules\": [{\"id\": \"a b\"}]}", "\"a b\"", "letters, digits"},
		{"{\"rules\": [{\"id\": \"\"}]}", "\"\"", "letters, digits"},
		{"{\"rules\": [{\"id\": \"R\"}]}", "{\"id\"", "missing \"severity\""},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"hgih\"}]}", "\"hgih\"", "did you mean \"high\"?"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": 3}]}", "3", "expected a string, found an integer"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\"}]}", "{\"id\"", "missing \"events\""},
		{"{\"rules\": [{\"id\": \"R\", \"sevrity\": \"low\"}]}", "\"sevrity\"", "did you mean \"severity\"?"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": []}]}", "[]", "at least one event kind"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": [\"exce\"]}]}", "\"exce\"", "did you mean \"exec\"?"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": [\"file_opne\"]}]}", "\"file_opne\"", "did you mean \"file_open\"?"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": [1]}]}", "1]", "event kind: expected a string"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": [\"exec\"], \"enabled\": 1}]}", "1}", "expected a boolean"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": [\"exec\"], \"type\": \"matcher\"}]}", "\"matcher\"", "did you mean \"match\"?"},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": [\"exec\"]},\n"
		 " {\"id\": \"R\", \"severity\": \"low\", \"events\": [\"exec\"]}]}", "\"R\"", "duplicate rule id \"R\"", 2},
		{"{\"rules\": [{\"id\": \"R\", \"severity\": \"low\", \"events\": [\"exec\"], \"within_seconds\": 5}]}", "5", "dropper"},
		// conditions
		{with_match(E, "[]"), "[]}", "expected a condition object"},
		{with_match(E, "{}"), "{}", "missing \"field\""},
		{with_match(E, R"({"field": "path"})"), "{\"field\"", "exactly one operator"},
		{with_match(E, R"({"field": "path", "prefix": "/a", "suffix": "b"})"), "{\"field\"", "exactly one operator"},
		{with_match(E, R"({"feild": "path"})"), "\"feild\"", "did you mean \"field\"?"},
		{with_match(E, R"({"field": "paht", "prefix": "/tmp/"})"), "\"paht\"", "unknown field \"paht\", did you mean \"path\"?"},
		{with_match(E, R"({"field": "path", "prefx": "/tmp/"})"), "\"prefx\"", "did you mean \"prefix\"?"},
		{with_match(E, R"({"field": 7, "prefix": "/tmp/"})"), "7", "\"field\": expected a string"},
		{with_match(E, R"({"field": "path", "prefix": 7})"), "7", "expected a string, found an integer"},
		{with_match(E, R"({"field": "path", "prefix": []})"), "[]", "at least one string"},
		{with_match(E, R"({"field": "path", "prefix": [["/a"]]})"), "[\"/a\"]", "nested array"},
		{with_match(E, R"({"field": "path", "lt": 5})"), "\"lt\"", "does not apply to field \"path\""},
		{with_match(E, R"({"field": "path", "cidr": "10.0.0.0/8"})"), "\"cidr\"", "does not apply"},
		{with_match(E, R"({"field": "path", "equals": ["/a"]})"), "[\"/a\"]", "use \"in\" for a list"},
		{with_match(E, R"({"field": "path", "glob": "/a[b"})"), "\"/a[b\"", "malformed pattern"},
		{with_match(E, R"({"field": "argc", "gt": "3"})"), "\"3\"", "expected an integer, found a string"},
		{with_match(E, R"({"field": "argc", "gt": 3.5})"), "3.5", "expected an integer, found a number"},
		{with_match(E, R"({"field": "argc", "prefix": "3"})"), "\"prefix\"", "does not apply to field \"argc\""},
		{with_match(E, R"({"field": "fileless", "equals": 1})"), "1}", "expected a boolean"},
		{with_match(E, R"({"field": "fileless", "in": [true]})"), "\"in\"", "does not apply"},
		{with_match(E, R"({"field": "new_path", "prefix": "/a"})"), "\"new_path\"", "does not exist on exec"},
		{with_match(F, R"({"field": "argv", "prefix": "/a"})"), "\"argv\"", "does not exist on file_open"},
		{with_match(F, R"({"field": "ancestor_comm", "equals": "sshd"})"), "\"ancestor_comm\"", "does not exist on file_open"},
		{with_match(N, R"({"field": "addr", "cidr": "10.0.0.0/33"})"), "\"10.0.0.0/33\"", "expected ADDRESS/PREFIX"},
		{with_match(N, R"({"field": "addr", "cidr": "10.0.0/8"})"), "\"10.0.0/8\"", "expected ADDRESS/PREFIX"},
		{with_match(N, R"({"field": "addr", "cidr": "fe80::/129"})"), "\"fe80::/129\"", "expected ADDRESS/PREFIX"},
		{with_match(N, R"({"field": "addr", "equals": "10.0.0.1/8"})"), "\"10.0.0.1/8\"", "expected an IPv4 or IPv6 address"},
		{with_match(N, R"({"field": "addr", "prefix": "10."})"), "\"prefix\"", "does not apply"},
		{with_match(E, R"({"all": []})"), "[]", "at least one condition"},
		{with_match(E, R"({"any": {}})"), "{}", "\"any\": expected an array"},
		{with_match(E, R"({"not": []})"), "[]", "expected a condition object"},
		{with_match(E, R"({"all": [{"field": "argc", "gt": 1}], "any": []})"), "{\"all\"", "must be the only key"},
		{with_match(E, R"({"all": [{"field": "argc", "gt": 5}, {"field": "argc", "lt": 3}]})"), "[{\"field\"", "contradictory"},
		{with_match(E, R"({"all": [{"field": "argc", "ge": 5}, {"field": "argc", "le": 4}]})"), "[{\"field\"", "contradictory"},
		{with_match(E, R"({"all": [{"field": "comm", "equals": "a"}, {"field": "comm", "equals": "b"}]})"), "[{\"field\"", "cannot equal both"},
		{with_match(E, R"({"field": "path", "prefix": {"list": "nope"}})"), "\"nope\"", "no list named \"nope\""},
		{with_match(E, R"({"field": "path", "prefix": {"lst": "x"}})"), "{\"lst\"", "{\"list\": NAME}"},
		// lists
		{"{\"lists\": [], \"rules\": []}", "[]", "\"lists\": expected an object"},
		{"{\"lists\": {\"a\": \"x\"}, \"rules\": []}", "\"x\"", "expected an array"},
		{"{\"lists\": {\"a\": [{}]}, \"rules\": []}", "{}", "expected strings or integers"},
		{"{\"lists\": {\"tmp\": [\"/tmp/\"]}, \"rules\": [{" + E + ", \"match\": {\"field\": \"path\", \"prefix\": {\"list\": \"tpm\"}}}]}",
		 "\"tpm\"", "did you mean \"tmp\"?"},
		{"{\"lists\": {\"n\": [1, 2]}, \"rules\": [{" + E + ", \"match\": {\"field\": \"path\", \"prefix\": {\"list\": \"n\"}}}]}",
		 "1,", "expected a string, found an integer"},
		// attack: MITRE ATT&CK technique ids
		{rule("{" + E + ", \"attack\": [\"T1053.3\"]}"), "\"T1053.3\"", "expected a MITRE ATT&CK technique id"},
		{rule("{" + E + ", \"attack\": [\"t1059\"]}"), "\"t1059\"", "found \"t1059\""},
		{rule("{" + E + ", \"attack\": [\"T1059.0001\"]}"), "\"T1059.0001\"", "T and 4 digits"},
		{rule("{" + E + ", \"attack\": [\"T1059\", \"T1059\"]}"), "\"T1059\"", "listed twice", 2},
		{rule("{" + E + ", \"attack\": \"T1059\"}"), "\"T1059\"", "\"attack\": expected an array"},
		{rule("{" + E + ", \"attack\": []}"), "[]}", "at least one MITRE ATT&CK technique id"},
		{rule("{" + E + ", \"attack\": [1059]}"), "1059", "expected a string"},
		{rule("{" + E + ", \"atack\": [\"T1059\"]}"), "\"atack\"", "did you mean \"attack\"?"},
		// any_bits
		{with_match(F, R"({"field": "mode", "any_bits": 0})"), "0}", "expected a positive integer"},
		{with_match(F, R"({"field": "mode", "any_bits": "04000"})"), "\"04000\"", "expected an integer"},
		{with_match(F, R"({"field": "path", "any_bits": 1})"), "\"any_bits\"", "does not apply to field \"path\""},
		// droppers
		{"{\"rules\": [{\"id\": \"D\", \"type\": \"dropper\", \"severity\": \"high\"}]}", "{\"id\"", "missing \"watch\""},
		{"{\"rules\": [{\"id\": \"D\", \"type\": \"dropper\", \"severity\": \"high\", \"watch\": [\"tmp\"], \"within_seconds\": 5}]}", "\"tmp\"", "absolute path prefix"},
		{"{\"rules\": [{\"id\": \"D\", \"type\": \"dropper\", \"severity\": \"high\", \"watch\": [\"/tmp/\"]}]}", "{\"id\"", "missing \"within_seconds\""},
		{"{\"rules\": [{\"id\": \"D\", \"type\": \"dropper\", \"severity\": \"high\", \"watch\": [\"/tmp/\"], \"within_seconds\": 0}]}", "0}", "1 to 86400"},
		{"{\"rules\": [{\"id\": \"D\", \"type\": \"dropper\", \"severity\": \"high\", \"watch\": [\"/tmp/\"], \"within_seconds\": 5, \"events\": [\"exec\"]}]}", "[\"exec\"]", "takes no \"events\""},
		// sequences and thresholds
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "by": "tree", "within_seconds": 5}]})", "{\"id\"", "missing \"steps\""},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}]}]})", "[{\"events", "exactly two steps"},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"match": {}}]}]})", "{\"match", "step: missing \"events\""},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"events": ["exec"], "math": 1}]}]})", "\"math\"", "did you mean \"match\"?"},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"events": ["exec"]}], "within_seconds": 5}]})", "{\"id\"", "missing \"by\""},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"events": ["exec"]}], "by": "tre", "within_seconds": 5}]})", "\"tre\"", "did you mean \"tree\"?"},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"events": ["exec"]}], "by": "tree"}]})", "{\"id\"", "missing \"within_seconds\""},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"events": ["file_open"]}], "by": "tree", "within_seconds": 5, "same": "argv"}]})", "\"argv\"", "holds several values"},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"events": ["net_connect"]}], "by": "tree", "within_seconds": 5, "same": "path"}]})", "\"path\"", "does not exist on every event kind"},
		{R"({"rules": [{"id": "S", "type": "sequence", "severity": "low", "steps": [{"events": ["exec"]}, {"events": ["exec"]}], "by": "tree", "within_seconds": 5, "count": 3}]})", "3}", "a sequence rule takes no \"count\""},
		{R"({"rules": [{"id": "T", "type": "threshold", "severity": "low", "events": ["exec"], "count": 3, "by": "tree", "within_seconds": 5}]})", "{\"id\"", "missing \"distinct\""},
		{R"({"rules": [{"id": "T", "type": "threshold", "severity": "low", "events": ["exec"], "distinct": "comm", "by": "tree", "within_seconds": 5}]})", "{\"id\"", "missing \"count\""},
		{R"({"rules": [{"id": "T", "type": "threshold", "severity": "low", "events": ["exec"], "distinct": "comm", "count": 1, "by": "tree", "within_seconds": 5}]})", "1,", "expected 2 to 64"},
		{R"({"rules": [{"id": "T", "type": "threshold", "severity": "low", "events": ["exec"], "distinct": "comn", "count": 3, "by": "tree", "within_seconds": 5}]})", "\"comn\"", "unknown field \"comn\""},
		{R"({"rules": [{"id": "T", "type": "threshold", "severity": "low", "events": ["exec"], "distinct": ["comm", "pid", "uid"], "count": 3, "by": "tree", "within_seconds": 5}]})", "[\"comm\"", "one field or an array of two"},
		{R"({"rules": [{"id": "T", "type": "threshold", "severity": "low", "events": ["exec"], "distinct": "port", "count": 3, "by": "tree", "within_seconds": 5}]})", "\"port\"", "does not exist on every event kind"},
		{R"({"rules": [{"id": "T", "type": "threshold", "severity": "low", "events": ["exec"], "distinct": "comm", "count": 3, "by": "tree", "within_seconds": 5, "steps": []}]})", "[]}", "a threshold rule takes no \"steps\""},
		// output
		{"{\"output\": {\"type\": \"file\"}, \"rules\": []}", "{\"type\"", "needs a \"path\""},
		{"{\"output\": {\"type\": \"fiel\", \"path\": \"x\"}, \"rules\": []}", "\"fiel\"", "did you mean \"file\"?"},
		{"{\"output\": {\"type\": \"stdout\", \"pth\": \"x\"}, \"rules\": []}", "\"pth\"", "did you mean \"path\"?"},
		{"{\"output\": \"stdout\", \"rules\": []}", "\"stdout\"", "expected an object"},
		// the seed's layout
		{"{\"rules\": {\"exec_from_tmp\": {\"enabled\": true, \"severity\": \"medium\", \"pahts\": [\"/tmp/\"]}}}", "\"pahts\"", "did you mean \"paths\"?"},
		{"{\"rules\": {\"exec_from_tpm\": {}}}", "\"exec_from_tpm\"", "did you mean \"exec_from_tmp\"?"},
		{"{\"rules\": {\"shadow_read\": {\"severity\": \"high\"}}}", "{\"severity\"", "missing \"paths\""},
		{"{\"rules\": {\"shadow_read\": {\"severity\": \"hihg\", \"paths\": [\"/etc/shadow\"]}}}", "\"hihg\"", "did you mean \"high\"?"},
		{"{\"rules\": {\"shadow_read\": {\"severity\": \"high\", \"paths\": [5]}}}", "5", "expected a string, found an integer"},
		{"{\"rules\": {\"shadow_read\": {\"severity\": \"high\", \"paths\": []}}}", "[]", "at least one string"},
		{"{\"rules\": {\"suspicious_connect\": {\"severity\": \"high\", \"process_names\": [\"sh\"], \"exclude_private_ip\": \"yes\"}}}", "\"yes\"", "expected a boolean"},
		{"{\"rules\": {\"suspicious_connect\": {\"severity\": \"high\", \"exclude_private_ip\": true}}}", "{\"severity\"", "missing \"process_names\""},
		{"{\"rules\": {\"exec_from_tmp\": {\"enabled\": \"yes\", \"severity\": \"medium\", \"paths\": [\"/tmp/\"]}}}", "\"yes\"", "expected a boolean"},
		{"{\"rules\": {\"exec_from_tmp\": []}}", "[]", "expected an object"},
		{"{\"output\": {\"type\": \"file\", \"path\": \"x\"}, \"rulez\": {}, \"rules\": {}}", "\"rulez\"", "did you mean \"rules\"?"},
	};
	CHECK(cases.size() >= 60);
	for (const BadFile &c : cases) {
		CAPTURE(c.text);
		std::string err = test::rules_error(c.text);
		CAPTURE(err);
		CHECK(err.starts_with("r.json:" + position_of(c.text, c.at, c.nth) + ": "));
		CHECK(err.find(c.message) != std::string::npos);
	}
}

TEST_CASE("near misses that are valid: the seed layout with no rules, one path as a string")
{
	CHECK(test::rules_error("{\"rules\": {}}") == "");
	CHECK(test::rules_error("{\"rules\": []}") == "");
	CHECK(test::rules_error("{\"rules\": {\"shadow_read\": {\"severity\": \"high\", \"paths\": \"/etc/shadow\"}}}") == "");
}

TEST_CASE("deep nesting is refused, not a stack overflow")
{
	std::string deep = "{\"rules\": [{" + E + ", \"match\": ";
	for (int i = 0; i < 40; i++)
		deep += "{\"not\": ";
	deep += "{\"field\": \"argc\", \"gt\": 1}";
	for (int i = 0; i < 40; i++)
		deep += "}";
	deep += "}]}";
	CHECK(test::rules_error(deep).find("nested too deeply") != std::string::npos);

	std::string arrays(100000, '[');
	CHECK(test::rules_error("{\"rules\": " + arrays).starts_with("r.json:1:"));
}

TEST_CASE("a missing rules file is an error that names it")
{
	CHECK_THROWS_WITH_AS(rules::load_rules_file("/nonexistent/guard-rules.json"),
			     doctest::Contains("/nonexistent/guard-rules.json: No such file"), rules::RulesFileError);
}

TEST_CASE("fuzz: random mutations of good files never crash the parser")
{
	std::vector<std::string> seeds = {std::string(rules::default_rules_text()),
					  R"({"output": {"type": "file", "path": "./log/events.jsonl"}, "rules": {"exec_from_tmp": {"enabled": true, "severity": "medium", "paths": ["/tmp/", "/var/tmp/", "/dev/shm/"]}, "shadow_read": {"enabled": true, "severity": "high", "paths": ["/etc/shadow"]}, "suspicious_connect": {"enabled": true, "severity": "high", "process_names": ["sh", "bash"], "exclude_private_ip": true}}})"};
	const char *tokens[] = {"{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "-1", "1e999", "\xff", "\x00",
				"\"field\"", "\"list\"", "{\"list\": \"temp_dirs\"}", "\"all\": [", "\"not\": "};
	std::mt19937_64 rng(20261122); // fixed: the same mutations every run
	size_t refused = 0, accepted = 0;
	for (int i = 0; i < 3000; i++) {
		std::string text = seeds[rng() % seeds.size()];
		int edits = 1 + int(rng() % 4);
		for (int e = 0; e < edits; e++) {
			size_t at = rng() % (text.size() + 1);
			switch (rng() % 4) {
			case 0: // delete a run
				text.erase(at, rng() % 8);
				break;
			case 1: { // insert a token
				const char *t = tokens[rng() % std::size(tokens)];
				text.insert(at, t[0] ? std::string(t) : std::string(1, '\0'));
				break;
			}
			case 2: // flip a byte
				if (at < text.size())
					text[at] = static_cast<char>(rng());
				break;
			case 3: // duplicate a slice
				if (at < text.size())
					text.insert(at, text.substr(at, rng() % 32));
				break;
			}
		}
		try {
			rules::compile_rules_text(text, "fuzz.json");
			accepted++;
		} catch (const rules::RulesFileError &e) {
			refused++;
			REQUIRE(std::string_view(e.what()).starts_with("fuzz.json:"));
		}
	}
	MESSAGE("refused " << refused << ", accepted " << accepted);
	CHECK(refused > 0);
}
