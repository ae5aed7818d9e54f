/* SPDX-License-Identifier: GPL-2.0 */
/* tickets.bpf.h - the per-mm ticket counters that order an address space's
 * changes (see "Order" in maptrace.bpf.c).
 *
 * A counter is found on every write-locked mapping call, so finding it must
 * be cheap: a hash lookup by mm cost ~30 ns of a ~1.6 us mmap. Most counters
 * live in `ticket_slots`, an array indexed by a hash of the mm's address,
 * each slot owned by the first mm that needed it there. An mm whose slot
 * another mm owns keeps its counter in the `mm_seq` hash instead.
 *
 * Slots are never given back: nothing tells a released mm from a live one.
 * They need not be. An mm_struct is only ever created at the address of a
 * released one, so when fork or exec create an mm at the address a slot's
 * owner had, that owner is gone and the slot starts counting for the new mm.
 * Hence an address only ever finds its counter in one place: in its slot if
 * the slot was free when the address first needed a counter, in the hash
 * otherwise (the slot's owner never changes to another address).
 */
#ifndef MAPTRACE_TICKETS_BPF_H
#define MAPTRACE_TICKETS_BPF_H

/* slots - 1; the loader sizes ticket_slots (MT_TICKET_SLOTS, a power of 2) */
const volatile __u32 ticket_slot_mask = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);
	__type(value, struct mt_ticket_slot);
} ticket_slots SEC(".maps");

/* Counters of mms whose slot another mm owns. LRU: a dead mm's counter
 * cannot be told apart from a live one's, so let the least recently used
 * make room. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} mm_seq SEC(".maps");

/* The value of a kernel pointer as a plain number, by way of a cell of map
 * memory: the verifier refuses arithmetic on pointers (even in privileged
 * programs), but what a program reads back from map memory is a scalar.
 * (Where a probe read is cheap enough, BPF_CORE_READ() gives a number too.) */
static __always_inline __u64 pointer_value_in(volatile __u64 *cell, __u64 ptr)
{
	*cell = ptr;
	return *cell;
}

/* The slot for mm (here and below: the mm's address as a number). */
static __always_inline struct mt_ticket_slot *ticket_slot_of(__u64 mm)
{
	__u32 idx = mt_ticket_slot_index(mm, ticket_slot_mask);

	return bpf_map_lookup_elem(&ticket_slots, &idx);
}

/* The ticket counter of mm, created (at 0) if create and it has none yet;
 * NULL if it has none or the hash is full. */
static __always_inline __u64 *ticket_counter(__u64 mm, bool create)
{
	__u64 zero = 0, owner, *counter;
	struct mt_ticket_slot *slot = ticket_slot_of(mm);

	if (!slot)
		return NULL;
	owner = slot->mm;
	if (owner == mm)
		return &slot->seq;
	counter = bpf_map_lookup_elem(&mm_seq, &mm);
	if (counter || !create)
		return counter;
#ifndef MT_LEGACY
	/* A free slot is this mm's from now on (its count is still 0). Two
	 * mms may race for it; two threads of one mm cannot, as they draw
	 * tickets under its write lock. */
	if (owner == 0 && __sync_val_compare_and_swap(&slot->mm, 0, mm) == 0)
		return &slot->seq;
#endif
	/* (legacy: no compare-and-swap before 5.12, so no slot is ever
	 * claimed: the loader gives the object none, and every counter
	 * lives in the hash, whose BPF_NOEXIST insert is atomic) */
	bpf_map_update_elem(&mm_seq, &mm, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&mm_seq, &mm);
}

/* The next ticket of a counter, drawn under its mm's write lock. */
static __always_inline __u64 ticket_next(__u64 *counter)
{
#ifdef MT_LEGACY
	/* no fetching atomics before 5.12; none needed: every ticket of an
	 * mm is drawn under that mm's mmap write lock, so no two threads
	 * ever increment one counter at once */
	*counter += 1;
	return *counter;
#else
	return __sync_fetch_and_add(counter, 1) + 1;
#endif
}

/* The mm's last ticket, 0 if it has drawn none. */
static __always_inline __u64 ticket_last(__u64 mm)
{
	__u64 *counter = ticket_counter(mm, false);

	return counter ? *counter : 0;
}

/* A new mm (fork, exec), possibly at the address of a released one: its
 * tickets start at 1. */
static __always_inline void ticket_counter_reset(__u64 mm)
{
	struct mt_ticket_slot *slot = ticket_slot_of(mm);

	if (slot && slot->mm == mm)
		slot->seq = 0; /* nobody else can use a new mm yet */
	else
		bpf_map_delete_elem(&mm_seq, &mm);
}

#endif /* MAPTRACE_TICKETS_BPF_H */
