/* syscall.bpf.h - syscall arguments and number from the user registers, per
 * architecture. The raw sys_enter/sys_exit tracepoints hand us the task's
 * saved pt_regs; which register holds which argument is the syscall ABI
 * (x86_64: di si dx r10 r8 r9, number in orig_ax; arm64: orig_x0 x1..x5,
 * number in syscallno). libbpf 1.1 has no sixth-argument macro, hence ours.
 */
#ifndef MAPTRACE_SYSCALL_BPF_H
#define MAPTRACE_SYSCALL_BPF_H

#if defined(__TARGET_ARCH_x86)
static __always_inline void syscall_args(struct pt_regs *regs, __u64 args[6])
{
	args[0] = BPF_CORE_READ(regs, di);
	args[1] = BPF_CORE_READ(regs, si);
	args[2] = BPF_CORE_READ(regs, dx);
	args[3] = BPF_CORE_READ(regs, r10);
	args[4] = BPF_CORE_READ(regs, r8);
	args[5] = BPF_CORE_READ(regs, r9);
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, orig_ax);
}
#elif defined(__TARGET_ARCH_arm64)
static __always_inline void syscall_args(struct pt_regs *regs, __u64 args[6])
{
	args[0] = BPF_CORE_READ(regs, orig_x0);
	for (int i = 1; i < 6; i++)
		args[i] = BPF_CORE_READ(regs, regs[i]);
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, syscallno);
}
#else
#error "maptrace: syscall argument registers unknown for this architecture"
#endif

#endif /* MAPTRACE_SYSCALL_BPF_H */
