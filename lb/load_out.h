/*
 * load_out.h - the request log of the open-loop clients (fl-load, fl-probe): records
 * in requests.csv's format buffered and written to the file at least every
 * LOAD_OUT_FLUSH_NS (the harness tails it for live progress), with the summary
 * statistics kept on the way.
 */
#ifndef FL_LOAD_OUT_H
#define FL_LOAD_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "load_rec.h"
#include "loop.h"

#define LOAD_OUT_FLUSH_NS 100000000ull
#define LOAD_OUT_BUF	  65536

struct load_out {
	int fd;
	char buf[LOAD_OUT_BUF];
	size_t len;
	bool failed; /* a write failed: records were lost */
	struct loop_timer timer;
	struct load_stats stats;
};

/* Create @path with the header line; 0, or -1 with errno. */
int load_out_open(struct load_out *o, const char *path);
/* Flush every LOAD_OUT_FLUSH_NS on @loop from now on; 0, or -1 with errno. */
int load_out_start(struct load_out *o, struct loop *loop);
/* One record (a client's record hook: @arg is the struct load_out). */
void load_out_record(const struct load_record *r, void *arg);
/* Write what is buffered. */
void load_out_flush(struct load_out *o);
/* Flush, close the file, free the statistics. */
void load_out_close(struct load_out *o);

#endif
