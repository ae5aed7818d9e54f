// SPDX-License-Identifier: GPL-2.0
/* file.c - read a user's file whole (see base/file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/file.h"

int mt_file_read(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	FILE *m;
	char chunk[65536];
	size_t n;
	int err = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	m = open_memstream(buf, len);
	if (!m) {
		err = -errno;
		fclose(f);
		return err;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	if (ferror(f))
		err = -(errno ? errno : EIO);
	fclose(f);
	if (fclose(m) && !err)
		err = -ENOMEM;
	if (err) {
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
	return err;
}
