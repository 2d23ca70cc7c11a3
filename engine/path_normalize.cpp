#include "engine/path_normalize.h"

#include <cstring>

namespace guard {

namespace {

// True when an absolute path has no empty, "." or ".." component and no
// trailing slash: nearly every path the kernel reports, checked in one pass
// without the copy and compare of the general case.
bool is_canonical(std::string_view p)
{
	const size_t n = p.size();
	if (n == 1)
		return true; // "/"
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '/')
			continue;
		size_t k = i + 1; // where the component after this slash starts
		if (k == n || p[k] == '/')
			return false;
		if (p[k] == '.' && (k + 1 == n || p[k + 1] == '/' || (p[k + 1] == '.' && (k + 2 == n || p[k + 2] == '/'))))
			return false;
	}
	return true;
}

} // namespace

std::string_view normalize_path(std::string_view path, char *out)
{
	if (path.empty() || path[0] != '/' || is_canonical(path))
		return path;
	size_t n = 0; // bytes written to out; out[0] is always '/'
	out[n++] = '/';
	size_t i = 0;
	while (i < path.size()) {
		while (i < path.size() && path[i] == '/')
			i++;
		size_t start = i;
		while (i < path.size() && path[i] != '/')
			i++;
		std::string_view part = path.substr(start, i - start);
		if (part.empty() || part == ".")
			continue;
		if (part == "..") {
			while (n > 1 && out[n - 1] != '/')
				n--; // drop the last component...
			if (n > 1)
				n--; // ...and the slash before it
			continue;
		}
		if (n > 1)
			out[n++] = '/';
		std::memcpy(out + n, part.data(), part.size());
		n += part.size();
	}
	return std::string_view(out, n);
}

namespace {

void normalize_into(std::string_view &path, std::string_view &given, char *out)
{
	std::string_view canonical = normalize_path(path, out);
	if (canonical.data() != path.data()) {
		given = path;
		path = canonical;
	}
}

} // namespace

void normalize_record_paths(Record &rec, PathScratch &scratch)
{
	switch (record_family(rec.header.kind)) {
	case RecordFamily::exec:
		normalize_into(rec.filename, rec.filename_given, scratch.exec);
		break;
	case RecordFamily::file:
		// A symlink's path2 is its target, text as given: left alone.
		if (rec.header.kind == GUARD_RECORD_FILE_RENAME || rec.header.kind == GUARD_RECORD_FILE_LINK)
			normalize_into(rec.path2, rec.path2_given, scratch.path2);
		normalize_into(rec.path, rec.path_given, scratch.path);
		break;
	default:
		break;
	}
}

} // namespace guard
