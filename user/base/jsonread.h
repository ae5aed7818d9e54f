/* SPDX-License-Identifier: GPL-2.0 */
/* jsonread.h - a small JSON reader (a DOM) for maptrace's own documents:
 * `maptrace diff` reads two stat summaries. Numbers keep their exact
 * unsigned 64-bit value when they are non-negative integers. User-only. */
#ifndef MAPTRACE_JSONREAD_H
#define MAPTRACE_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mt_jtype { MT_J_NULL, MT_J_BOOL, MT_J_NUM, MT_J_STR, MT_J_ARR, MT_J_OBJ };

struct mt_jval {
	enum mt_jtype type;
	bool b;
	double num;
	uint64_t u64;         /* exact, when the number is a non-negative integer */
	bool is_u64;
	char *str;            /* strings (unescaped, NUL-terminated) */
	size_t len;           /* array/object element count */
	char **keys;          /* objects */
	struct mt_jval *items;
};

/* Parse text (len bytes). Returns 0, or -1 with *err_off set to the byte
 * offset of the first error. */
int mt_jparse(const char *text, size_t len, struct mt_jval *out, size_t *err_off);
void mt_jfree(struct mt_jval *v);
/* Member of an object, or NULL. */
const struct mt_jval *mt_jget(const struct mt_jval *obj, const char *key);

#endif /* MAPTRACE_JSONREAD_H */
