/*
 * obs_csv.c - fl-load's requests.csv: the line parser and a tailer that follows the
 * file while fl-load writes it.
 *
 *   sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes
 *
 * Tailer invariant: buf holds the bytes read after the last complete line; a line is
 * parsed only once its '\n' has been read, so a half-written line is never seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obs.h"

#define OBS_CSV_FIELDS 7
#define OBS_TAIL_BUF 8192 /* longer than any line fl-load writes */

/* Split @line at commas into @f (modifies @line); returns the number of fields. */
static int obs_csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return max + 1;
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			return n;
		*p++ = '\0';
	}
}

static int obs_csv_int(const char *s, int64_t *out)
{
	char *end;
	if (!*s)
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int obs_req_parse(const char *line, struct obs_req *out)
{
	char buf[256];
	size_t len = strcspn(line, "\r\n");
	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (!strncmp(buf, "sched_ns,", 9))
		return 1;
	char *f[OBS_CSV_FIELDS];
	if (obs_csv_split(buf, f, OBS_CSV_FIELDS) != OBS_CSV_FIELDS)
		goto bad;
	memset(out, 0, sizeof(*out));
	if (obs_csv_int(f[0], &out->sched_ns) < 0 || obs_csv_int(f[1], &out->start_ns) < 0 ||
	    obs_csv_int(f[2], &out->end_ns) < 0 || obs_csv_int(f[4], &out->latency_us) < 0 ||
	    obs_csv_int(f[6], &out->bytes) < 0)
		goto bad;
	if (!(out->outcome = obs_outcome_parse(f[3])))
		goto bad;
	if (strlen(f[5]) >= sizeof(out->backend))
		goto bad;
	strcpy(out->backend, f[5]);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

struct obs_tail {
	char *path;
	int fd;
	size_t len;  /* bytes in buf */
	size_t bad;
	char buf[OBS_TAIL_BUF];
};

struct obs_tail *obs_tail_new(const char *path)
{
	struct obs_tail *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (!(t->path = strdup(path))) {
		free(t);
		return NULL;
	}
	t->fd = -1;
	return t;
}

void obs_tail_free(struct obs_tail *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t->path);
	free(t);
}

size_t obs_tail_bad_lines(const struct obs_tail *t)
{
	return t->bad;
}

/* Parse every complete line in buf, keep the rest. Returns requests added or -1. */
static int obs_tail_lines(struct obs_tail *t, struct obs_store *st)
{
	int added = 0;
	size_t start = 0;
	char *nl;
	while ((nl = memchr(t->buf + start, '\n', t->len - start))) {
		*nl = '\0';
		struct obs_req r;
		int rc = obs_req_parse(t->buf + start, &r);
		if (rc == 0) {
			if (obs_req_add(st, &r) < 0)
				return -1;
			added++;
		} else if (rc < 0) {
			t->bad++;
		}
		start = (size_t)(nl - t->buf) + 1;
	}
	memmove(t->buf, t->buf + start, t->len - start);
	t->len -= start;
	/* a line longer than the buffer cannot be a request line: drop it */
	if (t->len == sizeof(t->buf)) {
		t->bad++;
		t->len = 0;
	}
	return added;
}

int obs_tail_poll(struct obs_tail *t, struct obs_store *st)
{
	if (t->fd < 0) {
		t->fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (t->fd < 0)
			return errno == ENOENT ? 0 : -1;
	}
	int added = 0;
	for (;;) {
		ssize_t n = read(t->fd, t->buf + t->len, sizeof(t->buf) - t->len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		if (n == 0)
			break;
		t->len += (size_t)n;
		int rc = obs_tail_lines(t, st);
		if (rc < 0)
			return -1;
		added += rc;
	}
	return added;
}
