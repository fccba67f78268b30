/*
 * rep.h - the reports of a run: the text summary and progress line (rep_text.c), the
 * progress line on a live run (rep_live.c), JSON (rep_json.c), JUnit XML (rep_junit.c),
 * the SVG timeline (rep_svg.c), HTML pages of kept runs (rep_html.c), and the report
 * files of an invocation (rep_file.c).
 *
 * The reports only write: the observers (obs.h) saw the run and the SLA module (sla.h)
 * judged it before any of this is called. Writers take a finished struct sla_result
 * and a FILE* the caller opened; they write the report the user asked for and nothing
 * else, never close the stream, and return 0, or -1 with errno when writing failed
 * (ferror). Formats: docs/reports.md.
 */
#ifndef FL_REP_H
#define FL_REP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sla.h"

struct json_t;

/* "340.2ms", "1.250s", "99.50%", "12", "not measured" for @v in @unit, into @buf. */
int rep_value_format(const struct sla_value *v, enum scn_unit unit, char *buf, size_t len);

/* The run's verdict for people: "PASS", "FAIL", "REPRODUCED", "NOT REPRODUCED". */
const char *rep_outcome_text(const struct sla_result *r);
/* One scenario: a table of expectation, measured value, result, then a totals line. */
int rep_text_summary(FILE *f, const struct sla_result *r);
/* All scenarios of a run or a matrix: one line each, then the overall verdict. */
int rep_text_final(FILE *f, struct sla_result *const *r, int n);

struct rep_progress {
	int64_t elapsed_ns, duration_ns;
	int faults_active;
	size_t ok, failed;
};

/* What the progress line shows, counted from @st at @now_ns (requests that ended). */
void rep_progress_count(const struct obs_store *st, int64_t t0_ns, int64_t duration_ns,
			int64_t now_ns, struct rep_progress *p);
/* "[  5.2s/15.0s] faults 1  requests 512 ok 3 failed" (no newline); snprintf's return. */
int rep_progress_format(const struct rep_progress *p, char *buf, size_t len);

/* ---- rep_live.c: the progress line on a live run ---- */

struct run;
struct tl_state;
struct rep_live;

/*
 * rep_live_start - redraw "<scenario> <progress>" in place on @f (a terminal) every
 * 250 ms while run_loop(@r) runs, from the run directory's requests*.csv and @tl's
 * applied and reverted firings. Registered on the run's teardown list (which stops and
 * frees it). Returns it, or NULL with errno.
 */
struct rep_live *rep_live_start(struct run *r, const struct tl_state *tl, FILE *f);
/* Stop redrawing and erase the line; idempotent, NULL is a no-op. */
void rep_live_stop(struct rep_live *l);

/* One result as a JSON object / several as a JSON array (rep_json_dump's format). */
int rep_json_write(FILE *f, const struct sla_result *r);
int rep_json_write_many(FILE *f, struct sla_result *const *r, int n);
/* One result as a jansson object (a new reference), for reports that hold results
 * (`faultline matrix`); NULL with errno ENOMEM. */
struct json_t *rep_json_result(const struct sla_result *r);
/*
 * rep_json_dump - the one JSON report writer: object @v with a member per line and its
 * arrays with an element per line, the rest inline (an array @v: each element so),
 * numbers as docs/reports.md shows them, and a newline. Takes the reference to @v; NULL (a failed
 * build) fails with ENOMEM. Returns 0, or -1 with errno.
 */
int rep_json_dump(FILE *f, struct json_t *v);
/*
 * rep_json_result_read - a result back from object @o that rep_json_result() made
 * (rep_json_read.c): scenario, description, seed, params, run_dir, t0, duration, the
 * whole window's metrics and the expectations, with the counts and the verdict
 * recomputed by sla_outcome_judge(); no store, faults, clients or guests. Enough for
 * rep_junit_write() to write what it wrote for the original. NULL with errno EINVAL
 * (not such an object, or its "verdict" or "passed" disagrees with its expectations)
 * or ENOMEM.
 */
struct sla_result *rep_json_result_read(const struct json_t *o);

/* <testsuites> with one <testsuite> per result, one <testcase> per expectation. */
int rep_junit_write(FILE *f, struct sla_result *const *r, int n);

/* The timeline picture of one run (needs r->st). */
int rep_svg_write(FILE *f, const struct sla_result *r);

/* ---- rep_html.c: pages of kept runs (`faultline report --html`) ---- */

/* One file of a run directory, for the page's links. */
struct rep_html_file {
	const char *name; /* relative to the run directory */
	long long size;
};

/* What one run's page shows: the judged run, and where its files are. */
struct rep_html_run {
	const struct sla_result *r; /* needs r->st (the timeline) */
	const char *href;	    /* the run directory as seen from the page: "" or "REL/" */
	const char *started;	    /* when it ran (the start record), NULL: unknown */
	const struct rep_html_file *files;
	int n_files;
};

/* One line of the index: a judged run (@r), or one that could not be (@why). */
struct rep_html_entry {
	const struct sla_result *r; /* NULL: not judged */
	const char *why;	    /* why not, when @r is NULL */
	const char *name;	    /* the run directory's name */
	const char *scenario;	    /* when @r is NULL */
	const char *started;
	const char *href; /* the run's page (or its directory) as seen from the index */
};

/*
 * rep_html_page - @r's page (rep_html_write) into file @path, linking every file of
 * r->run_dir (and of its subfolders; the page itself left out) relative to where @path
 * lies (whose folder must exist). 0, or -1 with "PATH: reason" in @err (rep_file.c).
 */
int rep_html_page(const char *path, const struct sla_result *r, char *err, size_t len);
/* A self-contained page for one run: docs/reports.md, "--html". */
int rep_html_write(FILE *f, const struct rep_html_run *run);
/* The index of @n runs, one table row each, in the order given. */
int rep_html_index(FILE *f, const struct rep_html_entry *e, int n);
/*
 * rep_href_dir - the relative href prefix from directory @from to directory @to, both
 * absolute and without "." or ".." components (realpath's): "" when they are the same,
 * else "REL/" ("../runs/x/"). Returns its length, or -1 with errno EINVAL (a path not
 * absolute) or ENAMETOOLONG (@len too small).
 */
int rep_href_dir(const char *from, const char *to, char *buf, size_t len);

/* ---- rep_file.c: the report files of one invocation ---- */

/*
 * A report format written to a file: the option of `faultline run` that names the
 * file, and its writers. @one writes one scenario's report; @many several into one
 * file. With several scenarios a format with @many gets one file, one without gets one
 * file per scenario (rep_svg_path); with one scenario @one is used where there is one.
 */
struct rep_kind {
	const char *option; /* "--json" */
	int (*one)(FILE *f, const struct sla_result *r);
	int (*many)(FILE *f, struct sla_result *const *r, int n);
	/* a page that must know where it lies (--html): one per scenario, by file name */
	int (*page)(const char *path, const struct sla_result *r, char *err, size_t len);
};

#define REP_KINDS_MAX 8
/* Every format, ended by one with a NULL option (at most REP_KINDS_MAX before it). */
extern const struct rep_kind rep_kinds[];

/*
 * rep_files_write - the report files of one invocation that judged @n scenarios
 * (@n >= 1): @paths[k] names the file of rep_kinds[k], NULL for none. One scenario:
 * each file holds its report alone. Several: --json gets one array, --junit one file
 * with one testsuite per scenario, and each scenario its own SVG and page named by
 * rep_file_path(). 0, or -1 with @err when one failed (the others are still written).
 */
int rep_files_write(struct sla_result *const *res, int n, const char *const *paths,
		    char *err, size_t len);
/*
 * rep_svg_path - the file of scenario @i of @n for a format written one file per
 * scenario (the SVG), all named in @names: @svg itself
 * when @n is 1; else @svg with "-<scenario>" put before its ".svg" (appended when it
 * has none), and "-<i + 1>" after the name when an earlier scenario has the same name:
 * "t.svg" -> "t-quickstart.svg", "t-split-brain.svg", "t-split-brain-3.svg".
 */
int rep_svg_path(const char *svg, const char *const *names, int i, int n, char *buf,
		 size_t len);
/* rep_svg_path for a file whose extension is @ext (".svg", ".html"). */
int rep_file_path(const char *file, const char *ext, const char *const *names, int i, int n,
		  char *buf, size_t len);

#endif
