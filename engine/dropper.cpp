// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/dropper.h"

namespace guard {

DropperRule::DropperRule(std::vector<std::string> watch, uint64_t window_ns, size_t sets)
	: watch_(std::move(watch)), written_(sets, window_ns)
{
}

bool DropperRule::watched(std::string_view path) const
{
	for (const std::string &w : watch_)
		if (path.starts_with(w))
			return true;
	return false;
}

void DropperRule::on_written(std::string_view path, uint64_t boot_ns)
{
	if (watched(path))
		written_.remember(fnv_bytes(fnv_start, path.data(), path.size()), boot_ns);
}

bool DropperRule::on_exec(std::string_view path, uint64_t boot_ns) const
{
	return watched(path) && written_.recent(fnv_bytes(fnv_start, path.data(), path.size()), boot_ns);
}

} // namespace guard
