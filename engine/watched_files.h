// SPDX-License-Identifier: GPL-2.0-or-later
// Files that rules name by their exact path, known also by who they are on
// disk. A rule on "/etc/shadow" must fire for every name of that file: a
// hard link, a bind mount of /etc, a path through /proc/self/root. Names are
// the caller's to choose; a file's identity (the device its file system is
// on and its inode number) is not. So each such path is resolved to
// (dev, ino) when rules load, and an event that carries the identity of the
// file the kernel acted on (a successful open, an exec: engine/record.h)
// matches the rule by identity as well as by name.
//
// Identities go stale when the file is replaced (rename onto it, unlink and
// create, a mount over it). The engine notes the events that can do that
// (names()); resolve() then runs between batches, never per event, and
// once in a while regardless (the agent calls it: cli/engine_consumer.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace guard {

struct FileIdentity {
	uint64_t dev = 0; // as stat(2) gives st_dev
	uint64_t ino = 0;
};

class WatchedFiles {
public:
	// The string test `node` (an "equals"/"in" on a path) names `path`.
	void add(uint32_t node, std::string path);

	// stat(2)s every watched path (following symlinks, as an open does)
	// and rebuilds the per-node lookup. A path that does not exist has no
	// identity until a later resolve finds it. System calls: outside the
	// hot path only.
	void resolve();

	// Whether the file (dev, ino) is one that `node` names. Allocates
	// nothing.
	bool matches(uint32_t node, uint64_t dev, uint64_t ino) const
	{
		if (ino == 0 || node >= ranges_.size())
			return false;
		const Range &r = ranges_[node];
		for (uint32_t i = r.first; i < r.first + r.count; i++)
			if (identities_[i].ino == ino && identities_[i].dev == dev)
				return true;
		return false;
	}

	// Whether path is one of the watched paths: an event that changes what
	// it names (a rename or link onto it, an unlink, a create) makes the
	// identities stale. Allocates nothing.
	bool names(std::string_view path) const;

	bool empty() const { return watched_.empty(); }
	size_t size() const { return watched_.size(); }
	// Identities resolved by the last resolve().
	size_t resolved() const { return identities_.size(); }

	// Set by the engine when an event may have replaced a watched file.
	bool stale = false;

private:
	struct Watched {
		uint32_t node;
		std::string path;
	};
	struct Range {
		uint32_t first = 0;
		uint32_t count = 0;
	};
	std::vector<Watched> watched_;         // in node order
	std::vector<std::string> sorted_paths_; // for names()
	std::vector<Range> ranges_;            // per node: its identities
	std::vector<FileIdentity> identities_;
};

} // namespace guard
