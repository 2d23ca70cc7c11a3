/* SPDX-License-Identifier: GPL-2.0-or-later */
// The kill rules' kernel tables (kern/enforce.bpf.h), written at start and
// on every reload without a moment in which a program sees half of them:
// every entry is keyed by a generation (0 or 1); the new rules go into the
// generation not in use, then the state word names it (one 32-bit store,
// last), then the old generation's entries are deleted. A program that read
// the old word meanwhile finds the old entries still there.
#pragma once

#include <vector>

#include "cli/table_generations.h"
#include "engine/kill_table.h"
#include "loader/collection.h"

namespace guard {

class KillTables {
public:
	explicit KillTables(const Collection &objects);

	// Makes table the one the kernel checks (nothing to do when it is the
	// one it checks). Throws Error (a table too big, a failed map update);
	// the kernel then keeps checking the previous table, whole.
	void install(const KillTable &table);

private:
	// What one generation holds, to delete it when it goes out of use.
	struct Entries {
		std::vector<struct guard_kill_file_key> files;
		std::vector<struct guard_kill_v4_key> v4;
		std::vector<struct guard_kill_v6_key> v6;
	};
	void write(const KillTable &table, uint32_t generation, Entries &out);
	void erase(Entries &entries);

	static bool same(const KillTable &a, const KillTable &b);

	int state_fd_, files_fd_, v4_fd_, v6_fd_;
	KillTable installed_; // what the active generation holds
	TableGenerations<Entries> generations_;
};

} // namespace guard
