/* SPDX-License-Identifier: GPL-2.0 */
/* parse.h - the values options take: sizes, and "--opt=value" spelling.
 * User-only. */
#ifndef MAPTRACE_PARSE_H
#define MAPTRACE_PARSE_H

#include <stddef.h>

/* Parse a size like 64M, 1G, 4096; returns 0 or -1. */
int mt_parse_size(const char *s, unsigned long long *out);

/* "--opt=value": copy "--opt" into name (cap bytes) and return the value;
 * NULL when arg has no '=' after "--" or its name does not fit. */
const char *mt_split_option(const char *arg, char *name, size_t cap);

#endif /* MAPTRACE_PARSE_H */
