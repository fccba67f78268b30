/*
 * rep_file.c - the report files of one invocation: the table of report formats (one
 * struct rep_kind each: the option that asks for it and its writers), every file asked
 * for written for the one or several scenarios judged (rep_files_write), and the name
 * of each scenario's file for a format written one file per scenario (rep_svg_path).
 * Opening and closing the files is done here, and so is what a page needs to know of
 * where it lies (the files of the run directory, the relative way there); what goes into
 * them is the writers' (rep_json.c, rep_junit.c, rep_svg.c, rep_html.c).
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rep.h"

#define REP_PAGE_FILES_MAX 1024

/* In the order --help lists them and the files are written. */
const struct rep_kind rep_kinds[] = {
    {.option = "--json", .one = rep_json_write, .many = rep_json_write_many},
    {.option = "--junit", .many = rep_junit_write},
    {.option = "--svg", .one = rep_svg_write},
    {.option = "--html", .page = rep_html_page},
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

int rep_file_path(const char *file, const char *ext, const char *const *names, int i, int n,
		  char *buf, size_t len)
{
	size_t base = strlen(file), el = strlen(ext);
	int dup = 0;

	if (n <= 1)
		return snprintf(buf, len, "%s", file);
	if (base >= el && !strcmp(file + base - el, ext))
		base -= el;
	for (int k = 0; k < i; k++)
		dup |= !strcmp(names[k], names[i]);
	if (dup)
		return snprintf(buf, len, "%.*s-%s-%d%s", (int)base, file, names[i], i + 1, ext);
	return snprintf(buf, len, "%.*s-%s%s", (int)base, file, names[i], ext);
}

int rep_svg_path(const char *svg, const char *const *names, int i, int n, char *buf, size_t len)
{
	return rep_file_path(svg, ".svg", names, i, n, buf, len);
}

/* ---- a run's page: the files it links to, the way there ---- */

static int rep_page_file_cmp(const void *x, const void *y)
{
	return strcmp(((const struct rep_html_file *)x)->name,
		      ((const struct rep_html_file *)y)->name);
}

/* The regular files of @dir and of its subfolders (one level), by name; @skip left out. */
static int rep_page_files(const char *dir, const char *sub, const char *skip,
			  struct rep_html_file *v, int n, int max)
{
	char path[PATH_MAX * 2], name[PATH_MAX];
	struct dirent *d;
	struct stat sb;
	DIR *dp;

	snprintf(path, sizeof(path), "%s%s%s", dir, *sub ? "/" : "", sub);
	if (!(dp = opendir(path)))
		return n;
	while (n < max && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s%s%s", sub, *sub ? "/" : "", d->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (lstat(path, &sb) == -1 || (skip && !strcmp(name, skip)))
			continue;
		if (S_ISDIR(sb.st_mode) && !*sub)
			n = rep_page_files(dir, name, skip, v, n, max);
		else if (S_ISREG(sb.st_mode) && (v[n].name = strdup(name)))
			v[n++].size = (long long)sb.st_size;
	}
	closedir(dp);
	return n;
}

/* The directory that will hold @file, made absolute (it must exist). */
static int rep_page_dir(const char *file, char *buf)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", file);
	return realpath(dirname(tmp), buf) ? 0 : -1;
}

int rep_html_page(const char *page, const struct sla_result *r, char *err, size_t len)
{
	struct rep_html_file *files = calloc(REP_PAGE_FILES_MAX, sizeof(*files));
	char from[PATH_MAX], to[PATH_MAX], href[PATH_MAX];
	const char *self = strrchr(page, '/') ? strrchr(page, '/') + 1 : page;
	FILE *f = NULL;
	int n = 0, rc = -1;

	if (!r->run_dir)
		errno = EINVAL;
	else if (files && rep_page_dir(page, from) == 0 && realpath(r->run_dir, to) &&
		 rep_href_dir(from, to, href, sizeof(href)) >= 0) {
		/* the page itself, when it lies in the run directory, is not one of its files */
		n = rep_page_files(r->run_dir, "", *href ? NULL : self, files, 0,
				   REP_PAGE_FILES_MAX);
		qsort(files, (size_t)n, sizeof(*files), rep_page_file_cmp);
		struct rep_html_run run = {
		    .r = r, .href = href, .started = r->started, .files = files, .n_files = n};
		if ((f = fopen(page, "we"))) {
			rc = rep_html_write(f, &run);
			if (fclose(f) == EOF)
				rc = -1;
		}
	}
	if (rc == -1)
		snprintf(err, len, "%s: %s", page, strerror(errno));
	for (int i = 0; files && i < n; i++)
		free((char *)files[i].name);
	free(files);
	return rc;
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

/* A page per scenario, named by rep_file_path(".html"). */
static int rep_file_pages(const char *base, struct sla_result *const *res, int n,
			  int (*fn)(const char *, const struct sla_result *, char *, size_t),
			  char *err, size_t len)
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
		rep_file_path(base, ".html", names, i, n, path, sizeof(path));
		if (fn(path, res[i], err, len) == -1)
			rc = -1;
	}
	free(names);
	return rc;
}

/* Format @k for @n results into @path (for a per-scenario format: its base name). */
static int rep_kind_write(const struct rep_kind *k, const char *path, struct sla_result *const *res,
			  int n, char *err, size_t len)
{
	if (k->page)
		return rep_file_pages(path, res, n, k->page, err, len);
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
