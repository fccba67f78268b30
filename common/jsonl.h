/*
 * jsonl.h - one JSON object per line, on jansson: the events.jsonl of a run and the
 * <node>.<service>.events files of fl-lb, fl-web and fl-load (shape in
 * docs/architecture.md), written and read by the harness and the lb programs alike.
 *
 * Writing keeps members in the order they were added (jansson >= 2.8 always does), in
 * compact form ({"t_ns":1,"src":"lb1",...}: the tests grep for it), one write(2) per
 * line so that lines appended to an O_APPEND file by several writers never interleave.
 * Reals print with up to 15 significant digits, so a real rounded the way "%g" shows
 * it (a loss percentage, 12.3457) prints as that same text.
 *
 * Reading takes outside data (files a guest or another program wrote): anything that is
 * not one JSON object is refused with EINVAL, never guessed at.
 */
#ifndef FL_JSONL_H
#define FL_JSONL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The dump flags of every line (compact; reals with 15 significant digits). */
#define JSONL_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/*
 * jsonl_str - @s as a JSON string (a new reference); NULL gives null. Bytes that are
 * not valid UTF-8 become '?' (jansson takes only UTF-8). NULL with errno ENOMEM.
 */
json_t *jsonl_str(const char *s);

/*
 * jsonl_num - @v as a JSON number (a new reference): an integer when it is integral and
 * below 1e10 in magnitude, else a real. Printed with JSON_REAL_PRECISION(10) this is the
 * text printf("%.10g") gives. NULL when @v is not finite, or ENOMEM.
 */
json_t *jsonl_num(double v);

/*
 * jsonl_set - add member @key = @v to object @o, taking the reference to @v (also when
 * it fails). @v NULL (a failed constructor) fails with ENOMEM. Returns 0 or -1.
 */
int jsonl_set(json_t *o, const char *key, json_t *v);

/* jsonl_event_new - {"t_ns":@t_ns,"src":@src,"ev":@ev}, a new reference, or NULL. */
json_t *jsonl_event_new(int64_t t_ns, const char *src, const char *ev);

/*
 * jsonl_line_write - write object @o and a newline to @fd in one write(2). Returns 0,
 * or -1 with errno (ENOMEM; EIO when write(2) wrote only part of the line).
 */
int jsonl_line_write(int fd, const json_t *o);

/*
 * jsonl_line_parse - the JSON object that line @line[0, @len) holds (surrounding white
 * space and the newline allowed). A new reference, or NULL with errno EINVAL (not JSON,
 * not an object, anything after it) or ENOMEM.
 */
json_t *jsonl_line_parse(const char *line, size_t len);

/* Member @key of object @o as a string: "" when absent or not a string. */
const char *jsonl_get_str(const json_t *o, const char *key);
/* Member @key as an integer (a real is truncated); @dflt when absent or not a number. */
int64_t jsonl_get_int(const json_t *o, const char *key, int64_t dflt);
/* Is @o an event whose "ev" is @ev? */
bool jsonl_is_ev(const json_t *o, const char *ev);

#endif
