// SPDX-License-Identifier: GPL-2.0
/* array.c - growing arrays (see base/array.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/array.h"

int mt_array_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}
