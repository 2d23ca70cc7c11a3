// SPDX-License-Identifier: GPL-2.0-or-later
// Output around the engine: recordings (write, read back, refuse bad ones),
// the output file (0600, rotation, reopen), the health record.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/error.h"
#include "engine/health.h"
#include "engine/output_file.h"
#include "engine/record_file.h"
#include "rules/rules_file.h"
#include "test/support/files.h"
#include "synthetic/record_mix.h"

using namespace guard;

namespace {

// A private temporary directory, removed with everything in it.
struct TempDir {
	std::string path;
	TempDir()
	{
		char tmpl[] = "/tmp/guard-output-test-XXXXXX";
		REQUIRE(::mkdtemp(tmpl));
		path = tmpl;
	}
	~TempDir() { std::filesystem::remove_all(path); }
};

} // namespace

TEST_CASE("a recording reads back record for record, with its clock offset")
{
	TempDir dir;
	std::string file = dir.path + "/rec";
	auto mix = synthetic::record_mix();
	{
		OutputFile out({file, 0, 0});
		BatchWriter w(out.fd(), 1 << 16, scan_frames);
		write_record_file_header(out.fd(), 123456789);
		for (auto &r : mix)
			append_record(w, r);
		REQUIRE(w.flush());
	}
	struct stat st {};
	REQUIRE(::stat(file.c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
	RecordFile rec = RecordFile::load(file);
	CHECK(rec.boot_to_unix_ns() == 123456789);
	CHECK(rec.count() == mix.size());
	size_t i = 0;
	rec.for_each([&](std::span<const uint8_t> r) {
		CHECK(std::vector<uint8_t>(r.begin(), r.end()) == mix[i]);
		i++;
	});
}

TEST_CASE("a bad recording is refused with a reason")
{
	auto bytes = guard::read_file("/proc/self/exe");
	bytes.resize(4096);
	CHECK_THROWS_WITH_AS(RecordFile::from_bytes(bytes, "x"), doctest::Contains("no GUARDREC header"), Error);
	CHECK_THROWS_WITH_AS(RecordFile::from_bytes({1, 2}, "x"), doctest::Contains("shorter than its header"), Error);

	std::vector<uint8_t> good(sizeof(RecordFileHeader));
	RecordFileHeader h {};
	std::memcpy(h.magic, "GUARDREC", 8);
	h.format = record_file_format;
	h.abi_version = GUARD_ABI_VERSION + 1;
	std::memcpy(good.data(), &h, sizeof(h));
	CHECK_THROWS_WITH_AS(RecordFile::from_bytes(good, "x"), doctest::Contains("record ABI version"), Error);
	h.abi_version = GUARD_ABI_VERSION;
	std::memcpy(good.data(), &h, sizeof(h));
	auto truncated = good;
	uint32_t len = 500;
	truncated.insert(truncated.end(), reinterpret_cast<uint8_t *>(&len), reinterpret_cast<uint8_t *>(&len) + 4);
	truncated.push_back(1);
	CHECK(RecordFile::from_bytes(truncated, "x").cut_short().starts_with("x: cut short at byte 37"));
	auto oversized = good;
	len = GUARD_RECORD_MAX + 1;
	oversized.insert(oversized.end(), reinterpret_cast<uint8_t *>(&len), reinterpret_cast<uint8_t *>(&len) + 4);
	oversized.resize(oversized.size() + len);
	CHECK_THROWS_WITH_AS(RecordFile::from_bytes(oversized, "x"), doctest::Contains("more than a record holds"), Error);
	CHECK(RecordFile::from_bytes(good, "x").count() == 0);
	CHECK(RecordFile::from_bytes(good, "x").cut_short().empty());
}

TEST_CASE("the output file rotates by size and keeps N files")
{
	TempDir dir;
	std::string file = dir.path + "/events.jsonl";
	OutputFile out({file, 1000, 2});
	BatchWriter w(out.fd(), 4096);
	std::string line(99, 'x');
	line += '\n';
	for (int batch = 0; batch < 12; batch++) {
		for (int i = 0; i < 4; i++) {
			char *p = w.reserve(line.size());
			std::memcpy(p, line.data(), line.size());
			w.commit(p + line.size());
		}
		REQUIRE(w.flush());
		REQUIRE(out.after_flush(w));
	}
	CHECK(out.rotations() >= 3);
	CHECK(std::filesystem::exists(file));
	CHECK(std::filesystem::exists(file + ".1"));
	CHECK(std::filesystem::exists(file + ".2"));
	CHECK_FALSE(std::filesystem::exists(file + ".3"));
	CHECK(std::filesystem::file_size(file + ".1") >= 1000);
	CHECK(std::filesystem::file_size(file + ".1") <= 1400);
}

TEST_CASE("reopen follows a file moved away (logrotate's move, then SIGHUP)")
{
	TempDir dir;
	std::string file = dir.path + "/events.jsonl";
	OutputFile out({file, 0, 0});
	BatchWriter w(out.fd(), 4096);
	auto put = [&](std::string_view s) {
		char *p = w.reserve(s.size());
		std::memcpy(p, s.data(), s.size());
		w.commit(p + s.size());
		REQUIRE(w.flush());
		REQUIRE(out.after_flush(w));
	};
	put("one\n");
	std::filesystem::rename(file, file + ".old");
	put("two\n");
	REQUIRE(out.reopen(w));
	put("three\n");
	CHECK(std::string(reinterpret_cast<const char *>(guard::read_file(file + ".old").data()), 8) == "one\ntwo\n");
	auto now = guard::read_file(file);
	CHECK(std::string(now.begin(), now.end()) == "three\n");
}

TEST_CASE("the health record: counts by kind, drops, table, alerts by rule, CPU and memory")
{
	int fd = ::memfd_create("health", MFD_CLOEXEC);
	BatchWriter w(fd, 1 << 20);
	Pipeline p(w, 0, {true, 128});
	p.set_rules(rules::load_default_rules().set);
	for (auto &r : synthetic::record_mix())
		p.on_record(r);
	std::vector<uint8_t> junk(10, 0);
	p.on_record(junk);
	HealthSources sources;
	sources.rules_source = "<default rules>";
	sources.kernel_drops = [](KernelDrops &d) {
		d.available = true;
		d.by_kind[GUARD_RECORD_FILE_OPEN] = 7;
		d.by_ring[GUARD_RING_FILE] = 7;
	};
	sources.ring_fill = [](RingFill (&f)[GUARD_RING_COUNT]) {
		f[GUARD_RING_PROC_NET] = {true, 0, 1 << 20};
		f[GUARD_RING_FILE] = {true, 1 << 20, 4 << 20};
	};
	w.flush();
	off_t before = ::lseek(fd, 0, SEEK_END);
	write_health(p, sources, 5'000'000'000, true);
	w.flush();
	std::string text(static_cast<size_t>(::lseek(fd, 0, SEEK_END) - before), '\0');
	REQUIRE(::pread(fd, text.data(), text.size(), before) == ssize_t(text.size()));
	::close(fd);

	simdjson::dom::parser parser;
	simdjson::dom::element h;
	REQUIRE(parser.parse(text).get(h) == simdjson::SUCCESS);
	CHECK(std::string_view(h["type"]) == "health");
	CHECK(bool(h["final"]));
	CHECK(uint64_t(h["uptime_ms"]) == 5000);
	CHECK(uint64_t(h["events"]["exec"]) == 20);
	CHECK(uint64_t(h["events"]["exec_failed"]) == 1);
	CHECK(uint64_t(h["events"]["net_accept"]) == 1);
	CHECK(uint64_t(h["kernel_drops"]["file_open"]) == 7);
	CHECK(uint64_t(h["userspace_drops"]["decode_errors"]) == 1);
	CHECK(uint64_t(h["rings"]["file"]["fill_pct"]) == 25);
	CHECK(uint64_t(h["rings"]["file"]["size_bytes"]) == 4 << 20);
	CHECK(uint64_t(h["rings"]["file"]["drops"]) == 7);
	CHECK(uint64_t(h["rings"]["proc_net"]["fill_pct"]) == 0);
	CHECK(uint64_t(h["rings"]["proc_net"]["drops"]) == 0);
	CHECK(uint64_t(h["process_table"]["size"]) > 0);
	CHECK(uint64_t(h["process_table"]["capacity"]) == 128);
	CHECK(uint64_t(h["alerts"]["SHADOW_READ"]) == 3); // an attempt, a success, one through io_uring
	CHECK(uint64_t(h["alerts"]["DROPPER"]) == 1);
	CHECK(uint64_t(h["alerts"]["PORT_SCAN"]) == 1);
	CHECK(uint64_t(h["correlation"]["evicted"]) == 0);
	CHECK(uint64_t(h["rss_bytes"]) > 0);
	CHECK(std::string_view(h["rules"]["source"]) == "<default rules>");
}
