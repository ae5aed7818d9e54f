// SPDX-License-Identifier: GPL-2.0
/* report.c - the HTML report page (see out/report.h). The script and style
 * are user/out/report/report.{js,css}, compiled in as string literals
 * (the Makefile's EMBED). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "out/report.h"

static const char report_js[] =
#include "report.js.inc"
	;
static const char report_css[] =
#include "report.css.inc"
	;

static void put_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* JSON inside a <script> element: a '<' (only ever inside a string) is
 * written \u003c, so that no "</script>" or "<!--" in a file name or
 * description can end the element early. */
static void put_json(FILE *out, const char *json, size_t len)
{
	const char *p = json, *end = json + len, *lt;

	while ((lt = memchr(p, '<', (size_t)(end - p)))) {
		fwrite(p, 1, (size_t)(lt - p), out);
		fputs("\\u003c", out);
		p = lt + 1;
	}
	fwrite(p, 1, (size_t)(end - p), out);
}

int mt_report_html(FILE *out, const char *title, const char *command, const char *json,
		   size_t len)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"generator\" content=\"maptrace\">\n<title>", out);
	put_text(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		"<script type=\"application/json\" id=\"mt-data\">{\"%s\":", report_css, command);
	put_json(out, json, len);
	fprintf(out, "}</script>\n<script>\n%s</script>\n</body>\n</html>\n", report_js);
	return ferror(out) ? -EIO : 0;
}

int mt_report_write(const char *path, const char *title, const char *command,
		    int (*json)(FILE *f, void *arg), void *arg, FILE *also)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&doc, &len), *f;
	int rc;

	if (!mem)
		return -ENOMEM;
	rc = json(mem, arg);
	if (fclose(mem) && !rc)
		rc = -ENOMEM;
	if (!rc && also)
		fwrite(doc, 1, len, also);
	if (!rc && !(f = fopen(path, "we")))
		rc = -errno;
	else if (!rc) {
		rc = mt_report_html(f, title, command, doc, len);
		if (fclose(f) && !rc)
			rc = -errno;
	}
	free(doc);
	return rc;
}
