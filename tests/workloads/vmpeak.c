// SPDX-License-Identifier: GPL-2.0
/* vmpeak.c - grows to a known peak, shrinks, then prints the kernel's own
 * VmPeak (kB) and leaves without another mapping call (raw syscalls, no
 * stdio), so `maptrace stat` peak_vm_bytes can be checked against it. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	char buf[4096], *p, *end;
	void *big = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ssize_t n;
	int fd;

	if (big == MAP_FAILED)
		return 1;
	munmap(big, 64 << 20);
	fd = open("/proc/self/status", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	p = strstr(buf, "VmPeak:");
	if (!p)
		return 1;
	p += 7;
	while (*p == ' ' || *p == '\t')
		p++;
	end = strchr(p, ' ');
	if (!end || write(1, p, (size_t)(end - p)) < 0 || write(1, "\n", 1) < 0)
		return 1;
	_exit(0);
}
