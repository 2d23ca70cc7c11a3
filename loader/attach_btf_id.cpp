// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/attach_btf_id.h"

#include "loader/load_errors.h"

namespace guard {

uint32_t find_attach_btf_id(const Btf &vmlinux, const ProgramSpec &prog)
{
	std::string name = prog.attach_target;
	uint32_t kind = BTF_KIND_FUNC;
	if (prog.attach_kind == AttachKind::tp_btf) {
		// DECLARE_TRACE defines `typedef void (*btf_trace_<tp>)(void *, args...)`
		// so that the tracepoint's arguments have a type in BTF.
		name = "btf_trace_" + name;
		kind = BTF_KIND_TYPEDEF;
	} else if (prog.attach_kind == AttachKind::lsm) {
		// Each LSM hook has a no-op bpf_lsm_<hook> that BPF programs replace.
		name = "bpf_lsm_" + name;
	}
	if (std::optional<uint32_t> id = vmlinux.find(name, kind))
		return *id;
	throw NotSupportedByKernel("no " + std::string(kind == BTF_KIND_TYPEDEF ? "typedef " : "function ") + name +
				   " in vmlinux BTF: this kernel has no " + std::string(attach_kind_name(prog.attach_kind)) +
				   " target " + prog.attach_target);
}

} // namespace guard
