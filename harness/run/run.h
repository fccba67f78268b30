/*
 * run.h - one run of one scenario: its run directory, its event record, its event loop
 * and its teardown list.
 *
 * Teardown: every external resource is pushed with run_defer() the moment it exists.
 * run_teardown() pops them in reverse order, once each; a deferred function treats
 * "already gone" as success and must not block for long. The same list runs on success,
 * failure, SIGINT and SIGTERM. What the kernel frees by itself on kill -9 (namespaces
 * held by fd, non-persistent taps, PR_SET_PDEATHSIG children) needs no entry but may
 * have one for an orderly stop.
 */
#ifndef FL_RUN_H
#define FL_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scn;
struct ev_loop;
struct lab;
struct json_t;

struct run;

typedef void run_undo_fn(void *arg);

/**
 * run_new - create the run directory and events.jsonl for @s
 * @base: folder that holds run directories ("runs" when NULL); base/latest is updated
 */
struct run *run_new(const struct scn *s, const char *base);
void run_free(struct run *r); /* runs the teardown list first; NULL is a no-op */

const struct scn *run_scn(const struct run *r);
const char *run_dir(const struct run *r);
struct ev_loop *run_loop(struct run *r);
struct lab *run_lab(struct run *r);          /* NULL before the lab is built */
void run_set_lab(struct run *r, struct lab *lab);

/* The timeline's zero: CLOCK_MONOTONIC ns when every service was ready (0 before). */
int64_t run_t0(const struct run *r);
void run_set_t0(struct run *r, int64_t t0_ns);

/* Push @fn(@arg) on the teardown list; @what names it in debug output. */
int run_defer(struct run *r, run_undo_fn *fn, void *arg, const char *what);
/* Pop and run the whole list, newest first. Idempotent. */
void run_teardown(struct run *r);

/*
 * run_event_obj - append one line to events.jsonl:
 *   {"t_ns":@t_ns,"src":"@src","ev":"@ev",<the members of @fields, in their order>}
 * @fields is a JSON object or NULL (no further members); the call takes its reference.
 * Callers build it with jansson, strings from outside through jsonl_str():
 *   run_event_obj(r, now, "run", "t0", json_pack("{s:o}", "scenario", jsonl_str(name)));
 * (a json_pack() that failed for want of memory gives NULL: the line is still written,
 * without the further members). Returns 0, or -1 with errno: EINVAL when @fields is no
 * object (the line is written without it), ENOMEM, write(2)'s.
 */
int run_event_obj(struct run *r, int64_t t_ns, const char *src, const char *ev,
		  struct json_t *fields);

/*
 * run_event_tap - call @fn(@arg, t_ns, src, ev, fields) for every event written from now
 * on, before it is written (@fields may be NULL; the tap must not keep it). At most
 * RUN_TAPS_MAX taps; 0, or -1 with errno ENOSPC. run_event_untap removes the tap of
 * @fn and @arg (none: nothing happens).
 */
#define RUN_TAPS_MAX 4
typedef void run_tap_fn(void *arg, int64_t t_ns, const char *src, const char *ev,
			const struct json_t *fields);
int run_event_tap(struct run *r, run_tap_fn *fn, void *arg);
void run_event_untap(struct run *r, run_tap_fn *fn, void *arg);

/* Path of a file inside the run directory into @buf. */
int run_path(const struct run *r, const char *name, char *buf, size_t len);

/* ---- run_kept.c: what a kept run directory says about its run ---- */

struct scn_set;

/* The "start" record of a run directory's events.jsonl (run.c writes it first). */
struct run_kept {
	char *scenario, *file, *started; /* name, the file as given, UTC ISO 8601 */
	uint64_t seed;
	struct scn_set *sets; /* every param's value in effect, as --set NAME=VALUE */
	int n_sets;
	bool has_t0;	  /* its timeline started (a "t0" record): there is a window to judge */
	bool ended;	  /* it ended (an "end" record) ... */
	bool interrupted; /* ... cut short by a signal */
};

/*
 * run_kept_read - read the "start" record of run directory @dir into @k (zeroed
 * first), and whether the run reached t0 and how it ended. Returns 0, or -1 with errno: that of opening @dir/events.jsonl, ENODATA when
 * it holds no start record (a directory from before the record existed, or no run
 * directory), EINVAL when the record is malformed, ENOMEM.
 */
int run_kept_read(const char *dir, struct run_kept *k);
/* Free what @k holds (and zero it); a zeroed one is a no-op. */
void run_kept_release(struct run_kept *k);
/* Is @dir a run directory (holds an events.jsonl)? */
bool run_kept_is_run(const char *dir);

#endif
