// SPDX-License-Identifier: GPL-2.0-only
/* guard's kernel side: collect bounded facts at tracepoints and hand them to
 * userspace through BPF ring buffers. Policy lives in userspace.
 *
 * One object, one file per event family. Program names start with the
 * family's name (process_, file_, net_, io_uring_, priv_): guard --disable
 * FAMILY skips every program of that family, so it is neither loaded nor
 * attached.
 */
#include "common.bpf.h"
#include "process.bpf.h"
#include "file.bpf.h"
#include "net.bpf.h"
#include "send.bpf.h"
#include "io_uring.bpf.h"
#include "privilege.bpf.h"
#include "mount.bpf.h"

char LICENSE[] SEC("license") = "GPL";
