/*
 * rep_file.c - the report files of one invocation: --json, --junit and --svg, for the
 * one or several scenarios it judged (rep_files_write), and the name of each SVG when
 * there are several (rep_svg_path). Opening and closing the files is done here; what
 * goes into them is the writers' (rep_json.c, rep_junit.c, rep_svg.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep.h"

static int rep_file(const char *path, const struct sla_result *res,
		    int (*fn)(FILE *, const struct sla_result *), char *err, size_t len)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = fn(f, res);
	if (fclose(f) == EOF)
		rc = -1;
	if (rc == -1)
		snprintf(err, len, "%s: %s", path, strerror(errno));
	return rc;
}

static int rep_junit_one(FILE *f, const struct sla_result *res)
{
	struct sla_result *one = (struct sla_result *)res;
	return rep_junit_write(f, &one, 1);
}

/* One scenario: each file holds its report alone. */
static int rep_files_one(const struct sla_result *res, const char *json, const char *junit,
			 const char *svg, char *err, size_t len)
{
	int rc = 0;
	if (json && rep_file(json, res, rep_json_write, err, len) == -1)
		rc = -1;
	if (junit && rep_file(junit, res, rep_junit_one, err, len) == -1)
		rc = -1;
	if (svg && rep_file(svg, res, rep_svg_write, err, len) == -1)
		rc = -1;
	return rc;
}

int rep_svg_path(const char *svg, const char *const *names, int i, int n, char *buf, size_t len)
{
	size_t base = strlen(svg);
	int dup = 0;

	if (n <= 1)
		return snprintf(buf, len, "%s", svg);
	if (base >= 4 && !strcmp(svg + base - 4, ".svg"))
		base -= 4;
	for (int k = 0; k < i; k++)
		dup |= !strcmp(names[k], names[i]);
	if (dup)
		return snprintf(buf, len, "%.*s-%s-%d.svg", (int)base, svg, names[i], i + 1);
	return snprintf(buf, len, "%.*s-%s.svg", (int)base, svg, names[i]);
}

/* One file for all @n results, by @fn (rep_json_write_many, rep_junit_write). */
static int rep_file_many(const char *path, struct sla_result *const *res, int n,
			 int (*fn)(FILE *, struct sla_result *const *, int), char *err, size_t len)
{
	FILE *f = fopen(path, "we");
	int rc = -1;

	if (f) {
		rc = fn(f, res, n);
		if (fclose(f) == EOF)
			rc = -1;
	}
	if (rc == -1)
		snprintf(err, len, "%s: %s", path, strerror(errno));
	return rc;
}

static int rep_svg_many(const char *svg, struct sla_result *const *res, int n, char *err,
			size_t len)
{
	const char **names = calloc((size_t)n, sizeof(*names));
	char path[4096];
	int rc = 0;

	if (!names) {
		snprintf(err, len, "%s: %s", svg, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++)
		names[i] = res[i]->scenario;
	for (int i = 0; i < n; i++) {
		rep_svg_path(svg, names, i, n, path, sizeof(path));
		if (rep_file(path, res[i], rep_svg_write, err, len) == -1)
			rc = -1;
	}
	free(names);
	return rc;
}

int rep_files_write(struct sla_result *const *res, int n, const char *json, const char *junit,
		    const char *svg, char *err, size_t len)
{
	int rc = 0;

	if (n == 1)
		return rep_files_one(res[0], json, junit, svg, err, len);
	if (json && rep_file_many(json, res, n, rep_json_write_many, err, len) == -1)
		rc = -1;
	if (junit && rep_file_many(junit, res, n, rep_junit_write, err, len) == -1)
		rc = -1;
	if (svg && rep_svg_many(svg, res, n, err, len) == -1)
		rc = -1;
	return rc;
}
