/*
 * web_events.h - JSON event lines for fl-web and fl-load (--events FILE), the shape
 * docs/architecture.md gives: {"t_ns":N,"src":"NAME","ev":"WHAT"[,more]}.
 *
 * Each line goes out in one write() on an O_APPEND descriptor, so lines from several
 * programs sharing one file never interleave.
 */
#ifndef FL_WEB_EVENTS_H
#define FL_WEB_EVENTS_H

#include <stddef.h>

/* web_events_open - open (create, append) path. Returns an fd, or -1 with errno. */
int web_events_open(const char *path);

/*
 * web_events_write - write {"t_ns":now,"src":src,"ev":ev<more>}\n to fd. more is either
 * NULL or a string of extra members starting with a comma (",\"n\":3"). A negative fd
 * is a no-op. Returns 0, or -1 with errno (EMSGSIZE when the line would be too long).
 */
int web_events_write(int fd, const char *src, const char *ev, const char *more);

/*
 * web_json_escape - copy s into out (size bytes) as the inside of a JSON string.
 * Returns the length written, or -1 when it does not fit.
 */
int web_json_escape(char *out, size_t size, const char *s);

#endif
