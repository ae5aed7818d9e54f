// SPDX-License-Identifier: GPL-2.0
/* uffd_events - mapping calls that return only once a userfaultfd monitor
 * has read their event.
 *
 * With UFFD_FEATURE_EVENT_REMAP, _UNMAP and _REMOVE, mremap, munmap and
 * madvise(MADV_DONTNEED) of a registered range change the address space
 * under the mmap write lock, then wait until the monitor has read the event
 * (fs/userfaultfd.c userfaultfd_event_wait_completion(), a killable sleep:
 * on kernels where a group stop does not end it, a thread waiting there
 * when its monitor is stopped waits on, its change made and its syscall not
 * returned). Also: page faults on registered pages, resolved by the monitor.
 *
 * A monitor thread resolves faults with UFFDIO_ZEROPAGE and reads events,
 * slowly (1 ms each), so that the mapping thread is often caught waiting.
 * ROUNDS rounds of: mmap 8 MiB, register, touch a page, mremap to 16 MiB
 * (moving), madvise(MADV_DONTNEED) 1 MiB, munmap. Each call once per round.
 * Exits 77 where userfaultfd is unavailable.
 */
#include <poll.h>
#include <pthread.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>

#include "wl.h"

#define ROUNDS 40
#define LEN (8UL << 20)

static int uffd;

static void *monitor(void *arg)
{
	struct timespec slow = { 0, 1000000 };

	(void)arg;
	for (;;) {
		struct pollfd p = { .fd = uffd, .events = POLLIN };
		struct uffd_msg msg;

		if (poll(&p, 1, -1) < 0)
			continue;
		nanosleep(&slow, NULL); /* let the caller wait, and be seen waiting */
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		/* REMAP, UNMAP, REMOVE: reading the event lets the call return */
		if (msg.event == UFFD_EVENT_PAGEFAULT) {
			struct uffdio_zeropage z = {
				.range = { .start = msg.arg.pagefault.address & ~(PG - 1), .len = PG },
			};

			if (ioctl(uffd, UFFDIO_ZEROPAGE, &z) && errno != EEXIST)
				die("UFFDIO_ZEROPAGE: %s", strerror(errno));
		}
	}
	return NULL;
}

int main(void)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_UNMAP |
			    UFFD_FEATURE_EVENT_REMOVE,
	};
	pthread_t t;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		/* no CONFIG_USERFAULTFD, or vm.unprivileged_userfaultfd */
		fprintf(stderr, "uffd_events: userfaultfd: %s\n", strerror(errno));
		return 77;
	}
	if (ioctl(uffd, UFFDIO_API, &api))
		die("UFFDIO_API: %s", strerror(errno));
	if (pthread_create(&t, NULL, monitor, NULL))
		die("pthread_create");
	for (int i = 0; i < ROUNDS; i++) {
		char *p = raw_mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct uffdio_register reg = {
			.range = { .start = (unsigned long)p, .len = LEN },
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};
		char *q;

		if (p == MAP_FAILED)
			die("mmap: %s", strerror(errno));
		if (ioctl(uffd, UFFDIO_REGISTER, &reg))
			die("UFFDIO_REGISTER: %s", strerror(errno));
		if (p[PG * 3] != 0) /* a fault the monitor resolves */
			die("zero page not zero");
		q = raw_mremap(p, LEN, 2 * LEN, MREMAP_MAYMOVE, NULL);
		if (q == MAP_FAILED)
			die("mremap: %s", strerror(errno));
		if (syscall(SYS_madvise, q, 1UL << 20, MADV_DONTNEED))
			die("madvise: %s", strerror(errno));
		if (raw_munmap(q, 2 * LEN))
			die("munmap: %s", strerror(errno));
	}
	return 0;
}
