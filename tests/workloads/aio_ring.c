// SPDX-License-Identifier: GPL-2.0
/* aio_ring - Linux AIO contexts: io_setup(2) maps a ring, io_destroy(2)
 * unmaps it.
 *
 * Exercises: five contexts of different sizes set up and destroyed in an
 * order unlike creation; a ring moved with mremap (the kernel's
 * aio_ring_mremap() follows it: the context id becomes the new address, the
 * old id is refused with EINVAL, and io_destroy of the new one unmaps the
 * moved ring); one context left for exit to tear down; a fork child, which
 * inherits the ring mappings (up to 7.x; then they are VM_DONTCOPY) but
 * never the contexts (its io_destroy fails with EINVAL); failures: io_setup with nr_events 0 (EINVAL), with a
 * non-zero context (EINVAL), io_destroy of an unknown context (EINVAL).
 * Raw syscalls (there is no glibc wrapper); each call once per run.
 */
#include <linux/aio_abi.h>

#include "wl.h"

#define NCTX 5

static long io_setup(unsigned nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static void ring_size(aio_context_t ctx, size_t *len)
{
	/* struct aio_ring's header: id, nr, head, tail, magic, ... */
	const unsigned *h = (const unsigned *)ctx;
	size_t bytes = 32 + (size_t)h[1] * sizeof(struct io_event);

	*len = (bytes + PG - 1) & ~(PG - 1);
}

int main(void)
{
	aio_context_t ctx[NCTX] = { 0 }, bad = 0, moved;
	static const int order[NCTX] = { 2, 0, 4, 1, 3 };
	size_t len;
	pid_t pid;
	char *dst;

	for (int i = 0; i < NCTX; i++)
		if (io_setup(32u << i, &ctx[i]))
			die("io_setup(%u): %s", 32u << i, strerror(errno));

	expect_err("io_setup(0)", io_setup(0, &bad), EINVAL);
	bad = ctx[0];
	expect_err("io_setup with a non-zero context", io_setup(8, &bad), EINVAL);
	expect_err("io_destroy of an unknown context", io_destroy(0x1000), EINVAL);

	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		unsigned char vec[64];

		/* the context is not copied; the ring's VMA was until the
		 * kernel marked it VM_DONTCOPY (7.x): mapped here or not,
		 * io_destroy does not know it */
		if (syscall(SYS_mincore, (void *)ctx[0], PG, vec) && errno != ENOMEM)
			_exit(3);
		_exit(io_destroy(ctx[0]) == -1 && errno == EINVAL ? 0 : 4);
	}
	reap(pid);

	/* move context 3's ring: its id becomes the new address */
	ring_size(ctx[3], &len);
	dst = xanon(NULL, len + 2 * PG, PROT_NONE, 0);
	moved = (aio_context_t)xmremap((void *)ctx[3], len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst + PG);
	if (moved != (aio_context_t)(dst + PG))
		die("ring moved to %#llx", (unsigned long long)moved);
	expect_err("io_destroy of the ring's old address", io_destroy(ctx[3]), EINVAL);
	ctx[3] = moved;

	for (int i = 0; i < NCTX; i++)
		if (io_destroy(ctx[order[i]]))
			die("io_destroy(%d): %s", order[i], strerror(errno));

	/* and again, left for exit to tear down */
	ctx[0] = 0;
	if (io_setup(64, &ctx[0]))
		die("io_setup: %s", strerror(errno));
	return 0;
}
