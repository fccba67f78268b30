/*
 * web_events.c - JSON event lines (see web_events.h).
 */
#include "web_events.h"

#include <errno.h>
#include <fcntl.h>

#include "jsonl.h"
#include "loop.h"

int web_events_open(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

int web_events_write(int fd, const char *src, const char *ev, json_t *more)
{
	json_t *o;
	int rc = -1;

	if (fd < 0) {
		json_decref(more);
		return 0;
	}
	o = jsonl_event_new((int64_t)loop_now_ns(), src, ev);
	if (o && (!more || json_object_update(o, more) == 0))
		rc = jsonl_line_write(fd, o);
	else
		errno = ENOMEM;
	json_decref(more);
	json_decref(o);
	return rc;
}
