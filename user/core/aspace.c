// SPDX-License-Identifier: GPL-2.0
/* aspace.c - the registry of address spaces: events of each applied to its
 * shadow in the kernel's order (what each event changes: apply.c).
 *
 * Each address space applies its events strictly by ticket: an event whose
 * ticket is ahead waits in a min-heap until the ones before it arrive (two
 * threads' munmap and mmap of the same range can reach the ring buffer in
 * either order). A ticket below next_seq is already reflected by the
 * snapshot the shadow was seeded from and is dropped as stale. Dumps taken
 * in the kernel are ordered items too: one stamped S is delivered once every
 * event up to S has been applied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "core/apply.h"
#include "core/aspace.h"
#include "core/event.h"

/* An event (or a completed dump) waiting for its ticket. Ordering key:
 * event with ticket s -> 2s; dump stamped S -> 2S+1 (after event S, before S+1). */
/* A user stack sample kept until its event is applied. */
struct stack_sample {
	uint32_t flags;
	uint64_t seq;      /* the ticket of the call it was taken in */
	size_t len;
	unsigned char data[];
};

struct mt_pending {
	uint64_t key;
	struct mt_event e;
	char *path;               /* events: decoded path (malloc), or NULL */
	struct stack_sample *stack;  /* the creating call's stack, or NULL */
	struct mt_maps *dump;     /* dumps */
	uint32_t dump_reason;
};

/* ---- the pending heap ---------------------------------------------------- */

static void heap_swap(struct mt_pending *a, struct mt_pending *b)
{
	struct mt_pending t = *a;

	*a = *b;
	*b = t;
}

static int heap_push(struct mt_aspace *as, struct mt_pending *p)
{
	size_t i;

	if (mt_array_grow((void **)&as->heap, &as->cap, as->npending + 1, sizeof(*as->heap)))
		return -ENOMEM;
	i = as->npending++;
	as->heap[i] = *p;
	while (i && as->heap[(i - 1) / 2].key > as->heap[i].key) {
		heap_swap(&as->heap[(i - 1) / 2], &as->heap[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

static void heap_pop(struct mt_aspace *as, struct mt_pending *out)
{
	size_t i = 0;

	*out = as->heap[0];
	as->heap[0] = as->heap[--as->npending];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < as->npending && as->heap[l].key < as->heap[m].key)
			m = l;
		if (r < as->npending && as->heap[r].key < as->heap[m].key)
			m = r;
		if (m == i)
			break;
		heap_swap(&as->heap[i], &as->heap[m]);
		i = m;
	}
}

static void pending_free(struct mt_pending *p)
{
	free(p->path);
	free(p->stack);
	if (p->dump) {
		mt_maps_free(p->dump);
		free(p->dump);
	}
}

/* ---- registry ------------------------------------------------------------ */

void mt_aspaces_init(struct mt_aspaces *reg)
{
	memset(reg, 0, sizeof(*reg));
}

static void aspace_free(struct mt_aspace *as)
{
	struct mt_pending p;

	while (as->npending) {
		heap_pop(as, &p);
		pending_free(&p);
	}
	free(as->heap);
	mt_shadow_free(as->shadow);
	mt_maps_free(&as->dump);
	free(as);
}

void mt_aspaces_free(struct mt_aspaces *reg)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	while (mt_u64map_next(&reg->by_mm, &pos, &key, &v))
		aspace_free(v);
	mt_u64map_free_values(&reg->stacks);
	mt_u64map_free(&reg->by_mm);
	mt_u64map_free(&reg->by_tgid);
}

struct mt_aspace *mt_aspaces_by_mm(struct mt_aspaces *reg, uint64_t mm)
{
	return mt_u64map_get(&reg->by_mm, mm);
}

struct mt_aspace *mt_aspaces_by_tgid(struct mt_aspaces *reg, pid_t tgid)
{
	return mt_u64map_get(&reg->by_tgid, (uint64_t)tgid);
}

static void release(struct mt_aspaces *reg, struct mt_aspace *as)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	if (reg->on_release)
		reg->on_release(as, reg->ctx);
	while (mt_u64map_next(&reg->by_tgid, &pos, &key, &v))
		if (v == as)
			mt_u64map_del(&reg->by_tgid, key);
	mt_u64map_del(&reg->by_mm, as->mm);
	aspace_free(as);
}

/* A new address space at mm. An old one still registered at the same address
 * can only be stale (its mm was freed and the memory reused): retire it. */
static struct mt_aspace *create(struct mt_aspaces *reg, uint64_t mm)
{
	struct mt_aspace *as = mt_u64map_get(&reg->by_mm, mm);

	/* Still in use as far as we know: its owner exec'd, and the kernel
	 * freed the old mm (exec_mmap) and reused it for a fork on another
	 * CPU before sched_process_exec sent the exec record. */
	if (as && as->users)
		as->replaced_by_exec = true;
	if (as)
		release(reg, as);
	as = calloc(1, sizeof(*as));
	if (!as)
		return NULL;
	as->mm = mm;
	if (mt_u64map_put(&reg->by_mm, mm, as)) {
		free(as);
		return NULL;
	}
	return as;
}

/* One of the tgids the registry maps to as, or 0. */
static pid_t another_user(struct mt_aspaces *reg, const struct mt_aspace *as)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	while (mt_u64map_next(&reg->by_tgid, &pos, &key, &v))
		if (v == as)
			return (pid_t)key;
	return 0;
}

/* tgid now uses as (NULL: none); the mm it used before loses a user. */
static void set_tgid_mm(struct mt_aspaces *reg, pid_t tgid, struct mt_aspace *as)
{
	struct mt_aspace *old = mt_u64map_get(&reg->by_tgid, (uint64_t)tgid);

	if (old == as)
		return;
	if (as) {
		mt_u64map_put(&reg->by_tgid, (uint64_t)tgid, as);
		as->users++;
		as->pid = tgid;
	} else {
		mt_u64map_del(&reg->by_tgid, (uint64_t)tgid);
	}
	if (!old || !old->users)
		return;
	if (--old->users) {
		/* a CLONE_VM child (vfork, posix_spawn) that exec'd or
		 * exited leaves the mm to the others: /proc and freezing must
		 * name one of them, not the child's pid */
		if (old->pid == tgid)
			old->pid = another_user(reg, old);
	} else {
		/* Its exit dump may still wait for an earlier ticket (or, for
		 * a fork child, for the parent's fork ticket that seeds it):
		 * released once that has been applied (release_if_done). */
		if (old->npending && !old->replaced_by_exec)
			old->exited = true;
		else
			release(reg, old);
	}
}

/* An exited address space goes once nothing of it waits any more. */
static void release_if_done(struct mt_aspaces *reg, struct mt_aspace *as)
{
	if (as->exited && !as->npending)
		release(reg, as);
}

void mt_aspaces_lost(struct mt_aspaces *reg, uint64_t mm, uint64_t count)
{
	struct mt_aspace *as = mt_aspaces_by_mm(reg, mm);

	if (as) {
		as->lost += count;
		as->resync = true;
	}
}

static void seed_child(struct mt_aspaces *reg, struct mt_aspace *parent, const struct mt_event *e);
static void drain(struct mt_aspaces *reg, struct mt_aspace *as);

/* Apply one ordered item now that its turn has come. */
static void apply_item(struct mt_aspaces *reg, struct mt_aspace *as, struct mt_pending *p)
{
	if (p->dump) {
		if (reg->on_dump)
			reg->on_dump(as, p->dump, p->dump_reason, reg->ctx);
		return;
	}
	if (p->e.kind == MT_EV_FORK) {
		seed_child(reg, as, &p->e);
		return;
	}
	if (p->e.kind != MT_EV_SEQ_VOID) {
		if (reg->on_apply)
			reg->on_apply(as, &p->e, false, reg->ctx);
		as->applying_stack = p->stack && reg->on_stack ?
			reg->on_stack(as, &p->e, p->stack->flags, p->stack->data, p->stack->len, reg->ctx) : 0;
		if (mt_apply_event(as, &p->e, p->path) < 0)
			as->resync = true;
		as->applied++;
		/* the call's stack is still applying_stack here (a timeline names it) */
		if (reg->on_apply)
			reg->on_apply(as, &p->e, true, reg->ctx);
		as->applying_stack = 0;
	}
}

static void seed_child(struct mt_aspaces *reg, struct mt_aspace *parent, const struct mt_event *e);

/* A snapshot of the parent (a resync) already reflects this fork's ticket:
 * its child must still be seeded. The parent's shadow is exactly what the
 * fork copied if no later ticket was applied yet; otherwise the copy is
 * uncertain and the child is re-read. */
static void stale_fork(struct mt_aspaces *reg, struct mt_aspace *parent, const struct mt_pending *p)
{
	struct mt_aspace *child = mt_aspaces_by_mm(reg, p->e.aux[0]);

	if (!child || child->shadow)
		return;
	/* (before seeding: an exited child is released once seeded) */
	if (p->e.seq + 1 != parent->next_seq)
		child->resync = true;
	seed_child(reg, parent, &p->e);
}

static void drain(struct mt_aspaces *reg, struct mt_aspace *as)
{
	struct mt_pending p;

	while (as->shadow && as->npending && as->heap[0].key <= 2 * as->next_seq) {
		heap_pop(as, &p);
		if (p.key == 2 * as->next_seq) {
			apply_item(reg, as, &p);
			as->next_seq++;
		} else if (p.key == 2 * as->next_seq - 1) {
			apply_item(reg, as, &p); /* a dump: everything before it is applied */
		} else {
			reg->stale++;
			if (p.e.kind == MT_EV_FORK)
				stale_fork(reg, as, &p);
			else if (!(p.key & 1) && p.e.kind != MT_EV_SEQ_VOID && reg->on_stale)
				reg->on_stale(as, &p.e, reg->ctx);
		}
		pending_free(&p);
	}
}

/* Queue an ordered item for as; apply what became applicable. */
static void enqueue(struct mt_aspaces *reg, struct mt_aspace *as, struct mt_pending *p)
{
	if (as->shadow && p->key > 2 * as->next_seq && !(p->key & 1))
		reg->reordered++;
	if (heap_push(as, p)) {
		pending_free(p);
		as->resync = true;
		return;
	}
	drain(reg, as);
	release_if_done(reg, as);
}

/* The parent's fork ticket came: the child's address space is a copy of the
 * parent's at this instant (dup_mmap() skips VM_DONTCOPY vmas). */
static void seed_child(struct mt_aspaces *reg, struct mt_aspace *parent, const struct mt_event *e)
{
	struct mt_aspace *child = mt_aspaces_by_mm(reg, e->aux[0]);

	if (!child || child->shadow)
		return;
	child->shadow = mt_shadow_clone(parent->shadow, true);
	if (!child->shadow) {
		child->resync = true;
		return;
	}
	child->next_seq = 1;
	child->resync |= parent->resync;
	if (reg->on_apply)
		reg->on_apply(child, NULL, true, reg->ctx);
	drain(reg, child);
	release_if_done(reg, child);
}

static void on_fork(struct mt_aspaces *reg, const struct mt_event *e)
{
	struct mt_aspace *parent = mt_aspaces_by_mm(reg, e->mm), *child;
	pid_t ctgid = (pid_t)e->aux[1];
	struct mt_pending p = { .key = 2 * e->seq, .e = *e };

	if (e->flags & MT_EVF_THREAD)
		return;
	if (e->flags & MT_EVF_VM) {
		if (parent)
			set_tgid_mm(reg, ctgid, parent);
		return;
	}
	child = create(reg, e->aux[0]);
	if (!child)
		return;
	memcpy(child->comm, e->comm, MT_COMM_LEN);
	set_tgid_mm(reg, ctgid, child);
	/* create() retires whatever was registered at the child's mm, and
	 * set_tgid_mm() an address space whose last user was the child's
	 * tgid: a record naming the parent's own mm or tgid freed the parent */
	parent = mt_aspaces_by_mm(reg, e->mm);
	if (!parent || !parent->shadow) {
		/* forked from an address space we never saw: learn it later */
		child->resync = true;
		return;
	}
	if (!e->seq) {
		seed_child(reg, parent, e);
		child->resync = true; /* copied at an uncertain instant */
		return;
	}
	enqueue(reg, parent, &p);
}

static void on_exec(struct mt_aspaces *reg, const struct mt_event *e)
{
	struct mt_aspace *as = create(reg, e->mm), *old;

	if (!as)
		return;
	/* (looked up after create(): it may have retired what the tgid used) */
	old = mt_aspaces_by_tgid(reg, (pid_t)e->pid);
	if (old && old != as && old->users == 1)
		old->replaced_by_exec = true; /* (released below) */
	memcpy(as->comm, e->comm, MT_COMM_LEN);
	set_tgid_mm(reg, (pid_t)e->pid, as);
}

static void on_vma(struct mt_aspaces *reg, const struct mt_event *e, const char *raw)
{
	struct mt_aspace *as = mt_aspaces_by_mm(reg, e->mm);
	struct mt_region r;

	if (!as)
		return;
	if (as->dump_id != e->args[4]) {
		mt_maps_free(&as->dump);
		as->dump_id = e->args[4];
	}
	mt_vma_to_region(e->args[0], e->args[1], e->args[2], e->args[3], e->dev, e->ino, &r);
	mt_maps_append_vma(&as->dump, &r, e->flags, (uint32_t)e->ret, raw, e->path_len);
}

static void on_dump_end(struct mt_aspaces *reg, const struct mt_event *e)
{
	struct mt_aspace *as = mt_aspaces_by_mm(reg, e->mm);
	uint32_t reason = (uint32_t)e->aux[0];
	struct mt_pending p = { .key = 2 * e->seq + 1, .dump_reason = reason };

	if (!as)
		return;
	if (e->args[2] == MT_DUMP_NOT_TAKEN) {
		/* an exec'd address space is read by the iterator instead (a
		 * resync); one that exits cannot be read any more */
		reg->dumps_not_taken++;
		mt_maps_free(&as->dump);
		as->dump_id = 0;
		if (reason == MT_DUMP_EXEC || reason == MT_DUMP_RESEED)
			as->resync = true;
		return;
	}
	if (as->dump_id != e->args[0] || e->args[2] || as->dump.count != e->args[1]) {
		/* records were lost: this dump cannot be trusted */
		reg->incomplete_dumps++;
		mt_maps_free(&as->dump);
		as->dump_id = 0;
		as->resync = true;
		return;
	}
	/* the gate area is no vma: the dump cannot show it, maps does */
	if (reg->has_gate && mt_maps_append(&as->dump, &reg->gate, reg->gate.name,
					    strlen(reg->gate.name)))
		as->resync = true;
	/* exact at its stamp: events up to it are in it (like a resync) */
	if (reason == MT_DUMP_EXEC || reason == MT_DUMP_RESEED) {
		mt_aspaces_seed(reg, 0, as->mm, e->seq, &as->dump);
		mt_maps_free(&as->dump);
		as->dump_id = 0;
		return;
	}
	p.dump = malloc(sizeof(*p.dump));
	if (!p.dump)
		return;
	*p.dump = as->dump;
	memset(&as->dump, 0, sizeof(as->dump));
	as->dump_id = 0;
	/* like any ordered item, it waits for a shadow not seeded yet (a fork
	 * child whose parent's queue is held during a resync) */
	enqueue(reg, as, &p);
}

static void on_exit_group(struct mt_aspaces *reg, const struct mt_event *e)
{
	set_tgid_mm(reg, (pid_t)e->pid, NULL);
}

static void on_ordered(struct mt_aspaces *reg, const struct mt_event *e, const char *raw)
{
	struct mt_aspace *as = mt_aspaces_by_mm(reg, e->mm);
	struct mt_pending p = { .key = 2 * e->seq, .e = *e };
	char name[MT_PATH_MAX + 64];
	size_t len;

	if (!as) {
		reg->unseeded_drops++;
		return;
	}
	if (!e->seq)
		return; /* failed before it changed anything */
	len = mt_event_path(e, raw, name, sizeof(name));
	if (len && !(p.path = strndup(name, len)))
		as->resync = true;
	p.stack = mt_u64map_del(&reg->stacks, e->tid);
	if (p.stack && p.stack->seq != e->seq) {
		free(p.stack); /* taken in an earlier call whose event was lost */
		p.stack = NULL;
	}
	enqueue(reg, as, &p);
}

/* A stack sample precedes its event (same thread): keep it until then. */
static void on_stack_record(struct mt_aspaces *reg, const struct mt_event *e, const char *raw)
{
	struct stack_sample *smp = malloc(sizeof(*smp) + e->path_len);

	if (!smp)
		return;
	smp->flags = e->flags;
	smp->seq = e->seq;
	smp->len = e->path_len;
	memcpy(smp->data, raw, e->path_len);
	free(mt_u64map_del(&reg->stacks, e->tid)); /* a stale one: its event never came */
	if (mt_u64map_put(&reg->stacks, e->tid, smp))
		free(smp);
}

void mt_aspaces_feed(struct mt_aspaces *reg, const struct mt_event *e, const char *path)
{
	switch (e->kind) {
	case MT_EV_FORK:
		on_fork(reg, e);
		break;
	case MT_EV_EXEC:
		on_exec(reg, e);
		break;
	case MT_EV_EXIT:
		on_exit_group(reg, e);
		break;
	case MT_EV_VMA:
		on_vma(reg, e, path);
		break;
	case MT_EV_DUMP_END:
		on_dump_end(reg, e);
		break;
	case MT_EV_STACK:
		if (reg->on_stack)
			on_stack_record(reg, e, path);
		break;
	default:
		if (e->kind < MT_EV__COUNT)
			on_ordered(reg, e, path);
		break;
	}
}

int mt_aspaces_seed(struct mt_aspaces *reg, pid_t tgid, uint64_t mm, uint64_t stamp,
		    const struct mt_maps *snap)
{
	struct mt_aspace *as = mt_aspaces_by_mm(reg, mm);
	struct mt_shadow *s = mt_shadow_new();
	int err = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < snap->count && !err; i++)
		err = mt_shadow_map(s, &snap->regions[i]);
	if (!err && reg->has_gate && !mt_shadow_find(s, reg->gate.start))
		err = mt_shadow_map(s, &reg->gate);
	if (err) {
		mt_shadow_free(s);
		return err;
	}
	if (!as) {
		as = create(reg, mm);
		if (!as) {
			mt_shadow_free(s);
			return -ENOMEM;
		}
	}
	if (tgid > 0)
		set_tgid_mm(reg, tgid, as);
	mt_shadow_free(as->shadow);
	as->shadow = s;
	as->next_seq = stamp + 1;
	as->resync = false;
	as->stale = false;
	if (reg->on_apply)
		reg->on_apply(as, NULL, true, reg->ctx);
	drain(reg, as);
	return 0;
}
