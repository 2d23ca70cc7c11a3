/* SPDX-License-Identifier: GPL-2.0-or-later */
// Two generations of a kernel table that BPF programs read while userspace
// replaces it (the kill rules', cli/kill_tables.h; the prefilter's,
// cli/prefilter_tables.h): the new entries go into the generation not in
// use, one 32-bit store of a state word then names it, and the old
// generation's entries are deleted. A program sees the old table or the
// new, whole; a write that fails half way leaves the active one as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"

namespace guard {

// Throws when a table would hold more than its map has room for.
inline void check_table_room(const char *table, size_t have, size_t most, const char *what)
{
	if (have > most)
		fail(std::string(table) + ": " + std::to_string(have) + " " + what + ", at most " + std::to_string(most));
}

// Entries: what one generation holds, to delete it when it goes out of use.
template <class Entries> class TableGenerations {
public:
	// write(generation, entries) fills the generation not in use and says
	// what it wrote; switch_to(generation) stores the state word; erase
	// deletes a generation's entries. Throws what write or switch_to throw,
	// with the active generation untouched.
	template <class Write, class Switch, class Erase> void replace(Write write, Switch switch_to, Erase erase)
	{
		uint32_t next = active_ ^ 1;
		erase(entries_[next]); // left over from a write that failed half way: never in use
		try {
			write(next, entries_[next]);
			switch_to(next);
		} catch (const Error &) {
			erase(entries_[next]);
			throw;
		}
		active_ = next;
		erase(entries_[next ^ 1]);
	}

private:
	uint32_t active_ = 0; // the generation the state word names
	Entries entries_[2];
};

} // namespace guard
