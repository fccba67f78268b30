/*
 * rep_file.c - the report files of one invocation: the table of report formats (one
 * struct rep_kind each: the option that asks for it and its writers), every file asked
 * for written for the one or several scenarios judged (rep_files_write), and the name
 * of each scenario's file for a format written one file per scenario (rep_svg_path).
 * Opening and closing the files is done here; what goes into them is the writers'
 * (rep_json.c, rep_junit.c, rep_svg.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep.h"

/* In the order --help lists them and the files are written. */
const struct rep_kind rep_kinds[] = {
    {.option = "--json", .one = rep_json_write, .many = rep_json_write_many},
    {.option = "--junit", .many = rep_junit_write},
    {.option = "--svg", .one = rep_svg_write},
    {.option = NULL},
};
_Static_assert(sizeof(rep_kinds) / sizeof(rep_kinds[0]) <= REP_KINDS_MAX + 1,
	       "rep_kinds[] outgrew REP_KINDS_MAX (the paths of struct run_opts)");

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

/* One file per scenario, named by rep_svg_path(). */
static int rep_file_each(const char *base, struct sla_result *const *res, int n,
			 int (*fn)(FILE *, const struct sla_result *), char *err, size_t len)
{
	const char **names = calloc((size_t)n, sizeof(*names));
	char path[4096];
	int rc = 0;

	if (!names) {
		snprintf(err, len, "%s: %s", base, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++)
		names[i] = res[i]->scenario;
	for (int i = 0; i < n; i++) {
		rep_svg_path(base, names, i, n, path, sizeof(path));
		if (rep_file(path, res[i], fn, err, len) == -1)
			rc = -1;
	}
	free(names);
	return rc;
}

/* Format @k for @n results into @path (for a per-scenario format: its base name). */
static int rep_kind_write(const struct rep_kind *k, const char *path, struct sla_result *const *res,
			  int n, char *err, size_t len)
{
	if (k->one && (n == 1 || !k->many))
		return rep_file_each(path, res, n, k->one, err, len);
	return rep_file_many(path, res, n, k->many, err, len);
}

int rep_files_write(struct sla_result *const *res, int n, const char *const *paths, char *err,
		    size_t len)
{
	int rc = 0;

	for (int k = 0; rep_kinds[k].option; k++)
		if (paths[k] && rep_kind_write(&rep_kinds[k], paths[k], res, n, err, len) == -1)
			rc = -1;
	return rc;
}
