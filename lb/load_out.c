/*
 * load_out.c - the buffered request log of load_out.h.
 */
#include "load_out.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void load_out_flush(struct load_out *o)
{
	size_t off = 0;

	while (off < o->len) {
		ssize_t w = write(o->fd, o->buf + off, o->len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->failed = true;
			break;
		}
		off += (size_t)w;
	}
	o->len = 0;
}

int load_out_open(struct load_out *o, const char *path)
{
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd == -1)
		return -1;
	o->len = strlen(load_csv_header);
	memcpy(o->buf, load_csv_header, o->len);
	load_out_flush(o);
	return 0;
}

static void load_out_tick(struct loop *loop, struct loop_timer *t, void *arg)
{
	load_out_flush(arg);
	loop_timer_arm(loop, t, t->deadline_ns + LOAD_OUT_FLUSH_NS);
}

int load_out_start(struct load_out *o, struct loop *loop)
{
	loop_timer_init(&o->timer, load_out_tick, o);
	return loop_timer_arm(loop, &o->timer, loop_now_ns() + LOAD_OUT_FLUSH_NS);
}

void load_out_record(const struct load_record *r, void *arg)
{
	struct load_out *o = arg;

	load_stats_add(&o->stats, r);
	if (LOAD_OUT_BUF - o->len < 512)
		load_out_flush(o);
	int n = load_record_csv(o->buf + o->len, LOAD_OUT_BUF - o->len, r);
	if (n > 0)
		o->len += (size_t)n;
}

void load_out_close(struct load_out *o)
{
	load_out_flush(o);
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	load_stats_release(&o->stats);
}
