// SPDX-License-Identifier: GPL-2.0-or-later
#include "tools/bench/harness/event_lines.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/error.h"

namespace bench {

namespace {

constexpr size_t kContextBytes = 512; // where guard's context fields are

// Health counters are totals since start: the last record has the largest.
void note_drop(std::string_view line, std::string_view key, bool &reported, uint64_t &value)
{
	uint64_t v = 0;
	if (find_uint(line, key, v)) {
		reported = true;
		value = std::max(value, v);
	}
}

} // namespace

bool find_uint(std::string_view line, std::string_view key, uint64_t &value)
{
	for (size_t at = line.find(key); at != std::string_view::npos; at = line.find(key, at + 1)) {
		// Must be a whole key: "key": with the quote before it not escaped.
		if (at == 0 || line[at - 1] != '"' || (at >= 2 && line[at - 2] == '\\'))
			continue;
		size_t colon = at + key.size();
		if (colon + 1 >= line.size() || line[colon] != '"' || line[colon + 1] != ':')
			continue;
		size_t i = colon + 2;
		if (i >= line.size() || line[i] < '0' || line[i] > '9')
			return false;
		value = 0;
		for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; i++)
			value = value * 10 + static_cast<uint64_t>(line[i] - '0');
		return true;
	}
	return false;
}

bool line_facts(std::string_view line, LineFacts &facts)
{
	std::string_view head = line.substr(0, kContextBytes);
	facts = {};
	facts.health = head.find("\"type\":\"health\"") != std::string_view::npos;
	if (facts.health)
		return true;
	uint64_t v = 0;
	if (!find_uint(head, "pid", v))
		return false;
	facts.pid = static_cast<uint32_t>(v);
	if (find_uint(head, "ppid", v))
		facts.ppid = static_cast<uint32_t>(v);
	if (find_uint(head, "boot_ns", v))
		facts.boot_ns = v;
	if (head.starts_with("{\"type\":\"fork\"") && find_uint(head, "child_pid", v))
		facts.child_pid = static_cast<uint32_t>(v);
	return true;
}

uint64_t EventCounts::of(uint32_t pid) const
{
	uint64_t n = 0;
	for (const auto &[key, count] : by_pid_ppid) {
		uint32_t line_pid = static_cast<uint32_t>(key >> 32), line_ppid = static_cast<uint32_t>(key);
		auto parent = parent_of.find(line_pid);
		if (line_pid == pid || line_ppid == pid || (parent != parent_of.end() && parent->second == pid))
			n += count;
	}
	return n;
}

void count_line(std::string_view line, EventCounts &counts)
{
	LineFacts f;
	if (!line_facts(line, f))
		return;
	counts.lines++;
	if (f.health) {
		counts.health_lines++;
		// kernel_drops is an object by kind there; the harness reads the
		// kernel's counters itself (Agent::kernel_drops). Records the engine
		// lost are its decode errors; output bytes it could not write are
		// counted apart (a short write loses part of a batch, not records).
		note_drop(line, "decode_errors", counts.drops.reported, counts.drops.user);
		note_drop(line, "output_bytes", counts.drops.reported, counts.drops.output_bytes);
		return;
	}
	counts.by_pid_ppid[uint64_t(f.pid) << 32 | f.ppid]++;
	if (f.child_pid)
		counts.parent_of[f.child_pid] = f.pid;
}

EventCounts count_events(const std::string &path, uint64_t from, uint64_t to)
{
	EventCounts counts;
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		guard::fail(guard::errno_message("open " + path, errno));
	if (::lseek(fd, static_cast<off_t>(from), SEEK_SET) < 0) {
		::close(fd);
		guard::fail(guard::errno_message("seek " + path, errno));
	}
	std::vector<char> buf(size_t(4) << 20);
	size_t kept = 0; // bytes of an unfinished line carried to the next read
	uint64_t left = to - from;
	for (;;) {
		ssize_t n = ::read(fd, buf.data() + kept, static_cast<size_t>(std::min<uint64_t>(buf.size() - kept, left)));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		left -= static_cast<uint64_t>(n);
		size_t filled = kept + static_cast<size_t>(n);
		size_t start = 0;
		while (const char *nl = static_cast<const char *>(std::memchr(buf.data() + start, '\n', filled - start))) {
			size_t end = static_cast<size_t>(nl - buf.data());
			count_line(std::string_view(buf.data() + start, end - start), counts);
			start = end + 1;
		}
		kept = filled - start;
		if (kept == buf.size()) // one line longer than the buffer: not guard's
			kept = 0;
		std::memmove(buf.data(), buf.data() + start, kept);
	}
	::close(fd);
	return counts;
}

} // namespace bench
