/*
 * node_chan.h - a line channel to a guest on the run's event loop: QMP and the fl-agent
 * channel are both one of these. Requests go out with an id and a timeout; the loop
 * reads whatever comes, hands unasked lines (events) to the owner and each reply to the
 * callback of its request, once: with the reply line, or with ETIMEDOUT when its time
 * is up, or with EPIPE when the peer closed. Nothing here waits: a guest that stops
 * answering costs one timer, never the timeline.
 *
 * Invariants: every request's callback runs exactly once, from the loop (a timeout or
 * a reply) or from node_chan_free() (ECANCELED), never from node_chan_send() itself; a
 * reply after its request timed out is dropped (its id is no longer pending).
 */
#ifndef FL_NODE_CHAN_H
#define FL_NODE_CHAN_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct node_chan;

/*
 * Classify one received line (NUL-terminated, newline removed; the owner may modify
 * it): the id of the request it answers (> 0), or 0 when the owner consumed it itself
 * (an event, a greeting, noise).
 */
typedef int64_t node_chan_line_fn(void *arg, char *line);
/* A request's outcome: @line is the reply (valid during the call) and @err 0, or @line
 * NULL and @err ETIMEDOUT, EPIPE or ECANCELED. */
typedef void node_chan_reply_fn(void *arg, char *line, int err);
/* The peer closed the channel (or reading failed with @err). Called once. */
typedef void node_chan_gone_fn(void *arg, int err);

/*
 * node_chan_new - watch connected non-blocking socket @fd on @loop; the channel owns
 * @fd from now on (closed by node_chan_free). @line_fn and @gone_fn get @arg; @gone_fn
 * may be NULL. Returns the channel, or NULL with errno.
 */
struct node_chan *node_chan_new(struct ev_loop *loop, int fd, node_chan_line_fn *line_fn,
				node_chan_gone_fn *gone_fn, void *arg);
/* Stop watching, close the fd; pending requests get ECANCELED. NULL is a no-op. */
void node_chan_free(struct node_chan *c);

/*
 * node_chan_send - queue @len bytes (one request whose reply carries @id) and come back
 * at once; @fn(@fn_arg, ...) runs when the reply comes or @timeout_ms passed. Returns 0,
 * or -1 with errno (EPIPE: the peer is gone; ENOSPC: too many requests pending); then
 * @fn is never called.
 */
int node_chan_send(struct node_chan *c, int64_t id, const char *buf, size_t len, int timeout_ms,
		   node_chan_reply_fn *fn, void *fn_arg);

/*
 * node_chan_call - node_chan_send(), then run the loop (every other source keeps firing)
 * until the reply came or @timeout_ms passed. The reply line is copied into a buffer
 * the caller frees (*@reply). Returns 0, or -1 with errno (ETIMEDOUT, EPIPE, ...).
 * Only for code outside loop callbacks: the lab build and teardown.
 */
int node_chan_call(struct node_chan *c, int64_t id, const char *buf, size_t len, int timeout_ms,
		   char **reply);

/* Requests waiting for a reply (for tests and teardown). */
int node_chan_pending(const struct node_chan *c);

#endif
