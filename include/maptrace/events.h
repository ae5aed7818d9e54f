/* SPDX-License-Identifier: GPL-2.0 */
/* events.h - the contract between maptrace's BPF programs and user space.
 *
 * Constants and fixed-width types only: included by the bpf/ programs (after
 * vmlinux.h) and by user space (after <linux/types.h>). Fields are ordered
 * largest first and each struct's size is asserted, so a change to one side
 * that the other does not share fails to compile.
 */
#ifndef MAPTRACE_EVENTS_H
#define MAPTRACE_EVENTS_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define MT_COMM_LEN   16
#define MT_PATH_MAX   4096   /* bytes of file path an event carries at most */
#define MT_NAME_MAX   80     /* bytes of an anonymous region name (prctl PR_SET_VMA) */

/* What happened. The numbering is ABI: user space indexes tables with it. */
enum mt_event_kind {
	MT_EV_NONE = 0,
	MT_EV_MMAP,
	MT_EV_MUNMAP,
	MT_EV_MPROTECT,
	MT_EV_PKEY_MPROTECT,
	MT_EV_BRK,
	MT_EV_MREMAP,
	MT_EV_SHMAT,
	MT_EV_SHMDT,
	MT_EV_REMAP_FILE_PAGES,
	MT_EV_IO_SETUP,
	MT_EV_IO_DESTROY,
	MT_EV_MADVISE,        /* only advice that changes what fork copies */
	MT_EV_PRCTL_VMA_NAME, /* prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME) */
	MT_EV_FORK,           /* fork, vfork, clone, clone3: new task */
	MT_EV_EXEC,           /* exec succeeded: the task now has a new mm */
	MT_EV_EXIT,           /* a task exited */
	MT_EV_VMA,            /* one VMA of an in-kernel address-space dump */
	MT_EV_DUMP_END,       /* end of an in-kernel dump */
	MT_EV_SEQ_VOID,       /* an order ticket that no event will carry */
	MT_EV_STACK,          /* the user stack of the next event of the same thread (same mm, seq) */
	MT_EV_MAP_VDSO,       /* arch_prctl(ARCH_MAP_VDSO_*) (x86): the vDSO mapped anew */
	MT_EV__COUNT
};

/* Syscall numbers below this are classified by the loader (syscall_kind). */
#define MT_MAX_SYSCALLS 512
/* syscall_kind value for exit_group: not an event, the exit checkpoint */
#define MT_SC_EXIT_GROUP 0xff

/* Why an in-kernel dump (MT_EV_VMA records) was taken: aux[0] of the VMA records. */
enum mt_dump_reason {
	MT_DUMP_EXEC = 1,  /* the address space an exec just created */
	MT_DUMP_EXIT = 2,  /* the address space as its last thread group exits */
	MT_DUMP_RESEED = 3, /* after a call whose event cannot say what it changed: one
			       that failed after taking the mmap write lock (it may have
			       changed part of its range), or ARCH_MAP_VDSO_* */
};

/* How a dump ended: DUMP_END args[2]. */
enum mt_dump_status {
	MT_DUMP_COMPLETE = 0,
	MT_DUMP_INCOMPLETE = 1, /* records were lost or the walk failed */
	MT_DUMP_NOT_TAKEN = 2,  /* this kernel cannot walk vmas from a tracepoint
				   (no bpf_iter_task_vma kfuncs: Linux < 6.7) */
};

/* mt_event.flags */
enum mt_event_flag {
	MT_EVF_FILE      = 1u << 0, /* dev/ino/path describe the file mapped */
	MT_EVF_PATH_TRUNC= 1u << 1, /* the path was longer than MT_PATH_MAX or deeper than the walk */
	MT_EVF_PSEUDO    = 1u << 2, /* file of an internal mount (memfd, SysV shm, anon inode) */
	MT_EVF_DELETED   = 1u << 3, /* the file's dentry was unlinked */
	MT_EVF_VMA_INFO  = 1u << 4, /* aux[] holds the resulting vma: start, end, pgoff (see below) */
	MT_EVF_THREAD    = 1u << 5, /* FORK: new thread in the same group */
	MT_EVF_VM        = 1u << 6, /* FORK: child shares the mm (CLONE_VM) */
	MT_EVF_GROUP_DEAD= 1u << 7, /* EXIT: last thread of its group */
	MT_EVF_VMA_LOCKED= 1u << 8, /* VMA info could not be read (mmap lock contended) */
	MT_EVF_ANON_INODE= 1u << 9, /* pseudo file of the anon_inode mount: shown as anon_inode:NAME */
	MT_EVF_PATH_REVERSED = 1u << 10, /* path holds components leaf first, each followed by '/' */
	MT_EVF_STACK_FP      = 1u << 11, /* STACK: payload is __u64 return addresses (frame pointers) */
	MT_EVF_STACK_DWARF   = 1u << 12, /* STACK: payload is struct mt_user_regs + stack bytes from sp */
	MT_EVF_READ_IMPLIES_EXEC = 1u << 13, /* the caller's personality has READ_IMPLIES_EXEC */
	MT_EVF_VMA_DONTCOPY  = 1u << 14, /* VMA_INFO: the vma is VM_DONTCOPY (fork does not copy it) */
};

/*
 * One event. Followed in the ring buffer by path_len bytes of path (no NUL).
 *
 * mm is the kernel address of the mm_struct the event changes: the identity of
 * an address space (threads and CLONE_VM children share one; exec makes a new
 * one). seq orders events of one mm as the kernel applied them: a ticket taken
 * while the mmap write lock is held (0 = the call did not change the mm).
 *
 * Per kind:
 *  syscalls: args[] = the six syscall arguments, ret = the result.
 *    SHMAT, IO_SETUP, MMAP of shared anonymous memory or of a character
 *    device (whose mmap may swap the file: /dev/zero): MT_EVF_VMA_INFO, and
 *    aux[0..2] = vma start, end, pgoff; dev/ino = the vma's file, none
 *    (MT_EVF_FILE clear) when the vma ended up anonymous.
 *    BRK: aux[0] = mm->start_brk, aux[1] = mm->brk before the call.
 *  FORK: aux[0] = child mm, aux[1] = child tgid, aux[2] = child tid,
 *    args[0] = clone flags.
 *  EXEC: aux[0] = tid before exec (a non-leader thread takes the leader's),
 *    path = the executable (bprm->filename).
 *  EXIT: ret = exit code, MT_EVF_GROUP_DEAD when the thread group is gone.
 *  VMA: args[0..4] = start, end, pgoff, vm_flags, dump id; aux[0] = reason;
 *    dev/ino = file; path = file path or special/anon name.
 *  DUMP_END: args[0] = dump id, args[1] = number of VMA records, aux[0] =
 *    reason, args[2] = enum mt_dump_status.
 *  SEQ_VOID: seq = the ticket to skip.
 *  STACK: sent just before the event it belongs to (same tid), for calls
 *    that create mappings when stacks are on; the payload (path_len bytes)
 *    is described by its MT_EVF_STACK_* flag.
 */
struct mt_event {
	__u64 ts_ns;        /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 enter_ns;     /* syscalls: when the call entered (ts_ns is its exit), else 0 */
	__u64 mm;
	__u64 seq;
	__u64 args[6];
	__s64 ret;
	__u64 ino;
	__u64 aux[3];
	__u64 cgroup;       /* the task's cgroup v2 id (its directory's inode) when
	                       the tracer asks for it (event_cgroups), else 0 */
	__u32 dev;          /* kernel dev_t encoding (major << 20 | minor) */
	__u32 pid;          /* tgid */
	__u32 tid;
	__u32 kind;         /* enum mt_event_kind */
	__u32 flags;        /* enum mt_event_flag */
	__u32 path_len;
	char comm[MT_COMM_LEN];
};
_Static_assert(sizeof(struct mt_event) == 168, "mt_event ABI size");

/* How user stacks are captured (rodata stack_mode). */
enum mt_stack_mode {
	MT_STACKS_NONE = 0,
	MT_STACKS_FP = 1,      /* bpf_get_stack(): walks frame pointers in the kernel */
	MT_STACKS_DWARF = 2,   /* registers + a copy of the stack, unwound in user space */
};

#define MT_STACK_MAX    16384  /* bytes of user stack a DWARF sample carries at most */
#define MT_FP_FRAMES    127    /* return addresses a frame-pointer stack carries at most */

/* The user registers of a DWARF stack sample, in the architecture's DWARF
 * register numbering, which libdw takes as is. One layout per architecture
 * rather than one record for all: both halves are always built for the same
 * one, and an x86 sample stays the 17 registers it always was instead of
 * carrying 16 empty slots through the ring buffer on every call. */
#if defined(__TARGET_ARCH_x86) || (!defined(__bpf__) && (defined(__x86_64__) || defined(__i386__)))
#define MT_NREGS        17     /* x86_64 DWARF registers 0-16: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */
#define MT_REG_SP       7      /* rsp */
#define MT_REG_PC       16     /* rip */
#elif defined(__TARGET_ARCH_arm64) || (!defined(__bpf__) && defined(__aarch64__))
#define MT_NREGS        33     /* AArch64 DWARF registers 0-32: x0-x30 (x29 fp, x30 lr), sp, pc */
#define MT_REG_SP       31
#define MT_REG_PC       32
#else
#error "maptrace: DWARF registers unknown for this architecture (x86 and arm64 are)"
#endif

struct mt_user_regs {
	__u64 regs[MT_NREGS];
};
#if MT_NREGS == 17
_Static_assert(sizeof(struct mt_user_regs) == 136, "mt_user_regs ABI size (x86_64)");
#else
_Static_assert(sizeof(struct mt_user_regs) == 264, "mt_user_regs ABI size (arm64)");
#endif

/* One per-mm ticket counter slot (bpf/tickets.bpf.h); the loader writes one
 * when it keeps every counter in the overflow hash. */
struct mt_ticket_slot {
	__u64 mm;  /* owner; 0 = free */
	__u64 seq; /* the owner's last ticket */
};

/* The slot of an mm (its address), mask = slots - 1. Fibonacci hashing:
 * mm_structs are slab objects a fixed size apart, and the multiply spreads
 * their addresses' middle bits upwards. */
static inline __u32 mt_ticket_slot_index(__u64 mm, __u32 mask)
{
	return ((mm * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

/* One VMA as the task_vma iterator reports it (seeding, resync). Followed by
 * path_len bytes of path. seq = the mm's ticket counter while the VMA was read
 * under the mmap read lock. A file's path is described as in events
 * (file_flags: MT_EVF_FILE and the path flags); otherwise name_kind names it. */
struct mt_iter_vma {
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 vm_flags;
	__u64 ino;
	__u64 mm;
	__u64 seq;
	__u32 dev;
	__u32 path_len;
	__u32 name_kind;    /* enum mt_name_kind, for vmas without a file */
	__u32 file_flags;   /* enum mt_event_flag: MT_EVF_FILE and how path is written */
};
_Static_assert(sizeof(struct mt_iter_vma) == 72, "mt_iter_vma ABI size");

/* A /proc/PID/maps read by the loader, as the legacy object saw it (its
 * .bss proc_snap; no task_vma iterator before Linux 5.12): the mm the file
 * shows and that mm's ticket count at the first and the last batch of lines
 * (each read under the mmap read lock). first == last: the text is the
 * address space after exactly ticket first. */
struct mt_proc_snap {
	__u64 mm;       /* set when the file is opened (mm_access()), 0 = none */
	__u64 first;
	__u64 last;
	__u64 batches;  /* read-lock holds seen */
};
_Static_assert(sizeof(struct mt_proc_snap) == 32, "mt_proc_snap ABI size");

/* What the path of a VMA record is. */
enum mt_name_kind {
	MT_NAME_NONE = 0,
	MT_NAME_PATH,       /* (unused: files are described by file_flags) */
	MT_NAME_HEAP,       /* [heap] */
	MT_NAME_STACK,      /* [stack] */
	MT_NAME_ANON,       /* anon_vma_name: shown as [anon:NAME] */
};

/* Kernel vm_flags bits (include/linux/mm.h); stable for decades. */
#define MT_VM_READ       0x00000001ULL
#define MT_VM_WRITE      0x00000002ULL
#define MT_VM_EXEC       0x00000004ULL
#define MT_VM_SHARED     0x00000008ULL
#define MT_VM_MAYSHARE   0x00000080ULL
#define MT_VM_GROWSDOWN  0x00000100ULL
#define MT_VM_DONTCOPY   0x00020000ULL

/* The Linux UAPI values both sides read in syscall arguments (from
 * include/uapi/asm-generic/mman*.h, linux/shm.h, linux/prctl.h; the same on
 * x86_64 and arm64), named apart from libc's so user space may include
 * <sys/mman.h> too. */
#define MT_PAGE_SIZE         4096ULL /* Debian's amd64 and arm64 kernels */
#define MT_PAGE_ALIGN(x)     (((x) + MT_PAGE_SIZE - 1) & ~(MT_PAGE_SIZE - 1))
#define MT_MAP_SHARED        0x01
#define MT_MAP_SHARED_VALIDATE 0x03
#define MT_MAP_FIXED         0x10
#define MT_MAP_ANONYMOUS     0x20
#define MT_MAP_GROWSDOWN     0x0100
#define MT_MREMAP_DONTUNMAP  4
#define MT_MADV_DONTFORK     10
#define MT_MADV_DOFORK       11
#define MT_SHM_RDONLY        010000
#define MT_SHM_REMAP         040000
#define MT_SHM_EXEC          0100000
#define MT_PR_SET_VMA        0x53564d41
#define MT_PR_SET_VMA_ANON_NAME 0
#define MT_ARCH_MAP_VDSO_X32 0x2001 /* arch/x86/include/uapi/asm/prctl.h */
#define MT_ARCH_MAP_VDSO_64  0x2003

/* Counters the BPF side keeps (per-CPU array "stats", indexed by these). */
enum mt_stat {
	MT_STAT_DROPPED = 0,     /* events that could not be reserved in the ring buffer */
	MT_STAT_DROPPED_DUMP,    /* VMA records of in-kernel dumps that could not be reserved */
	MT_STAT_INFLIGHT_FULL,   /* calls untracked: a thread's call state could not be created */
	MT_STAT_SEQ_FULL,        /* mms whose ticket counter could not be created */
	MT_STAT_COMPAT,          /* syscalls of traced 32-bit (ia32) processes, not classified */
	MT_STAT__COUNT
};

/* Ring-buffer wake-up policy: submit without waking the consumer unless this
 * much data is waiting (user space also polls on a short timeout). The loader
 * sets rodata wakeup_bytes to an eighth of the buffer; this is the default. */
#define MT_WAKEUP_BYTES (256 * 1024)

#endif /* MAPTRACE_EVENTS_H */
