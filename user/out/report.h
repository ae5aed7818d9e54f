/* SPDX-License-Identifier: GPL-2.0 */
/* report.h - maptrace's self-contained HTML reports: one page carrying a
 * command's JSON document, the script that draws it and its style, with
 * nothing fetched at view time (it opens from a file copied off a board).
 * User-only. */
#ifndef MAPTRACE_REPORT_H
#define MAPTRACE_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Write the page to out: title (plain text), and json (len bytes: the
 * document `COMMAND --json` prints) under the key command ("explain").
 * 0 or -EIO. */
int mt_report_html(FILE *out, const char *title, const char *command, const char *json,
		   size_t len);

/* The page of the JSON document json(f, arg) writes (0 or -errno), into
 * the file at path; the document itself to also too, unless NULL (--json
 * as well: it is written once; the caller checks also for errors). The
 * document is written to memory first, so a failed one leaves no half
 * page. 0, or -errno (from json, or the file). */
int mt_report_write(const char *path, const char *title, const char *command,
		    int (*json)(FILE *f, void *arg), void *arg, FILE *also);

#endif /* MAPTRACE_REPORT_H */
