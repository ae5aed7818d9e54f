/* SPDX-License-Identifier: GPL-2.0 */
/* file.h - read a user's file (a --rules table, a stat summary) whole.
 * User-only. */
#ifndef MAPTRACE_FILE_H
#define MAPTRACE_FILE_H

#include <stddef.h>

/* The whole of path into *buf (malloc'd, NUL-terminated) and its length
 * into *len. Returns 0, or -errno (the file's own: ENOENT, EACCES, EISDIR...). */
int mt_file_read(const char *path, char **buf, size_t *len);

#endif /* MAPTRACE_FILE_H */
