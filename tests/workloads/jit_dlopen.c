// SPDX-License-Identifier: GPL-2.0
/* jit_dlopen.c - a JIT-like code region in a memfd ("jit": written through a
 * read-write view, run through a read-exec view) made by emit_code(), and
 * 768 KiB mapped by a dlopen()ed library (libmapper.so, next to this
 * program) that is dlclose()d before exit. argv[1]: the library's path. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void *volatile keep[3];

__attribute__((noinline)) static void *emit_code(void)
{
#if defined(__x86_64__)
	static const unsigned char ret[] = { 0xc3 };                   /* ret */
#elif defined(__aarch64__)
	static const unsigned char ret[] = { 0xc0, 0x03, 0x5f, 0xd6 }; /* ret */
#else
#error "jit_dlopen: a return instruction for this architecture is missing"
#endif
	int fd = memfd_create("jit", 0);
	void *rw, *rx;

	if (fd < 0 || ftruncate(fd, 65536))
		return NULL;
	rw = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rx = mmap(NULL, 65536, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd);
	if (rw == MAP_FAILED || rx == MAP_FAILED)
		return NULL;
	memcpy(rw, ret, sizeof(ret));
	/* arm64's instruction cache does not snoop data writes: clean and
	 * invalidate the executable view (a no-op on x86) */
	__builtin___clear_cache((char *)rx, (char *)rx + sizeof(ret));
	keep[0] = rw;
	return rx;
}

int main(int argc, char **argv)
{
	void *lib, *(*alloc)(size_t);

	keep[1] = emit_code();
	if (!keep[1] || argc < 2) {
		fprintf(stderr, "jit_dlopen: memfd code region failed or no library path\n");
		return 1;
	}
	((void (*)(void))keep[1])();
	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib || !(alloc = (void *(*)(size_t))dlsym(lib, "mapper_alloc"))) {
		fprintf(stderr, "jit_dlopen: %s\n", dlerror());
		return 1;
	}
	keep[2] = alloc(768 * 1024);
	dlclose(lib);
	return keep[2] ? 0 : 1;
}
