/*
 * qmp.h - a client of the QEMU Machine Protocol on a unix socket.
 *
 * Two layers, the lower one pure and unit-tested:
 *   qmp_msg_*   what one received line is: greeting, reply (return / error, with its id)
 *               or asynchronous event (STOP, RESUME, SHUTDOWN, ...), parsed by jansson;
 *               and the text of a command
 *   qmp_*       the connection, a node_chan on the run's event loop: greeting and
 *               qmp_capabilities at open, commands with numeric ids and a timeout,
 *               replies matched by id, events delivered in between. Nothing blocks.
 *
 * QEMU writes one JSON object per line ("\r\n" terminated); that is the framing used.
 */
#ifndef FL_QMP_H
#define FL_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t; /* jansson's json_t */

/* ---- messages ---- */

enum qmp_msg_kind {
	QMP_MSG_GREETING = 1,
	QMP_MSG_RETURN = 2,
	QMP_MSG_ERROR = 3,
	QMP_MSG_EVENT = 4,
};

#define QMP_BODY_MAX 4096 /* a "return" or "data" value, as compact JSON text */

struct qmp_msg {
	enum qmp_msg_kind kind;
	int64_t id;          /* RETURN/ERROR: the numeric id, -1 when absent */
	char event[48];      /* EVENT: its name */
	int64_t ev_sec, ev_usec; /* EVENT: QEMU's wall-clock timestamp */
	char err_class[48];  /* ERROR */
	char err_desc[256];  /* ERROR */
	const char *body;    /* RETURN: "return" value; EVENT: "data", as compact JSON
				text in body_text (NULL: none, or longer than QMP_BODY_MAX) */
	int body_len;
	char body_text[QMP_BODY_MAX];
};

/*
 * qmp_msg_parse - classify one line from QEMU into @m.
 * Returns 0, or -1 with errno EINVAL when it is no JSON object or no QMP message.
 */
int qmp_msg_parse(const char *line, size_t len, struct qmp_msg *m);

/*
 * qmp_cmd_format - {"execute":"@cmd","arguments":@args,"id":@id}\r\n into @buf;
 * @args is a JSON object or NULL (no "arguments"), borrowed: the caller keeps its
 * reference. Returns the length, or -1 with errno ERANGE (@len too small) or EINVAL
 * (@args is no JSON object).
 */
int qmp_cmd_format(char *buf, size_t len, const char *cmd, struct json_t *args, int64_t id);

/* ---- connection ---- */

struct ev_loop;
struct qmp;

/* Called for each asynchronous event; @data is the event's "data" text or NULL. */
typedef void qmp_event_fn(void *arg, const char *event, const char *data, int data_len);
/* Called once when QEMU closes the connection. */
typedef void qmp_gone_fn(void *arg);
/*
 * A command's outcome, called once from the loop: @err 0 and @m its reply (kind
 * QMP_MSG_RETURN, or QMP_MSG_ERROR with qmp_error() set; valid during the call), or
 * @m NULL and @err ETIMEDOUT (no reply in time), EPIPE (QEMU went away), ECANCELED.
 */
typedef void qmp_reply_fn(void *arg, int err, const struct qmp_msg *m);

/*
 * qmp_open - connect to QEMU's QMP socket at @path, read the greeting and negotiate
 * capabilities, waiting at most @timeout_ms in all (the socket may not exist yet: QEMU
 * creates it shortly after start) by running @loop. From then on the socket is watched
 * on @loop. Returns the connection, or NULL with errno.
 */
struct qmp *qmp_open(struct ev_loop *loop, const char *path, int timeout_ms);
/* The same on connected non-blocking socket @fd, which the connection owns from now on
 * (closed on failure too). */
struct qmp *qmp_open_fd(struct ev_loop *loop, int fd, int timeout_ms);
void qmp_close(struct qmp *q); /* NULL is a no-op; commands in flight get ECANCELED */

void qmp_set_event_fn(struct qmp *q, qmp_event_fn *fn, void *arg);
void qmp_set_gone_fn(struct qmp *q, qmp_gone_fn *fn, void *arg);

/*
 * qmp_send - execute @cmd with @args (a JSON object, borrowed, or NULL: none) and
 * return at once; @fn(@arg, ...) is called from the loop with the reply, or with
 * ETIMEDOUT after @timeout_ms. Returns 0, or -1 with errno (then @fn is never called).
 */
int qmp_send(struct qmp *q, const char *cmd, struct json_t *args, int timeout_ms,
	     qmp_reply_fn *fn, void *arg);

/*
 * qmp_cmd - qmp_send() and run the loop until the reply, at most @timeout_ms; events
 * and every other source on the loop are served meanwhile. The "return" value goes
 * into @ret (may be NULL). Returns 0; -1 with errno EREMOTEIO when QEMU answered with
 * an error (qmp_error() has its class and text), ETIMEDOUT, or the errno of the socket.
 * For the lab build and teardown; a loop callback uses qmp_send().
 */
int qmp_cmd(struct qmp *q, const char *cmd, struct json_t *args, char *ret, size_t ret_len,
	    int timeout_ms);

/* "Class: description" of the last error reply. */
const char *qmp_error(const struct qmp *q);

#endif
