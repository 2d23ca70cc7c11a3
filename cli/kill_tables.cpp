// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/kill_tables.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "base/error.h"
#include "loader/bpf_syscall.h"

namespace guard {

KillTables::KillTables(const Collection &objects)
	: state_fd_(objects.map("kill_state").fd.get()), files_fd_(objects.map("kill_files").fd.get()),
	  v4_fd_(objects.map("kill_v4").fd.get()), v6_fd_(objects.map("kill_v6").fd.get())
{
}

bool KillTables::same(const KillTable &a, const KillTable &b)
{
	auto same_file = [](const KillFile &x, const KillFile &y) { return x.kind == y.kind && x.dev == y.dev && x.ino == y.ino; };
	auto same_cidr = [](const Cidr &x, const Cidr &y) {
		return x.len == y.len && x.prefix == y.prefix && std::memcmp(x.bytes, y.bytes, sizeof(x.bytes)) == 0;
	};
	return a.kinds == b.kinds && std::equal(a.files.begin(), a.files.end(), b.files.begin(), b.files.end(), same_file) &&
	       std::equal(a.cidrs.begin(), a.cidrs.end(), b.cidrs.begin(), b.cidrs.end(), same_cidr);
}

void KillTables::install(const KillTable &table)
{
	if (same(table, installed_) && table.kinds)
		return;
	size_t v4 = 0;
	for (const Cidr &c : table.cidrs)
		v4 += c.len == 4;
	check_table_room("kill rules", table.files.size(), GUARD_KILL_FILES_MAX, "files");
	check_table_room("kill rules", v4, GUARD_KILL_CIDRS_MAX, "IPv4 prefixes");
	check_table_room("kill rules", table.cidrs.size() - v4, GUARD_KILL_CIDRS_MAX, "IPv6 prefixes");
	generations_.replace([&](uint32_t next, Entries &out) { write(table, next, out); },
			     [&](uint32_t next) {
				     uint32_t zero = 0;
				     uint32_t state = (next ? GUARD_KILL_GENERATION : 0) | table.kinds;
				     with_context("kill rules: switch generation",
						  [&] { bpf_map_update(state_fd_, &zero, &state); });
			     },
			     [&](Entries &entries) { erase(entries); });
	installed_ = table;
}

void KillTables::write(const KillTable &table, uint32_t generation, Entries &out)
{
	uint32_t one = 1;
	with_context("kill rules: write a table", [&] {
		for (const KillFile &f : table.files) {
			struct guard_kill_file_key key {};
			key.generation = generation;
			key.kind = f.kind;
			key.dev = f.dev;
			key.ino = f.ino;
			bpf_map_update(files_fd_, &key, &one);
			out.files.push_back(key);
		}
		for (const Cidr &c : table.cidrs) {
			if (c.len == 4) {
				struct guard_kill_v4_key key {};
				key.prefixlen = 32 + c.prefix;
				key.generation = generation;
				std::memcpy(key.addr, c.bytes, 4);
				bpf_map_update(v4_fd_, &key, &one);
				out.v4.push_back(key);
			} else {
				struct guard_kill_v6_key key {};
				key.prefixlen = 32 + c.prefix;
				key.generation = generation;
				std::memcpy(key.addr, c.bytes, 16);
				bpf_map_update(v6_fd_, &key, &one);
				out.v6.push_back(key);
			}
		}
	});
}

void KillTables::erase(Entries &entries)
{
	with_context("kill rules: delete a table", [&] {
		bpf_map_delete_each(files_fd_, entries.files);
		bpf_map_delete_each(v4_fd_, entries.v4);
		bpf_map_delete_each(v6_fd_, entries.v6);
	});
	entries = {};
}

} // namespace guard
