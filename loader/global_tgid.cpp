// SPDX-License-Identifier: GPL-2.0-or-later
// read_global_tgid: a BPF program of three instructions, built here rather
// than compiled, loaded, run once with BPF_PROG_TEST_RUN and closed. Each step
// names the kernel rule it satisfies.
#include "loader/global_tgid.h"

#include <linux/bpf.h>

#include <array>
#include <string>

#include "base/fd.h"
#include "loader/bpf_syscall.h"

namespace guard {

namespace {

//   r0 = bpf_get_current_pid_tgid()   tgid << 32 | pid, both global
//   r0 >>= 32                          the tgid
//   exit                               r0 is the program's return value
//
// A helper call is `call imm` with imm the helper's number (enum bpf_func_id);
// it takes no arguments here, so r1 (the context) is left as it came.
std::array<struct bpf_insn, 3> tgid_program()
{
	std::array<struct bpf_insn, 3> insns {};
	insns[0].code = BPF_JMP | BPF_CALL;
	insns[0].imm = BPF_FUNC_get_current_pid_tgid;
	insns[1].code = BPF_ALU64 | BPF_RSH | BPF_K;
	insns[1].dst_reg = BPF_REG_0;
	insns[1].imm = 32;
	insns[2].code = BPF_JMP | BPF_EXIT;
	return insns;
}

} // namespace

uint32_t read_global_tgid()
{
	try {
		const std::array<struct bpf_insn, 3> insns = tgid_program();
		ProgramLoadRequest req;
		req.name = "global_tgid";
		// BPF_PROG_TYPE_SYSCALL (5.14+): a program that is never attached
		// anywhere, only run through bpf(BPF_PROG_TEST_RUN), in the context
		// of the task that runs it, so "current" is the agent itself. It
		// takes no attach type and no BTF (bpf_prog_load_check_attach), and
		// may call the helpers tracing programs may, get_current_pid_tgid
		// among them.
		req.type = BPF_PROG_TYPE_SYSCALL;
		// The verifier accepts this type only as sleepable
		// (check_attach_btf_id: "Syscall programs can only be sleepable").
		req.flags = BPF_F_SLEEPABLE;
		req.insns = insns;
		req.license = "GPL";
		Fd prog = with_context("load program global_tgid", [&] { return bpf_prog_load(req); });
		// No input (ctx_size_in 0, no data): bpf_prog_test_run_syscall runs
		// the program once, here, and hands back r0 as test.retval, which
		// holds 32 bits; a tgid is at most PID_MAX_LIMIT (2^22).
		uint32_t tgid = with_context("run program global_tgid", [&] { return bpf_prog_test_run(prog.get()); });
		// Every task has a tgid; 0 is the idle task's, never a process's.
		if (tgid == 0)
			fail("run program global_tgid: it returned 0, which is no process's tgid");
		return tgid;
	} catch (const Error &e) {
		throw GlobalTgidError("learn the agent's global tgid: " + std::string(e.what()));
	}
}

} // namespace guard
