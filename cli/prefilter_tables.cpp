// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/prefilter_tables.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "base/error.h"
#include "loader/bpf_syscall.h"

namespace guard {
namespace {

bool same(const PrefilterTable &a, const PrefilterTable &b)
{
	auto same_file = [](const PrefilterFile &x, const PrefilterFile &y) {
		return x.dev == y.dev && x.ino == y.ino && x.bits == y.bits;
	};
	auto same_cidr = [](const PrefilterCidr &x, const PrefilterCidr &y) {
		return x.kinds == y.kinds && x.cidr.len == y.cidr.len && x.cidr.prefix == y.cidr.prefix &&
		       std::memcmp(x.cidr.bytes, y.cidr.bytes, sizeof(x.cidr.bytes)) == 0;
	};
	auto same_port = [](const PrefilterPort &x, const PrefilterPort &y) { return x.port == y.port && x.kinds == y.kinds; };
	auto same_comm = [](const PrefilterComm &x, const PrefilterComm &y) { return x.comm == y.comm && x.kinds == y.kinds; };
	auto same_uids = [](const PrefilterUidRange &x, const PrefilterUidRange &y) {
		return x.lo == y.lo && x.hi == y.hi && x.kinds == y.kinds;
	};
	return a.pass_all == b.pass_all && a.table == b.table && a.open_modify == b.open_modify &&
	       a.root_dev == b.root_dev && a.root_ino == b.root_ino && a.dir_bits == b.dir_bits &&
	       std::equal(a.files.begin(), a.files.end(), b.files.begin(), b.files.end(), same_file) &&
	       std::equal(a.cidrs.begin(), a.cidrs.end(), b.cidrs.begin(), b.cidrs.end(), same_cidr) &&
	       std::equal(a.ports.begin(), a.ports.end(), b.ports.begin(), b.ports.end(), same_port) &&
	       std::equal(a.comms.begin(), a.comms.end(), b.comms.begin(), b.comms.end(), same_comm) &&
	       std::equal(a.uids.begin(), a.uids.end(), b.uids.begin(), b.uids.end(), same_uids) &&
	       a.task_only == b.task_only;
}

// Whether the kernel's names_changed_ns may stay as installed for a table
// resolved at next: a file changed beside a watched name since then
// passes, so it moves on once a minute, and at once when the clock went
// back (a file renamed over a name would get an earlier ctime).
bool names_time_current(uint64_t installed, uint64_t next)
{
	constexpr uint64_t refresh_ns = 60'000'000'000;
	return next >= installed && next - installed < refresh_ns;
}

} // namespace

PrefilterTables::PrefilterTables(const Collection &objects)
	: state_fd_(objects.map("filter_state").fd.get()), config_fd_(objects.map("filter_config").fd.get()),
	  files_fd_(objects.map("filter_files").fd.get()), bloom_fd_(objects.map("filter_bloom").fd.get()), v4_fd_(objects.map("filter_v4").fd.get()),
	  v6_fd_(objects.map("filter_v6").fd.get()), ports_fd_(objects.map("filter_ports").fd.get()),
	  comms_fd_(objects.map("filter_comms").fd.get()), task_fd_(objects.map("filter_task").fd.get())
{
}

void PrefilterTables::install(const PrefilterTable &table)
{
	if (any_installed_ && same(table, installed_) &&
	    names_time_current(installed_.names_changed_ns, table.names_changed_ns))
		return;
	size_t v4 = 0;
	for (const PrefilterCidr &c : table.cidrs)
		v4 += c.cidr.len == 4;
	check_table_room("prefilter", table.files.size(), GUARD_FILTER_FILES_MAX, "files and directories");
	check_table_room("prefilter", v4, GUARD_FILTER_CIDRS_MAX, "IPv4 prefixes");
	check_table_room("prefilter", table.cidrs.size() - v4, GUARD_FILTER_CIDRS_MAX, "IPv6 prefixes");
	check_table_room("prefilter", table.ports.size(), GUARD_FILTER_PORTS_MAX, "ports");
	check_table_room("prefilter", table.comms.size(), GUARD_FILTER_COMMS_MAX, "comms");
	check_table_room("prefilter", table.uids.size(), GUARD_FILTER_UIDS_MAX, "uid ranges");
	generations_.replace([&](uint32_t next, Entries &out) { write(table, next, out); },
			     [&](uint32_t next) {
				     uint32_t zero = 0;
				     with_context("prefilter: switch generation",
						  [&] { bpf_map_update(state_fd_, &zero, &next); });
			     },
			     [&](Entries &entries) { erase(entries); });
	installed_ = table;
	any_installed_ = true;
}

void PrefilterTables::write(const PrefilterTable &table, uint32_t generation, Entries &out)
{
	with_context("prefilter: write a table", [&] {
		__u64 *words = bloom_->words[generation];
		std::fill(words, words + GUARD_FILTER_BLOOM_WORDS, 0);
		for (const PrefilterFile &f : table.files) {
			uint32_t bit = guard_filter_bloom_bit(f.dev, f.ino);
			words[(bit >> 6) % GUARD_FILTER_BLOOM_WORDS] |= __u64(1) << (bit & 63);
		}
		uint32_t zero = 0;
		bpf_map_update(bloom_fd_, &zero, bloom_.get());
		for (const PrefilterFile &f : table.files) {
			struct guard_filter_file_key key {};
			key.generation = generation;
			key.dev = f.dev;
			key.ino = f.ino;
			bpf_map_update(files_fd_, &key, &f.bits);
			out.files.push_back(key);
		}
		for (const PrefilterCidr &c : table.cidrs) {
			if (c.cidr.len == 4) {
				struct guard_filter_v4_key key {};
				key.prefixlen = 32 + c.cidr.prefix;
				key.generation = generation;
				std::memcpy(key.addr, c.cidr.bytes, 4);
				bpf_map_update(v4_fd_, &key, &c.kinds);
				out.v4.push_back(key);
			} else {
				struct guard_filter_v6_key key {};
				key.prefixlen = 32 + c.cidr.prefix;
				key.generation = generation;
				std::memcpy(key.addr, c.cidr.bytes, 16);
				bpf_map_update(v6_fd_, &key, &c.kinds);
				out.v6.push_back(key);
			}
		}
		for (const PrefilterPort &p : table.ports) {
			struct guard_filter_port_key key {generation, p.port};
			bpf_map_update(ports_fd_, &key, &p.kinds);
			out.ports.push_back(key);
		}
		write_task(table, generation, out);
		struct guard_filter_config config {};
		config.valid = 1;
		config.pass_all = table.pass_all;
		config.table = table.table;
		config.open_modify = table.open_modify;
		config.root_dev = table.root_dev;
		config.root_ino = table.root_ino;
		config.names_changed_ns = table.names_changed_ns;
		config.dir_bits = table.dir_bits;
		bpf_map_update(config_fd_, &generation, &config);
	});
}

// The comm set's entries, then the generation's filter_task value, whole
// (not in use until the switch).
void PrefilterTables::write_task(const PrefilterTable &table, uint32_t generation, Entries &out)
{
	struct guard_filter_task task {};
	for (const PrefilterComm &c : table.comms) {
		struct guard_filter_comm_key key {};
		key.generation = generation;
		std::memcpy(key.comm, c.comm.data(), sizeof(key.comm));
		bpf_map_update(comms_fd_, &key, &c.kinds);
		out.comms.push_back(key);
		task.comm_kinds |= c.kinds;
	}
	for (const PrefilterUidRange &r : table.uids) {
		task.uids[task.uid_count].lo = r.lo;
		task.uids[task.uid_count].hi = r.hi;
		task.uids[task.uid_count++].kinds = r.kinds;
		task.uid_kinds |= r.kinds;
	}
	task.task_only = table.task_only;
	bpf_map_update(task_fd_, &generation, &task);
}

void PrefilterTables::erase(Entries &entries)
{
	with_context("prefilter: delete a table", [&] {
		bpf_map_delete_each(files_fd_, entries.files);
		bpf_map_delete_each(v4_fd_, entries.v4);
		bpf_map_delete_each(v6_fd_, entries.v6);
		bpf_map_delete_each(ports_fd_, entries.ports);
		bpf_map_delete_each(comms_fd_, entries.comms);
	});
	entries = {};
}

} // namespace guard
