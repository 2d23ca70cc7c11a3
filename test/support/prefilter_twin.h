/* SPDX-License-Identifier: GPL-2.0-or-later */
// The kernel's prefilter decision (kern/prefilter.bpf.h), in userspace, over
// the tables the agent would write (engine/prefilter_table.h): what the
// soundness test holds against the rules' own matching.
#pragma once

#include <sys/sysmacros.h>

#include <cstring>
#include <utility>
#include <vector>

#include "engine/prefilter_table.h"
#include "engine/record.h"

namespace guard::test {

// What the kernel sees of a record beside it: the directories above an
// opened file (nearest first, up to the top of the mount tree) and the
// process's root, as (kernel dev_t, ino); the opened file's ctime.
struct KernelSide {
	std::vector<std::pair<uint32_t, uint64_t>> dirs;
	std::pair<uint32_t, uint64_t> root;
	uint64_t ctime_ns = 0; // 0: not known
};

inline uint32_t kernel_dev_of(uint64_t dev) { return dev ? (uint32_t(major(dev)) << 20) | minor(dev) : 0; }

inline uint32_t twin_file_bits(const PrefilterTable &t, uint32_t dev, uint64_t ino)
{
	for (const PrefilterFile &f : t.files)
		if (f.dev == dev && f.ino == ino)
			return f.bits;
	return 0;
}

inline bool twin_in(const Cidr &c, uint16_t family, const uint8_t *addr)
{
	if ((family == 2) != (c.len == 4) || (family != 2 && family != 10))
		return false;
	uint32_t whole = c.prefix / 8, rest = c.prefix % 8;
	if (std::memcmp(c.bytes, addr, whole) != 0)
		return false;
	uint8_t mask = static_cast<uint8_t>(0xff00 >> rest);
	return rest == 0 || (c.bytes[whole] & mask) == (addr[whole] & mask);
}

inline bool twin_net_passes(const PrefilterTable &t, const Record &rec, uint32_t bit)
{
	// The trie's longest match only, as the kernel looks.
	const PrefilterCidr *longest = nullptr;
	for (const PrefilterCidr &c : t.cidrs)
		if (twin_in(c.cidr, rec.family, rec.addr) && (!longest || c.cidr.prefix > longest->cidr.prefix))
			longest = &c;
	if (longest && (longest->kinds & bit))
		return true;
	for (const PrefilterPort &p : t.ports)
		if (p.port == rec.port && (p.kinds & bit))
			return true;
	return false;
}

// task_in_filter: the record's comm (as the kernel pads it) in the set, or
// its uid in a range, for its kind.
inline bool twin_task_hit(const PrefilterTable &t, const Record &rec, uint32_t bit)
{
	PrefilterCommKey comm{};
	std::memcpy(comm.data(), rec.header.comm, strnlen(rec.header.comm, sizeof(rec.header.comm)));
	for (const PrefilterComm &c : t.comms)
		if (c.comm == comm && (c.kinds & bit))
			return true;
	for (const PrefilterUidRange &r : t.uids)
		if ((r.kinds & bit) && r.lo <= rec.header.uid && rec.header.uid <= r.hi)
			return true;
	return false;
}

// Whether the kernel writes rec with filter_kinds under the prefilter.
inline bool twin_passes(const PrefilterTable &t, uint32_t filter_kinds, const Record &rec, const KernelSide &k)
{
	uint32_t bit = 1u << rec.header.kind;
	if (!(filter_kinds & bit) || (rec.header.flags & GUARD_VIA_IO_URING) || (t.pass_all & bit))
		return true;
	if (!(t.table & bit))
		return false;
	if (twin_task_hit(t, rec, bit))
		return true;
	if (t.task_only & bit)
		return false;
	if (guard_ring_of(rec.header.kind) != GUARD_RING_FILE)
		return twin_net_passes(t, rec, bit);
	if (rec.header.kind != GUARD_RECORD_FILE_OPEN || rec.result < 0)
		return true;
	bool modify = rec.header.flags & GUARD_FILE_MODIFY;
	if ((modify && t.open_modify) || k.root != std::pair<uint32_t, uint64_t>{t.root_dev, t.root_ino})
		return true;
	uint32_t own = GUARD_FILTER_FILE_ANY | (modify ? GUARD_FILTER_FILE_MODIFY : 0);
	if (twin_file_bits(t, kernel_dev_of(rec.dev), rec.ino) & own)
		return true;
	uint32_t want = GUARD_FILTER_DIR_ANY | (modify ? GUARD_FILTER_DIR_MODIFY : 0) |
			((rec.open_flags & 0100) ? GUARD_FILTER_DIR_CREATE : 0);
	for (size_t i = 0; i < k.dirs.size() && i < GUARD_FILTER_DEPTH; i++) {
		uint32_t bits = twin_file_bits(t, k.dirs[i].first, k.dirs[i].second);
		if (bits & want)
			return true;
		// A file put under a watched name since the names were resolved.
		if (i == 0 && (bits & GUARD_FILTER_DIR_NAMES) && (k.ctime_ns == 0 || k.ctime_ns >= t.names_changed_ns))
			return true;
		want &= ~GUARD_FILTER_DIR_CREATE;
	}
	return k.dirs.size() >= GUARD_FILTER_DEPTH;
}

} // namespace guard::test
