// SPDX-License-Identifier: GPL-2.0
/* parse.c - option values (see base/parse.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"

int mt_parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -1; /* strtoull would take spaces, '+' and '-' */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	int shift = 0;

	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if ((*end && strcmp(end, "iB") && strcmp(end, "B")) || v > (~0ULL >> shift))
		return -1; /* a suffix shifting bits out would silently wrap */
	*out = v << shift;
	return 0;
}

const char *mt_split_option(const char *arg, char *name, size_t cap)
{
	const char *eq = strncmp(arg, "--", 2) ? NULL : strchr(arg, '=');

	if (!eq || (size_t)(eq - arg) >= cap)
		return NULL;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	return eq + 1;
}
