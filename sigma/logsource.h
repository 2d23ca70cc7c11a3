/* SPDX-License-Identifier: GPL-2.0-or-later */
// Which guard events a Sigma logsource means, and what each of its fields
// is on them (docs/sigma.md has the table). Sysmon for Linux names the
// fields; a Sigma category may span several record kinds (network_connection:
// net_connect, Initiated true; net_accept, Initiated false), and a field may
// be a guard field on one kind and absent on another.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/event_fields.h"

namespace guard::sigma {

// What a Sigma field is on one record kind.
struct FieldMeaning {
	enum class What : uint8_t { field, absent, constant } what = What::absent;
	Field field = Field::pid; // What::field
	bool constant = false;    // What::constant: the field's value (Initiated)
};

// What an event of the kind must be for the category to mean it: any
// event, a successful call, or a successful call that changed a file.
enum class Requirement : uint8_t { none, succeeded, modified };

struct KindMapping {
	uint16_t kind;
	Requirement requirement;
	// This kind's own meanings; names not here mean what the category's do.
	std::vector<std::pair<std::string_view, FieldMeaning>> fields;
};

struct Category {
	std::string_view name;
	std::vector<std::pair<std::string_view, FieldMeaning>> fields; // on every kind below
	std::vector<KindMapping> kinds;
};

// The category for product linux (or none), or nullptr.
const Category *category_by_name(std::string_view name);

// The category names guard maps, for messages.
std::string_view category_names();

// What name means on kind, or false when the category has no such field.
bool field_meaning(const Category &c, const KindMapping &kind, std::string_view name, FieldMeaning &out);

// Fields that have no meaning on Linux (Windows PE metadata, hashes guard
// does not compute): a rule that tests one is skipped, saying so.
bool meaningless_on_linux(std::string_view name);

} // namespace guard::sigma
