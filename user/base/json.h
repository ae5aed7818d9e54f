/* SPDX-License-Identifier: GPL-2.0 */
/* json.h - a small streaming JSON writer for JSON Lines output.
 *
 * Writes objects into a caller-owned buffer so one event is emitted with a
 * single fwrite. Strings are arbitrary bytes (file names are not UTF-8 by
 * law): valid UTF-8 passes through, control characters, '"' and '\\' are
 * escaped, and each byte that is not part of valid UTF-8 is written as
 * U+FFFD while mt_json_str reports the loss so the caller can add the exact
 * bytes as a hex field. User-only.
 */
#ifndef MAPTRACE_JSON_H
#define MAPTRACE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

struct mt_json {
	char *buf;
	size_t len, cap;
	bool need_comma;   /* a value was written at the current nesting level */
	bool oom;          /* an allocation failed; output is incomplete */
};

void mt_json_init(struct mt_json *j);
void mt_json_free(struct mt_json *j);
void mt_json_reset(struct mt_json *j);          /* empty the buffer, keep memory */

void mt_json_obj_begin(struct mt_json *j);      /* '{' */
void mt_json_obj_end(struct mt_json *j);        /* '}' */
void mt_json_arr_begin(struct mt_json *j);      /* '[' */
void mt_json_arr_end(struct mt_json *j);        /* ']' */
void mt_json_key(struct mt_json *j, const char *key);  /* "key": (key is trusted ASCII) */

/* values (as array elements, or after mt_json_key) */
void mt_json_u64(struct mt_json *j, uint64_t v);
void mt_json_i64(struct mt_json *j, int64_t v);
/* a number with three decimals: thousandths/1000 ("12.345") */
void mt_json_fixed3(struct mt_json *j, uint64_t thousandths);
void mt_json_bool(struct mt_json *j, bool v);
void mt_json_null(struct mt_json *j);
void mt_json_hex(struct mt_json *j, uint64_t v);  /* "0x7f..." as a string */
/* Returns true when the bytes were valid UTF-8 (exact), false when some
 * bytes were replaced by U+FFFD. */
bool mt_json_str(struct mt_json *j, const char *s, size_t len);
/* "key": "...", and when lossy also "key_hex": "<hex of the raw bytes>" */
void mt_json_kv_bytes(struct mt_json *j, const char *key, const char *s, size_t len);

/* Append '\n' and write the buffer to f, then reset. Returns 0 or -errno. */
int mt_json_flush_line(struct mt_json *j, FILE *f);

#endif /* MAPTRACE_JSON_H */
