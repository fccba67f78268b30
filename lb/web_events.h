/*
 * web_events.h - the --events FILE of fl-web, fl-lb and fl-load: JSON event lines of
 * the shape docs/architecture.md gives, {"t_ns":N,"src":"NAME","ev":"WHAT"[,more]},
 * written with common/jsonl.h.
 *
 * Each line goes out in one write() on an O_APPEND descriptor, so lines from several
 * programs sharing one file never interleave.
 */
#ifndef FL_WEB_EVENTS_H
#define FL_WEB_EVENTS_H

#include <jansson.h>

/* web_events_open - open (create, append) path. Returns an fd, or -1 with errno. */
int web_events_open(const char *path);

/*
 * web_events_write - write {"t_ns":now,"src":src,"ev":ev,<the members of more>}\n to
 * fd, t_ns from loop_now_ns(). @more is a JSON object or NULL; its reference is taken
 * (also on failure and for a negative fd, which writes nothing). Returns 0, or -1
 * with errno.
 */
int web_events_write(int fd, const char *src, const char *ev, json_t *more);

#endif
