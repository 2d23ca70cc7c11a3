/* SPDX-License-Identifier: GPL-2.0-or-later */
// The prefilter's kernel tables (kern/prefilter.bpf.h), written at start,
// before each reload is installed and whenever the rules' files are
// resolved again, as the kill tables are (cli/kill_tables.h): the new
// tables and their config go into the generation not in use, then the
// state word names it (one 32-bit store, last), then the old generation's
// entries are deleted. A program sees the old tables or the new, whole.
#pragma once

#include <memory>
#include <vector>

#include "cli/table_generations.h"
#include "engine/prefilter_table.h"
#include "loader/collection.h"

namespace guard {

class PrefilterTables {
public:
	explicit PrefilterTables(const Collection &objects);

	// Makes table the one the kernel checks (nothing to do when it already
	// is, but for a names_changed_ns a minute old). Throws Error (a table
	// too big, a failed map update); the kernel then keeps checking the
	// previous table, whole.
	void install(const PrefilterTable &table);

private:
	struct Entries {
		std::vector<struct guard_filter_file_key> files;
		std::vector<struct guard_filter_v4_key> v4;
		std::vector<struct guard_filter_v6_key> v6;
		std::vector<struct guard_filter_port_key> ports;
		std::vector<struct guard_filter_comm_key> comms;
	};
	void write(const PrefilterTable &table, uint32_t generation, Entries &out);
	void write_task(const PrefilterTable &table, uint32_t generation, Entries &out);
	void erase(Entries &entries);

	int state_fd_, config_fd_, files_fd_, bloom_fd_, v4_fd_, v6_fd_, ports_fd_, comms_fd_, task_fd_;
	// What filter_bloom holds, both generations: written whole, the active
	// half with the bytes it already has.
	std::unique_ptr<struct guard_filter_bloom> bloom_ = std::make_unique<struct guard_filter_bloom>();
	PrefilterTable installed_;
	bool any_installed_ = false;
	TableGenerations<Entries> generations_;
};

} // namespace guard
