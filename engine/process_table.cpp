// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/process_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/json_text.h"

namespace guard {

void Process::set_comm(std::string_view s)
{
	comm_len = static_cast<uint8_t>(std::min(s.size(), sizeof(comm)));
	std::memcpy(comm, s.data(), comm_len);
	comm_plain = json_plain(comm_view());
}

void Process::set_exe(std::string_view s)
{
	exe_len = static_cast<uint16_t>(std::min(s.size(), exe_max));
	std::memcpy(exe, s.data(), exe_len);
	exe_plain = json_plain(exe_view());
}

void Process::set_cmdline(std::string_view s)
{
	if (!s.empty() && s.back() == '\0')
		s.remove_suffix(1);
	cmdline_len = static_cast<uint16_t>(std::min(s.size(), cmdline_max));
	std::memcpy(cmdline, s.data(), cmdline_len);
}

ProcessTable::ProcessTable(size_t capacity) : capacity_(std::max<size_t>(capacity, 1))
{
	// The index has at least twice as many slots as entries: probes stay short.
	size_t slots = 1;
	while (slots < 2 * capacity_)
		slots <<= 1;
	index_mask_ = slots - 1;
	entries_ = ZeroedArray<Process>(capacity_);
	links_ = ZeroedArray<Links>(capacity_);
	index_ = ZeroedArray<uint32_t>(slots);
}

uint32_t ProcessTable::find_index(uint32_t pid) const
{
	for (size_t s = slot_of(pid);; s = (s + 1) & index_mask_) {
		uint32_t slot = index_[s];
		if (slot == empty_slot)
			return none;
		if (entries_[slot - 1].pid == pid)
			return slot - 1;
	}
}

const Process *ProcessTable::find(uint32_t pid) const
{
	uint32_t e = find_index(pid);
	return e == none ? nullptr : &entries_[e];
}

void ProcessTable::index_insert(uint32_t pid, uint32_t entry)
{
	size_t s = slot_of(pid);
	while (index_[s] != empty_slot)
		s = (s + 1) & index_mask_;
	index_[s] = entry + 1;
}

// Backward-shift deletion (Knuth 6.4, algorithm R): later entries of the same
// probe run move into the hole, so lookups never need tombstones.
void ProcessTable::index_erase(uint32_t pid)
{
	size_t i = slot_of(pid);
	while (index_[i] != empty_slot && entries_[index_[i] - 1].pid != pid)
		i = (i + 1) & index_mask_;
	if (index_[i] == empty_slot)
		return;
	for (size_t j = i;;) {
		j = (j + 1) & index_mask_;
		if (index_[j] == empty_slot)
			break;
		size_t home = slot_of(entries_[index_[j] - 1].pid);
		// Move j into the hole at i unless its home lies cyclically in (i, j].
		bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!home_between) {
			index_[i] = index_[j];
			i = j;
		}
	}
	index_[i] = empty_slot;
}

void ProcessTable::list_push(List &l, uint32_t e)
{
	links_[e] = {l.tail, none};
	if (l.tail != none)
		links_[l.tail].next = e;
	else
		l.head = e;
	l.tail = e;
}

void ProcessTable::list_unlink(List &l, uint32_t e)
{
	Links &k = links_[e];
	if (k.prev != none)
		links_[k.prev].next = k.next;
	else
		l.head = k.next;
	if (k.next != none)
		links_[k.next].prev = k.prev;
	else
		l.tail = k.prev;
	k = {};
}

uint32_t ProcessTable::evict_one()
{
	bool from_exited = exited_.head != none;
	uint32_t e = from_exited ? exited_.head : live_.head;
	list_unlink(from_exited ? exited_ : live_, e);
	index_erase(entries_[e].pid);
	size_--;
	stats_.evictions++;
	if (!from_exited)
		stats_.evicted_live++;
	return e;
}

Process &ProcessTable::upsert(uint32_t pid)
{
	uint32_t e = find_index(pid);
	if (e != none) {
		Process &p = entries_[e];
		if (p.exited) {
			// The pid was reused: the old process is gone for good.
			list_unlink(exited_, e);
			list_push(live_, e);
			p = Process{};
			p.pid = pid;
		}
		return p;
	}
	// Entries are taken in order until all have been used (pages become
	// resident as the table fills), then by eviction.
	e = never_used_ < capacity_ ? never_used_++ : evict_one();
	new (&entries_[e]) Process{};
	entries_[e].pid = pid;
	index_insert(pid, e);
	list_push(live_, e);
	size_++;
	stats_.inserts++;
	return entries_[e];
}

void ProcessTable::mark_exited(uint32_t pid)
{
	uint32_t e = find_index(pid);
	if (e == none || entries_[e].exited)
		return;
	entries_[e].exited = true;
	list_unlink(live_, e);
	list_push(exited_, e);
}

size_t ProcessTable::ancestry(uint32_t pid, const Process *out[max_ancestry]) const
{
	const Process *const start = find(pid);
	const Process *p = start;
	size_t n = 0;
	while (p && n < max_ancestry && p->ppid != 0 && p->ppid != p->pid) {
		const Process *parent = find(p->ppid);
		if (!parent)
			break;
		// A loop can only come from pid reuse racing our updates; stop there.
		if (parent == start)
			return n;
		for (size_t i = 0; i < n; i++)
			if (out[i] == parent)
				return n;
		out[n++] = parent;
		p = parent;
	}
	return n;
}

namespace {

bool read_small_file(const std::string &path, std::string &out)
{
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[4096];
	ssize_t n = ::read(fd, buf, sizeof(buf));
	::close(fd);
	if (n <= 0)
		return false;
	out.assign(buf, static_cast<size_t>(n));
	return true;
}

} // namespace

size_t ProcessTable::seed_from_proc(const char *proc_root)
{
	DIR *dir = ::opendir(proc_root);
	if (!dir)
		return 0;
	size_t count = 0;
	while (struct dirent *d = ::readdir(dir)) {
		char *end = nullptr;
		unsigned long pid = std::strtoul(d->d_name, &end, 10);
		if (*d->d_name == '\0' || *end != '\0' || pid == 0 || pid > UINT32_MAX)
			continue;
		std::string base = std::string(proc_root) + "/" + d->d_name;
		// stat: "pid (comm) state ppid ...": comm may hold spaces and ')',
		// so the fields after it start after the last ')'.
		std::string stat;
		if (!read_small_file(base + "/stat", stat))
			continue;
		size_t open = stat.find('('), close = stat.rfind(')');
		if (open == std::string::npos || close == std::string::npos || close < open)
			continue;
		unsigned long ppid = 0;
		char state = 0;
		if (std::sscanf(stat.c_str() + close + 1, " %c %lu", &state, &ppid) != 2)
			continue;
		Process &p = upsert(static_cast<uint32_t>(pid));
		p.ppid = static_cast<uint32_t>(ppid);
		p.set_comm(std::string_view(stat).substr(open + 1, close - open - 1));
		char exe[Process::exe_max];
		ssize_t n = ::readlink((base + "/exe").c_str(), exe, sizeof(exe));
		if (n > 0)
			p.set_exe({exe, static_cast<size_t>(n)});
		struct stat st;
		if (::stat((base + "/exe").c_str(), &st) == 0)
			p.exe_id = {uint64_t(st.st_dev), uint64_t(st.st_ino),
				    uint64_t(st.st_ctim.tv_sec) * 1000000000u + uint64_t(st.st_ctim.tv_nsec)};
		std::string cmdline;
		if (read_small_file(base + "/cmdline", cmdline))
			p.set_cmdline(cmdline);
		count++;
	}
	::closedir(dir);
	return count;
}

} // namespace guard
