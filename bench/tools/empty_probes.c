// SPDX-License-Identifier: GPL-2.0
/* empty_probes - load and attach empty_probes.bpf.o, say "attached", and
 * hold the programs until SIGINT or SIGTERM (bench section 2's dispatch
 * floor: the kernel's cost of running a BPF program at maptrace's two
 * hot tracepoints, apart from anything the program does).
 *
 *   empty_probes OBJECT.bpf.o
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: empty_probes OBJECT.bpf.o\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "empty_probes: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "empty_probes: loading '%s' failed: %s\n", argv[1], strerror(-err));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "empty_probes: attaching %s failed: %s\n",
				bpf_program__name(prog), strerror(errno));
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	bpf_object__close(obj);
	return 0;
}
