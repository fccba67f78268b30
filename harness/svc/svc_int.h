/*
 * svc_int.h - what the service files share: what a service said in its events file
 * (svc_start.c), for the kinds' readiness; the guest side of the service set
 * (svc_guest.c), used by svc_proc.c for services on qemu nodes.
 */
#ifndef FL_SVC_INT_H
#define FL_SVC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct run;
struct svc_guest;

/* Has service @svc written {"ev":"ready"} to its events file yet? */
bool svc_said_ready(const struct run *r, int svc);
/* Was the last state change in @svc's events file (fl-lb's) to master? */
bool svc_said_master(const struct run *r, int svc);

/* The guest side of a service set; freed with svc_guest_free() (NULL is a no-op). */
struct svc_guest *svc_guest_new(struct run *r);
void svc_guest_free(struct svc_guest *sg);

/*
 * svc_guest_spawn - start @argv in guest @node through its agent. Every word that is a
 * path in the run directory becomes its guest twin (node_qemu_guest_path), @out/@err
 * too; the files after --events and --out are tailed back into the run directory
 * (see svc_guest_copy). Returns the guest pid, or -1 with errno.
 */
pid_t svc_guest_spawn(struct svc_guest *sg, int node, char *const argv[], const char *out,
		      const char *err);

/*
 * svc_guest_copy - copy what the guest services wrote since the last copy into the run
 * directory, guest times rewritten onto the host base. @all: also stdout/stderr, and
 * every guest whatever the tail timer's pace (the final copy, or an error message).
 */
void svc_guest_copy(struct svc_guest *sg, bool all);

/* What a tailed guest file holds, so which of its words are guest times. */
enum svc_tail_kind {
	SVC_TAIL_EVENTS = 1, /* JSON lines: the "t_ns" member */
	SVC_TAIL_CSV,	     /* fl-load's log: sched_ns,start_ns,end_ns,... (header kept) */
	SVC_TAIL_RAW,	     /* stdout, stderr: no times */
};

typedef int64_t svc_time_map_fn(void *arg, int64_t guest_ns);

/*
 * svc_guest_line - write the @len bytes at @line (no newline among them) to @f with
 * each guest time of a @kind file replaced by @map's value, then a newline. Times <= 0
 * (never happened) and lines without one are written as they are. No other I/O.
 */
void svc_guest_line(FILE *f, enum svc_tail_kind kind, const char *line, size_t len,
		    svc_time_map_fn *map, void *arg);

#endif
