/*
 * rep.h - the reports of a run: the text summary and progress line (rep_text.c), the
 * progress line on a live run (rep_live.c), JSON (rep_json.c), JUnit XML (rep_junit.c),
 * the SVG timeline (rep_svg.c), and the glue `faultline run` calls (rep_run.c).
 *
 * Writers take a finished struct sla_result (sla.h) and a FILE* the caller opened;
 * they write the report the user asked for and nothing else, never close the stream,
 * and return 0, or -1 with errno when writing failed (ferror). Formats: docs/reports.md.
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

/* <testsuites> with one <testsuite> per result, one <testcase> per expectation. */
int rep_junit_write(FILE *f, struct sla_result *const *r, int n);

/* The timeline picture of one run (needs r->st). */
int rep_svg_write(FILE *f, const struct sla_result *r);

/* ---- rep_run.c: the hook points of `faultline run` ---- */

struct rep_run;

/* [observers] start the wire observer on @r; the store lives until teardown.
 * NULL with a message in @err when it could not start (the run may go on). */
struct obs_store *rep_run_observe(struct run *r, char *err, size_t len);
/* [evaluate] read run directory @dir back and judge @s's expectations; @t0_ns 0 takes
 * the run's "t0" event. NULL with @err on failure; on success @err may hold a warning
 * (unreadable lines) or be left as it was. */
struct rep_run *rep_run_evaluate(const struct scn *s, const char *dir, int64_t t0_ns,
				 uint64_t seed, char *err, size_t len);
const struct sla_result *rep_run_result(const struct rep_run *rr);
/* [reports] each non-NULL path gets its report; -1 with @err when one failed. */
int rep_run_write(const struct rep_run *rr, const char *json, const char *junit,
		  const char *svg, char *err, size_t len);
void rep_run_free(struct rep_run *rr); /* NULL is a no-op */

/*
 * rep_runs_write - the reports of one invocation that ran @n scenarios (@n >= 1).
 * One scenario: exactly rep_run_write(). Several: @json gets one array, @junit one
 * file with one testsuite per scenario, and each scenario its own SVG named by
 * rep_svg_path(). 0, or -1 with @err when one failed (the others are still written).
 */
int rep_runs_write(struct rep_run *const *rr, int n, const char *json, const char *junit,
		   const char *svg, char *err, size_t len);
/*
 * rep_svg_path - the SVG file of scenario @i of @n, all named in @names: @svg itself
 * when @n is 1; else @svg with "-<scenario>" put before its ".svg" (appended when it
 * has none), and "-<i + 1>" after the name when an earlier scenario has the same name:
 * "t.svg" -> "t-quickstart.svg", "t-split-brain.svg", "t-split-brain-3.svg".
 */
int rep_svg_path(const char *svg, const char *const *names, int i, int n, char *buf,
		 size_t len);

#endif
