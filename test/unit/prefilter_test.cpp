// SPDX-License-Identifier: GPL-2.0-or-later
// The prefilter's soundness, without the kernel: records generated over a
// tree of real files and a spread of addresses go through the rules' own
// matching and through the userspace twin of the kernel's decision
// (test/support/prefilter_twin.h) over the tables the agent would write;
// every record a rule matches must pass. And the tables' shape: what the
// kernel checks, what makes a kind pass whole.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/prefilter_table.h"
#include "rules/rules_file.h"
#include "test/support/prefilter_twin.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

constexpr uint32_t all_filtered = ~0u;

// The twin's view of the directories above path and of "/".
test::KernelSide kernel_side(const std::string &path)
{
	test::KernelSide k;
	std::string p = path;
	while (p.size() > 1) {
		size_t slash = p.rfind('/');
		p = slash == 0 ? "/" : p.substr(0, slash);
		struct stat st {};
		if (::stat(p.c_str(), &st) == 0)
			k.dirs.push_back({test::kernel_dev_of(st.st_dev), st.st_ino});
	}
	struct stat root {};
	::stat("/", &root);
	k.root = {test::kernel_dev_of(root.st_dev), root.st_ino};
	struct stat st {};
	if (::stat(path.c_str(), &st) == 0)
		k.ctime_ns = uint64_t(st.st_ctim.tv_sec) * 1000000000 + uint64_t(st.st_ctim.tv_nsec);
	return k;
}

std::string rules_over(const std::string &d)
{
	return R"({"rules": [
 {"id": "EXACT", "severity": "high", "events": ["file_open"], "match": {"field": "path", "equals": ")" + d + R"(/secret"}},
 {"id": "LATER", "severity": "high", "events": ["file_open"], "match": {"field": "path", "in": [")" + d + R"(/later"]}},
 {"id": "MODIFY_CONF", "severity": "high", "events": ["file_open"],
  "match": {"all": [{"field": "modify", "equals": true}, {"field": "path", "prefix": ")" + d + R"(/conf/"}]}},
 {"id": "JOBS", "severity": "high", "events": ["file_open"], "match": {"field": "any_path", "glob": ")" + d + R"(/jobs/*.sh"}},
 {"id": "DEEP", "severity": "low", "events": ["file_open"],
  "match": {"all": [{"field": "path", "prefix": ")" + d + R"(/a/b/"}, {"field": "comm", "equals": "cat"}]}},
 {"id": "UNLINKS", "severity": "low", "events": ["file_unlink"], "match": {"field": "path", "prefix": "/"}},
 {"id": "DOCS", "severity": "high", "events": ["net_connect", "net_send"],
  "match": {"field": "addr", "cidr": ["192.0.2.0/24", "10.0.0.0/8", "2001:db8::/32"]}},
 {"id": "INNER", "severity": "high", "events": ["net_bind"], "match": {"field": "addr", "cidr": "10.1.0.0/16"}},
 {"id": "PORT", "severity": "high", "events": ["net_connect", "net_listen"], "match": {"field": "port", "in": [4444, 31337]}},
 {"id": "NC_OPEN", "severity": "low", "events": ["file_open"], "match": {"all": [{"field": "comm", "equals": "nc"}, {"field": "path", "suffix": ".txt"}]}},
 {"id": "TOOLS_CHMOD", "severity": "low", "events": ["file_chmod", "net_accept"], "match": {"field": "comm", "in": ["vi", "socat", "a15charsnamexyz"]}},
 {"id": "SYSTEM_CHMOD", "severity": "low", "events": ["file_chmod"], "match": {"all": [{"field": "uid", "lt": 1000}, {"field": "modify", "equals": true}]}},
 {"id": "BAND_MKDIR", "severity": "low", "events": ["file_mkdir", "net_bind"],
  "match": {"any": [{"all": [{"field": "uid", "ge": 1000}, {"field": "uid", "le": 1001}]}, {"field": "uid", "in": [4294967294, 7, 8, 9]}]}},
 {"id": "ROOT_NC_MKDIR", "severity": "low", "events": ["file_mkdir"], "match": {"all": [{"field": "uid", "equals": 0}, {"field": "comm", "equals": "nc"}]}},
 {"id": "NC_CONNECT", "severity": "low", "events": ["net_connect"], "match": {"any": [{"field": "comm", "equals": "nc"}, {"field": "uid", "gt": 65533}]}}
]})";
}

struct Generator {
	std::mt19937 rng{20261202};
	std::vector<std::string> paths;
	std::vector<std::string> watched_names; // exact names: replaced now and then
	std::vector<std::string> storage; // keeps the records' strings
	size_t replaced = 0;

	uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); }

	// Gives path a new file, after the tables were made, as an attacker
	// would before the engine resolves it again: renamed over it, linked
	// into place, or unlinked and created anew.
	void replace(const std::string &path)
	{
		std::string fresh = path + ".new";
		::unlink(fresh.c_str());
		int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
		REQUIRE(fd >= 0);
		::close(fd);
		switch (pick(3)) {
		case 0: REQUIRE(::rename(fresh.c_str(), path.c_str()) == 0); break;
		case 1:
			REQUIRE(::unlink(path.c_str()) == 0);
			REQUIRE(::link(fresh.c_str(), path.c_str()) == 0);
			REQUIRE(::unlink(fresh.c_str()) == 0);
			break;
		default:
			REQUIRE(::unlink(fresh.c_str()) == 0);
			REQUIRE(::unlink(path.c_str()) == 0);
			fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
			REQUIRE(fd >= 0);
			::close(fd);
		}
		replaced++;
	}

	// The task's facts: a few comms and uids near the rules' bounds.
	void task(Record &r)
	{
		static const char *comms[] = {"cat", "vi", "nc", "socat", "a15charsnamexyz", "", "ncat"};
		static const uint32_t uids[] = {0, 6, 7, 999, 1000, 1001, 1002, 65533, 65534, 4294967294u, 4294967295u};
		std::strcpy(r.header.comm, comms[pick(7)]);
		r.header.uid = uids[pick(11)];
		r.header.euid = uids[pick(11)];
	}

	Record file_record(uint16_t kind)
	{
		Record r;
		r.header.kind = kind;
		const std::string &path = paths[pick(paths.size())];
		r.path = path;
		if (kind == GUARD_RECORD_FILE_OPEN && pick(10) == 0 &&
		    std::find(watched_names.begin(), watched_names.end(), path) != watched_names.end())
			replace(path);
		task(r);
		static const uint32_t flags[] = {O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR, O_RDONLY | O_NOFOLLOW};
		r.open_flags = flags[pick(4)];
		r.result = pick(5) == 0 ? -13 : 3;
		if (kind == GUARD_RECORD_FILE_OPEN && (r.open_flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
			r.header.flags |= GUARD_FILE_MODIFY;
		struct stat st {};
		if (kind == GUARD_RECORD_FILE_OPEN && r.result >= 0 && ::stat(path.c_str(), &st) == 0) {
			r.dev = st.st_dev;
			// Now and then the open that makes another file under the
			// name (unlinked, created again) since the tables were made:
			// its directory's O_CREAT bit lets it through.
			bool creates = r.open_flags & O_CREAT;
			r.ino = creates && pick(4) == 0 ? st.st_ino + 1000000 : st.st_ino;
		}
		return r;
	}

	Record net_record(uint16_t kind)
	{
		Record r;
		r.header.kind = kind;
		task(r);
		r.family = pick(3) == 0 ? 10 : 2;
		static const uint8_t v4[][4] = {{192, 0, 2, 9}, {10, 1, 2, 3}, {10, 9, 9, 9}, {127, 0, 0, 1}, {198, 51, 100, 7}};
		static const uint8_t v6[][2] = {{0x20, 0x01}, {0xfe, 0x80}};
		if (r.family == 2) {
			std::memcpy(r.addr, v4[pick(5)], 4);
		} else {
			std::memcpy(r.addr, v6[pick(2)], 2);
			if (r.addr[0] == 0x20)
				r.addr[2] = 0x0d, r.addr[3] = 0xb8;
		}
		static const uint16_t ports[] = {22, 443, 4444, 31337, 8080};
		r.port = ports[pick(5)];
		r.result = pick(4) == 0 ? -111 : 0;
		return r;
	}
};

// Runs n generated records through the rules and the twin; returns how
// many the twin held back. Fails on any matched record held back.
size_t check_sound(RuleSet &set, Generator &g, size_t n)
{
	set.watched_files.resolve();
	PrefilterTable t = build_prefilter_table(set);
	static const uint16_t kinds[] = {GUARD_RECORD_FILE_OPEN,    GUARD_RECORD_FILE_OPEN,   GUARD_RECORD_FILE_OPEN,
					 GUARD_RECORD_FILE_UNLINK,  GUARD_RECORD_FILE_CHMOD,  GUARD_RECORD_FILE_RENAME,
					 GUARD_RECORD_FILE_MKDIR,   GUARD_RECORD_NET_CONNECT, GUARD_RECORD_NET_BIND,
					 GUARD_RECORD_NET_LISTEN,   GUARD_RECORD_NET_ACCEPT,  GUARD_RECORD_NET_SEND};
	size_t held = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t kind = kinds[g.pick(sizeof(kinds) / sizeof(kinds[0]))];
		Record r = guard_ring_of(kind) == GUARD_RING_FILE ? g.file_record(kind) : g.net_record(kind);
		EventView ev;
		ev.rec = &r;
		uint32_t matches[max_matches];
		uint64_t over = 0;
		size_t m = match_event(set, ev, matches, over);
		bool passes = test::twin_passes(t, all_filtered, r, kernel_side(std::string(r.path)));
		if (m > 0 && !passes) {
			CAPTURE(kind);
			CAPTURE(std::string(r.path));
			CAPTURE(set.rules[matches[0]].id);
			FAIL("a record a rule matches was held back");
		}
		held += !passes;
	}
	return held;
}

bool dev_is_kernel_dev(const std::string &path)
{
	struct statfs fs {};
	return ::statfs(path.c_str(), &fs) == 0 && fs.f_type != 0x9123683e && fs.f_type != 0x794c7630;
}

} // namespace

TEST_CASE("the prefilter passes every record a rule matches (generated records, the kernel's twin)")
{
	test::TempDir dir;
	const std::string &d = dir.path;
	for (const char *sub : {"/conf", "/conf/sub", "/jobs", "/a", "/a/b", "/a/b/c", "/other"})
		::mkdir((d + sub).c_str(), 0700);
	Generator g;
	for (const char *name : {"/secret", "/conf/x.conf", "/conf/sub/y", "/jobs/run.sh", "/jobs/run.txt", "/a/b/c/deep",
				 "/other/z", "/later"})
		g.paths.push_back(d + name);
	for (const std::string &p : g.paths)
		if (p != d + "/later")
			dir.write(p.substr(d.size() + 1), "x");
	rules::LoadedRules loaded = rules::compile_rules_text(rules_over(d), "r.json");
	// /later appears after the rules load: found by its directory.
	dir.write("later", "x");
	// The exact names get new files after the tables are made.
	g.watched_names = {d + "/secret", d + "/later"};
	size_t held = check_sound(*loaded.set, g, 20000);
	CHECK(g.replaced > 50);
	if (dev_is_kernel_dev(d))
		CHECK(held > 2000); // the filter holds back what no rule watches, not nothing
	g.watched_names.clear();

	rules::LoadedRules defaults = rules::load_default_rules();
	check_sound(*defaults.set, g, 20000);
}

TEST_CASE("the prefilter's tables: what the kernel checks, and what makes a kind pass whole")
{
	test::TempDir dir;
	const std::string &d = dir.path;
	for (const char *sub : {"/conf", "/jobs", "/a", "/a/b"})
		::mkdir((d + sub).c_str(), 0700);
	std::string secret = dir.write("secret", "x");
	dir.write("later", "x");
	rules::LoadedRules loaded = rules::compile_rules_text(rules_over(d), "r.json");
	PrefilterTable t = build_prefilter_table(*loaded.set);
	if (!dev_is_kernel_dev(d)) {
		CHECK((t.pass_all & kind_bit(GUARD_RECORD_FILE_OPEN)));
		return;
	}
	CHECK(!(t.pass_all & kind_bit(GUARD_RECORD_FILE_OPEN)));
	CHECK((t.table & kind_bit(GUARD_RECORD_FILE_OPEN)));
	// A watched file by identity: its renames, links and unlinks must reach
	// the engine, which resolves it again.
	CHECK((t.pass_all & kind_bit(GUARD_RECORD_FILE_RENAME)));
	CHECK((t.pass_all & kind_bit(GUARD_RECORD_FILE_UNLINK)));
	CHECK(!(t.table & kind_bit(GUARD_RECORD_FILE_LINK))); // no rule: none passes
	struct stat st {};
	REQUIRE(::stat(secret.c_str(), &st) == 0);
	CHECK((test::twin_file_bits(t, test::kernel_dev_of(st.st_dev), st.st_ino) & GUARD_FILTER_FILE_ANY));
	REQUIRE(::stat((d + "/conf").c_str(), &st) == 0);
	CHECK(test::twin_file_bits(t, test::kernel_dev_of(st.st_dev), st.st_ino) == GUARD_FILTER_DIR_MODIFY);
	// The directory that holds an exact name: a file created or put there
	// since the names were resolved passes (its ctime), an older one not.
	REQUIRE(::stat(d.c_str(), &st) == 0);
	CHECK(test::twin_file_bits(t, test::kernel_dev_of(st.st_dev), st.st_ino) ==
	      (GUARD_FILTER_DIR_CREATE | GUARD_FILTER_DIR_NAMES));
	// The bits some directory has: the kernel's walk ends above the first
	// directory when none but O_CREAT's apply.
	CHECK(t.dir_bits == (GUARD_FILTER_DIR_ANY | GUARD_FILTER_DIR_MODIFY | GUARD_FILTER_DIR_CREATE));
	rules::LoadedRules exact = rules::compile_rules_text(
		R"({"rules": [{"id": "E", "severity": "low", "events": ["file_open"], "match": {"field": "path", "equals": ")" +
			secret + R"("}}]})",
		"e.json");
	CHECK(build_prefilter_table(*exact.set).dir_bits == GUARD_FILTER_DIR_CREATE);
	struct timespec now {};
	::clock_gettime(CLOCK_REALTIME, &now);
	uint64_t now_ns = uint64_t(now.tv_sec) * 1000000000 + uint64_t(now.tv_nsec);
	CHECK(t.names_changed_ns < now_ns - 1000000000);
	CHECK(t.names_changed_ns > now_ns - 60000000000);
	Record beside;
	beside.header.kind = GUARD_RECORD_FILE_OPEN;
	beside.result = 3;
	std::string beside_path = dir.write("beside", "x");
	REQUIRE(::stat(beside_path.c_str(), &st) == 0);
	beside.dev = st.st_dev;
	beside.ino = st.st_ino;
	beside.path = beside_path;
	test::KernelSide k = kernel_side(beside_path);
	k.ctime_ns = t.names_changed_ns;
	CHECK(test::twin_passes(t, all_filtered, beside, k));
	k.ctime_ns = t.names_changed_ns - 1;
	CHECK(!test::twin_passes(t, all_filtered, beside, k));
	// 10.1.0.0/16 lies in 10.0.0.0/8: the trie finds it alone, so it carries
	// the kinds of both.
	for (const PrefilterCidr &c : t.cidrs)
		if (c.cidr.len == 4 && c.cidr.prefix == 16)
			CHECK(c.kinds == (kind_bit(GUARD_RECORD_NET_BIND) | kind_bit(GUARD_RECORD_NET_CONNECT) |
					  kind_bit(GUARD_RECORD_NET_SEND)));
	REQUIRE(t.ports.size() == 2);
	CHECK(t.ports[0].port == 4444);

	struct Whole {
		const char *match;
		const char *why;
	};
	const Whole whole[] = {
		{R"({"field": "path", "glob": "*/.ssh/id_*"})", "a glob not anchored at a directory"},
		{R"({"field": "path", "suffix": "/shadow"})", "a suffix"},
		{R"({"any": [{"field": "path", "equals": "/etc/shadow"}, {"field": "exe", "equals": "/bin/cat"}]})",
		 "an any-of with a part the kernel cannot check"},
		{R"({"not": {"field": "path", "prefix": "/usr/"}})", "a not"},
		{R"({"field": "path", "prefix": "/"})", "the root"},
		{R"({"field": "path", "equals": "/etc/shadow", "nocase": true})", "a test without case"},
	};
	for (const Whole &w : whole) {
		CAPTURE(w.why);
		std::string text = R"({"rules": [{"id": "W", "severity": "low", "events": ["file_open"], "match": )" +
				   std::string(w.match) + "}]}";
		rules::LoadedRules r;
		try {
			r = rules::compile_rules_text(text, "w.json");
		} catch (const std::exception &) {
			continue; // a shape the language refuses needs no filter
		}
		CHECK((build_prefilter_table(*r.set).pass_all & kind_bit(GUARD_RECORD_FILE_OPEN)));
	}
	// More ports than the kernel's set holds: their kinds pass whole.
	std::string many = R"({"rules": [{"id": "P", "severity": "low", "events": ["net_connect"], "match": {"field": "port", "in": [)";
	for (int port = 1; port <= GUARD_FILTER_PORTS_MAX + 1; port++)
		many += (port > 1 ? "," : "") + std::to_string(port);
	rules::LoadedRules ports = rules::compile_rules_text(many + "]}}]}", "p.json");
	PrefilterTable too_many = build_prefilter_table(*ports.set);
	CHECK((too_many.pass_all & kind_bit(GUARD_RECORD_NET_CONNECT)));
	CHECK(too_many.ports.empty());
	// Correlation rules watch their kinds whole.
	rules::LoadedRules seq = rules::compile_rules_text(R"({"rules": [{"id": "S", "severity": "high", "type": "threshold",
 "events": ["net_connect"], "match": {"field": "port", "equals": 22}, "distinct": "addr", "count": 5, "by": "process", "within_seconds": 10}]})",
							  "s.json");
	CHECK((build_prefilter_table(*seq.set).pass_all & kind_bit(GUARD_RECORD_NET_CONNECT)));
}

namespace {

bool has_comm(const PrefilterTable &t, const std::string &name, uint16_t kind)
{
	PrefilterCommKey key{};
	std::memcpy(key.data(), name.data(), name.size());
	for (const PrefilterComm &c : t.comms)
		if (c.comm == key)
			return c.kinds & kind_bit(kind);
	return false;
}

PrefilterTable table_of(const std::string &rules)
{
	rules::LoadedRules r = rules::compile_rules_text(R"({"rules": [)" + rules + "]}", "t.json");
	return build_prefilter_table(*r.set);
}

} // namespace

TEST_CASE("the prefilter's comm set and uid ranges")
{
	test::TempDir dir;
	std::string secret = dir.write("secret", "x");
	rules::LoadedRules loaded = rules::compile_rules_text(R"({"lists": {"shells": ["sh", "bash"]}, "rules": [
 {"id": "A", "severity": "low", "events": ["file_open"], "match": {"field": "comm", "in": ["cat", "x"]}},
 {"id": "B", "severity": "low", "events": ["net_connect"], "match": {"field": "comm", "in": [{"list": "shells"}, "nc"]}},
 {"id": "C", "severity": "low", "events": ["file_open"], "match": {"any": [{"field": "path", "equals": ")" + secret +
								      R"("}, {"field": "comm", "equals": "vi"}]}},
 {"id": "D", "severity": "low", "events": ["file_chown"], "match": {"all": [{"field": "uid", "equals": 0}, {"field": "comm", "equals": "rm"}]}},
 {"id": "E", "severity": "low", "events": ["file_chmod"], "match": {"any": [{"field": "uid", "in": [5, 6, 7, 10]}, {"field": "uid", "ge": 4000000000}]}},
 {"id": "F", "severity": "low", "events": ["file_chmod", "net_bind"], "match": {"field": "uid", "lt": 7}}
]})",
									  "t.json");
	// The language refuses a comm longer than the kernel keeps (15 bytes);
	// a compiled set may still hold one (another front end): it matches no
	// task, so it needs no entry.
	for (std::string &lit : loaded.set->literals)
		if (lit == "x")
			lit = "sixteen_chars_xx";
	PrefilterTable t = build_prefilter_table(*loaded.set);
	CHECK(has_comm(t, "cat", GUARD_RECORD_FILE_OPEN));
	CHECK(!has_comm(t, "sixteen_chars_x", GUARD_RECORD_FILE_OPEN)); // not truncated into another name
	for (const char *shell : {"sh", "bash", "nc"})
		CHECK(has_comm(t, shell, GUARD_RECORD_NET_CONNECT));
	CHECK(!has_comm(t, "cat", GUARD_RECORD_NET_CONNECT));
	// An any-of of a file and a comm: both tables, and a failed open passes
	// (its path is the caller's: the file rule is undecided).
	CHECK(has_comm(t, "vi", GUARD_RECORD_FILE_OPEN));
	if (dev_is_kernel_dev(dir.path))
		CHECK(!t.files.empty());
	CHECK(!(t.pass_all & kind_bit(GUARD_RECORD_FILE_OPEN)));
	CHECK(!(t.task_only & kind_bit(GUARD_RECORD_FILE_OPEN)));
	// An all-of of a uid and a comm checks the comm; comm and uid alone
	// decide the kinds of B, D, E and F.
	CHECK(has_comm(t, "rm", GUARD_RECORD_FILE_CHOWN));
	for (const PrefilterUidRange &r : t.uids)
		CHECK(!(r.kinds & kind_bit(GUARD_RECORD_FILE_CHOWN)));
	for (uint16_t kind : {GUARD_RECORD_NET_CONNECT, GUARD_RECORD_FILE_CHOWN, GUARD_RECORD_FILE_CHMOD, GUARD_RECORD_NET_BIND})
		CHECK((t.task_only & kind_bit(kind)));
	// Ranges: a kind's merged, one entry per distinct range.
	uint32_t chmod = kind_bit(GUARD_RECORD_FILE_CHMOD), bind = kind_bit(GUARD_RECORD_NET_BIND);
	REQUIRE(t.uids.size() == 4);
	CHECK((t.uids[0].lo == 0 && t.uids[0].hi == 6 && t.uids[0].kinds == bind));
	CHECK((t.uids[1].lo == 0 && t.uids[1].hi == 7 && t.uids[1].kinds == chmod));
	CHECK((t.uids[2].lo == 10 && t.uids[2].hi == 10 && t.uids[2].kinds == chmod));
	CHECK((t.uids[3].lo == 4000000000u && t.uids[3].hi == UINT32_MAX && t.uids[3].kinds == chmod));

	// More comms or ranges than the kernel holds: their kinds pass whole.
	std::string comms = R"({"id": "M", "severity": "low", "events": ["net_bind"], "match": {"field": "comm", "in": [)";
	for (int i = 0; i <= GUARD_FILTER_COMMS_MAX; i++)
		comms += (i ? ",\"c" : "\"c") + std::to_string(i) + "\"";
	PrefilterTable many = table_of(comms + "]}}");
	CHECK((many.pass_all & kind_bit(GUARD_RECORD_NET_BIND)));
	CHECK(many.comms.empty());
	std::string uids = R"({"id": "U", "severity": "low", "events": ["net_listen"], "match": {"field": "uid", "in": [)";
	for (int i = 0; i <= GUARD_FILTER_UIDS_MAX; i++)
		uids += (i ? "," : "") + std::to_string(2 * i);
	many = table_of(uids + "]}}");
	CHECK((many.pass_all & kind_bit(GUARD_RECORD_NET_LISTEN)));
	CHECK(many.uids.empty());
	// Uids next to each other are one range.
	CHECK(table_of(R"({"id": "R", "severity": "low", "events": ["net_listen"], "match": {"field": "uid", "in": [1, 2, 3]}})")
		      .uids.size() == 1);
	// A comm in a not, or on another field, is not checked.
	CHECK((table_of(R"({"id": "N", "severity": "low", "events": ["net_listen"], "match": {"not": {"field": "comm", "equals": "sh"}}})")
		       .pass_all & kind_bit(GUARD_RECORD_NET_LISTEN)));
	CHECK((table_of(R"({"id": "P", "severity": "low", "events": ["net_listen"], "match": {"field": "parent_comm", "equals": "sh"}})")
		       .pass_all & kind_bit(GUARD_RECORD_NET_LISTEN)));
}
