#include "engine/path_normalize.h"

#include <cstring>

namespace guard {

std::string_view normalize_path(std::string_view path, char *out)
{
	if (path.empty() || path[0] != '/')
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
	std::string_view canonical(out, n);
	return canonical == path ? path : canonical;
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
