/* SPDX-License-Identifier: GPL-2.0 */
/* smaps.h - parse the text of /proc/<pid>/smaps: regions plus their memory figures.
 *
 * Each record of smaps is a maps line (parsed by procmaps.h's line parser)
 * followed by "Key:   value kB" lines and a last "VmFlags:" line. The
 * figures the explain command needs are kept (in bytes); keys this parser
 * does not know are skipped, since every few kernel versions add one.
 * Parsing is apart from reading so the unit tests use recorded text.
 * User-only.
 */
#ifndef MAPTRACE_SMAPS_H
#define MAPTRACE_SMAPS_H

#if defined(__KERNEL__) || defined(__bpf__)
#error "smaps.h is a user-space header"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/procmaps.h"

/* VmFlags mnemonics (fs/proc/task_mmu.c show_smap_vma_flags()) as bits of
 * our own: stable across kernels and architectures, unlike VM_* values.
 * Mnemonics no kernel this side knows set MT_VMF_OTHER. */
enum mt_vmflag {
	MT_VMF_RD = 1ull << 0,   /* readable */
	MT_VMF_WR = 1ull << 1,   /* writable */
	MT_VMF_EX = 1ull << 2,   /* executable */
	MT_VMF_SH = 1ull << 3,   /* shared */
	MT_VMF_MR = 1ull << 4,   /* may read */
	MT_VMF_MW = 1ull << 5,   /* may write */
	MT_VMF_ME = 1ull << 6,   /* may execute */
	MT_VMF_MS = 1ull << 7,   /* may share */
	MT_VMF_GD = 1ull << 8,   /* stack segment grows down */
	MT_VMF_PF = 1ull << 9,   /* pure PFN range */
	MT_VMF_DW = 1ull << 10,  /* disabled write to the mapped file (before 5.15) */
	MT_VMF_LO = 1ull << 11,  /* pages are locked in memory */
	MT_VMF_IO = 1ull << 12,  /* memory mapped I/O area */
	MT_VMF_SR = 1ull << 13,  /* sequential read advise */
	MT_VMF_RR = 1ull << 14,  /* random read advise */
	MT_VMF_DC = 1ull << 15,  /* do not copy on fork (MADV_DONTFORK) */
	MT_VMF_DE = 1ull << 16,  /* do not expand on remap */
	MT_VMF_AC = 1ull << 17,  /* area is accountable (commit charged) */
	MT_VMF_NR = 1ull << 18,  /* swap space not reserved (MAP_NORESERVE) */
	MT_VMF_HT = 1ull << 19,  /* huge TLB pages */
	MT_VMF_SF = 1ull << 20,  /* synchronous page fault (MAP_SYNC) */
	MT_VMF_NL = 1ull << 21,  /* non-linear mapping (before 4.0) */
	MT_VMF_AR = 1ull << 22,  /* architecture specific flag */
	MT_VMF_WF = 1ull << 23,  /* wipe on fork */
	MT_VMF_DD = 1ull << 24,  /* do not include in core dumps */
	MT_VMF_SD = 1ull << 25,  /* soft-dirty */
	MT_VMF_MM = 1ull << 26,  /* mixed map */
	MT_VMF_HG = 1ull << 27,  /* huge page advise (MADV_HUGEPAGE) */
	MT_VMF_NH = 1ull << 28,  /* no huge page advise (MADV_NOHUGEPAGE; MAP_STACK since 6.7) */
	MT_VMF_MG = 1ull << 29,  /* mergeable advise (KSM) */
	MT_VMF_UM = 1ull << 30,  /* userfaultfd missing tracking */
	MT_VMF_UW = 1ull << 31,  /* userfaultfd write-protect tracking */
	MT_VMF_SS = 1ull << 32,  /* shadow stack */
	MT_VMF_SL = 1ull << 33,  /* sealed (mseal) */
	MT_VMF_LF = 1ull << 34,  /* lock on fault */
	MT_VMF_BT = 1ull << 35,  /* arm64 BTI guarded */
	MT_VMF_MT = 1ull << 36,  /* arm64 MTE tags */
	MT_VMF_UI = 1ull << 37,  /* userfaultfd minor fault */
	MT_VMF_DP = 1ull << 38,  /* droppable (MAP_DROPPABLE) */
	MT_VMF_GU = 1ull << 39,  /* stack grows up */
	MT_VMF_OTHER = 1ull << 63, /* a mnemonic not listed above */
};

/* Which keys a record had (so "0" and "absent" differ). */
enum mt_smaps_key {
	MT_SK_SIZE          = 1u << 0,
	MT_SK_RSS           = 1u << 1,
	MT_SK_PSS           = 1u << 2,
	MT_SK_PSS_DIRTY     = 1u << 3,
	MT_SK_SHARED_CLEAN  = 1u << 4,
	MT_SK_SHARED_DIRTY  = 1u << 5,
	MT_SK_PRIVATE_CLEAN = 1u << 6,
	MT_SK_PRIVATE_DIRTY = 1u << 7,
	MT_SK_REFERENCED    = 1u << 8,
	MT_SK_ANONYMOUS     = 1u << 9,
	MT_SK_SWAP          = 1u << 10,
	MT_SK_SWAP_PSS      = 1u << 11,
	MT_SK_LOCKED        = 1u << 12,
	MT_SK_THP_ELIGIBLE  = 1u << 13,
	MT_SK_VMFLAGS       = 1u << 14,
};

/* One record's figures, in bytes (smaps prints kB). */
struct mt_smaps_stat {
	uint64_t size, rss, pss, pss_dirty;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous, swap, swap_pss, locked;
	uint64_t vmflags;       /* enum mt_vmflag bits */
	uint32_t thp_eligible;  /* 0 or 1 */
	uint32_t keys;          /* enum mt_smaps_key bits: the keys seen */
};

/* The keys this parser keeps, in smaps' order: how smaps spells each, its
 * snake_case name for output, where it goes. The one list the parser
 * matches and output walks (the byte figures: those marked figure). */
struct mt_smaps_field {
	const char *key;        /* as smaps spells it: "Private_Dirty" */
	size_t len;
	const char *name;       /* for output: "private_dirty" */
	size_t off;             /* of its uint64_t in struct mt_smaps_stat, or
	                           SIZE_MAX for thp_eligible */
	uint32_t bit;           /* enum mt_smaps_key */
	bool figure;            /* a byte figure output lists per region */
};
extern const struct mt_smaps_field mt_smaps_fields[];
extern const size_t mt_smaps_nfields;

/* The value of key k (one with an offset) in st. */
static inline uint64_t mt_smaps_value(const struct mt_smaps_stat *st, const struct mt_smaps_field *k)
{
	return *(const uint64_t *)((const char *)st + k->off);
}

/* A parsed smaps file: maps.regions[i] has the figures stats[i]. */
struct mt_smaps {
	struct mt_maps maps;
	struct mt_smaps_stat *stats;
};

/* Parse a whole smaps text (len bytes) into *out (zeroed or freshly
 * freed). Every record must have its Size (equal to the region's size)
 * and end with VmFlags, and the text must end with '\n': a cut-short text
 * is -EINVAL, never a short success. On -EINVAL, *bad_line (if not NULL)
 * is the 1-based line number. Returns 0, -EINVAL or -ENOMEM. */
int mt_smaps_parse(const char *text, size_t len, struct mt_smaps *out,
		   size_t *bad_line);

/* Read /proc/<pid>/smaps in one pass, then parse it. Returns 0, -ESRCH
 * when the process does not exist, has no address space (zombie, kernel
 * thread) or exited while being read (never a cut-short success), -EACCES
 * when not permitted, other -errno otherwise. */
int mt_smaps_read_pid(pid_t pid, struct mt_smaps *out);

void mt_smaps_free(struct mt_smaps *s);

/* Bits of one VmFlags mnemonic ("rd"), MT_VMF_OTHER when unknown. */
uint64_t mt_vmflag_bit(const char *mn, size_t len);
/* The two-letter mnemonic of one bit, NULL for MT_VMF_OTHER or no bit. */
const char *mt_vmflag_name(uint64_t bit);

#endif /* MAPTRACE_SMAPS_H */
