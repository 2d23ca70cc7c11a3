// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/watched_files.h"

#include <sys/stat.h>

#include <algorithm>

namespace guard {

void WatchedFiles::add(uint32_t node, std::string path)
{
	auto at = std::lower_bound(sorted_paths_.begin(), sorted_paths_.end(), path);
	if (at == sorted_paths_.end() || *at != path)
		sorted_paths_.insert(at, path);
	watched_.push_back({node, std::move(path)});
}

void WatchedFiles::resolve()
{
	ranges_.clear();
	identities_.clear();
	for (const Watched &w : watched_) {
		struct stat st;
		if (::stat(w.path.c_str(), &st) != 0)
			continue;
		if (ranges_.size() <= w.node)
			ranges_.resize(w.node + 1);
		Range &r = ranges_[w.node];
		// watched_ is in node order, so a node's identities are adjacent.
		if (r.count == 0)
			r.first = static_cast<uint32_t>(identities_.size());
		identities_.push_back({static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)});
		r.count++;
	}
	stale = false;
}

bool WatchedFiles::names(std::string_view path) const
{
	return std::binary_search(sorted_paths_.begin(), sorted_paths_.end(), path,
				  [](std::string_view a, std::string_view b) { return a < b; });
}

} // namespace guard
