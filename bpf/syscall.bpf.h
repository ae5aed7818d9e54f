/* SPDX-License-Identifier: GPL-2.0 */
/* syscall.bpf.h - syscall arguments and number from the user registers, per
 * architecture. The raw sys_enter/sys_exit tracepoints hand us the task's
 * saved pt_regs; which register holds which argument is the syscall ABI
 * (x86_64: di si dx r10 r8 r9, number in orig_ax; arm64: orig_x0 x1..x5,
 * number in syscallno). libbpf 1.1 has no sixth-argument macro, hence ours.
 *
 * The tp_btf arguments and bpf_get_current_task_btf() are BTF pointers, read
 * with plain (CO-RE relocated) loads that the JIT turns into fault-tolerant
 * moves: a bpf_probe_read_kernel() helper call per field cost ~30 ns, and
 * these run on every syscall of every process.
 */
#ifndef MAPTRACE_SYSCALL_BPF_H
#define MAPTRACE_SYSCALL_BPF_H

#if defined(__TARGET_ARCH_x86)
static __always_inline void syscall_args(struct pt_regs *regs, __u64 args[6])
{
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
	return regs->orig_ax;
}

static __always_inline __u64 syscall_arg0(struct pt_regs *regs)
{
	return regs->di;
}

/* Is the task inside the body of its syscall? The entry code saves -ENOSYS
 * as ax (entry_SYSCALL_64: pushq $-ENOSYS) and do_syscall_64() stores the
 * result there only when the syscall returns; work after that (a signal
 * frame growing the stack under the mmap write lock, task_work) still sees
 * the syscall's number in orig_ax. */
#define ENOSYS 38
static __always_inline bool in_syscall_body(struct pt_regs *regs)
{
	return regs->ax == (unsigned long)-ENOSYS;
}

/* The user registers in DWARF order (x86-64 psABI, figure 3.36). */
static __always_inline void user_regs_dwarf(struct pt_regs *regs, __u64 *out)
{
	out[0] = regs->ax;
	out[1] = regs->dx;
	out[2] = regs->cx;
	out[3] = regs->bx;
	out[4] = regs->si;
	out[5] = regs->di;
	out[6] = regs->bp;
	out[7] = regs->sp;
	out[8] = regs->r8;
	out[9] = regs->r9;
	out[10] = regs->r10;
	out[11] = regs->r11;
	out[12] = regs->r12;
	out[13] = regs->r13;
	out[14] = regs->r14;
	out[15] = regs->r15;
	out[16] = regs->ip;
}
#define USER_SP_REG MT_REG_SP

/* A 32-bit (ia32) syscall: its numbers are not the 64-bit ones our table
 * classifies (ia32 9 is link, not mmap). in_ia32_syscall() tests TS_COMPAT
 * in thread_info.status (arch/x86/include/asm/thread_info.h). */
#define TS_COMPAT 0x0002
static __always_inline bool compat_syscall(void)
{
#ifdef MT_LEGACY
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(t, thread_info.status) & TS_COMPAT;
#else
	return bpf_get_current_task_btf()->thread_info.status & TS_COMPAT;
#endif
}
#elif defined(__TARGET_ARCH_arm64)
static __always_inline void syscall_args(struct pt_regs *regs, __u64 args[6])
{
	/* constant offsets: a BTF pointer takes no variable index */
	args[0] = regs->orig_x0;
	args[1] = regs->regs[1];
	args[2] = regs->regs[2];
	args[3] = regs->regs[3];
	args[4] = regs->regs[4];
	args[5] = regs->regs[5];
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
	return regs->syscallno;
}

static __always_inline __u64 syscall_arg0(struct pt_regs *regs)
{
	return regs->orig_x0;
}

/* arm64 keeps no marker of a syscall still running (x0 holds the first
 * argument, then the result): work after the syscall returns that takes
 * the mmap write lock could draw a ticket no event carries. */
static __always_inline bool in_syscall_body(struct pt_regs *regs)
{
	return true;
}

/* The user registers in DWARF order (AArch64 DWARF ABI, "DWARF register
 * names"): x0-x30 are 0-30, sp 31, and pc 32 (libdw takes the pc apart,
 * see user/analyze/unwind.c). The loop unrolls to constant offsets: a BTF pointer
 * takes no variable index. */
static __always_inline void user_regs_dwarf(struct pt_regs *regs, __u64 *out)
{
#pragma unroll
	for (int i = 0; i < 31; i++)
		out[i] = regs->regs[i];
	out[31] = regs->sp;
	out[32] = regs->pc;
}
#define USER_SP_REG MT_REG_SP

/* AArch32 tasks are not told apart yet */
static __always_inline bool compat_syscall(void)
{
	return false;
}
#else
#error "maptrace: syscall argument registers unknown for this architecture"
#endif

#endif /* MAPTRACE_SYSCALL_BPF_H */
