/*
 * nlk.h - the one netlink layer of faultline and the fl-* programs: a socket opened
 * inside a network namespace, requests queued in its buffer, sent many at a time, and
 * their acks gathered afterwards, the kernel's extended-ack text carried into the error.
 *
 * A struct nlk is one netlink socket (any protocol: NETLINK_ROUTE, NETLINK_NETFILTER)
 * with NETLINK_EXT_ACK and NETLINK_CAP_ACK on. It stays bound to the namespace it was
 * opened in, so later requests need no setns. Its receive buffer bounds how many
 * requests are in flight (their acks must fit); nlk_window_set() enlarges it for a
 * caller that pipelines hundreds (the lab); sockets that send a few requests at a time
 * keep the kernel's default.
 *
 * Requests: nlk_msg() starts one in the socket's buffer (header filled: type, flags,
 * NLM_F_REQUEST, NLM_F_ACK unless NLK_F_NOACK, a sequence number), the caller appends
 * the payload (libmnl, libnftnl or nlk_attr_put); a message built by another
 * library goes in with nlk_room() + nlk_add(). nlk_send() writes everything queued in
 * one sendmsg; more requests may be queued and sent while acks are pending (up to a
 * window that the receive buffer can hold; past it nlk_msg gathers first). nlk_wait()
 * gathers every pending ack; nlk_flush() = send + wait.
 *
 * Errors: every failure of a gather (from one nlk_wait to the next: failures found
 * while nlk_msg made room, or by nlk_send, belong to it) is counted; the first one gives
 * errno and the text of nlk_error(): "<what>: <strerror> (kernel: <extended ack>)",
 * <what> being the name its request was queued with. A request sent without NLM_F_ACK is answered
 * only when it fails; its failure abandons the requests after it up to the next one sent without
 * NLM_F_ACK: this is an nfnetlink batch whose begin message was refused, in which the kernel looks
 * at nothing else. An nfnetlink batch (NFNL_MSG_BATCH_BEGIN .. _END) is never split across two
 * sends; other requests are sent automatically when the buffer is full.
 *
 * No libmnl here: fl-lb links this file statically into the guest image.
 */
#ifndef FL_NLK_H
#define FL_NLK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLK_F_NOACK  (1u << 16) /* nlk_msg flag: do not ask for an ack */
#define NLK_MSG_ROOM 1024	/* bytes nlk_msg() guarantees after the header */
#define NLK_WHAT     56		/* the longest request name kept (with the NUL) */

struct nlk;

/*
 * Called for each message (not an ack) answering a request, e.g. RTM_NEWLINK for an
 * RTM_GETLINK; 0 to go on, -1 with errno to fail the request with the text in @err.
 */
typedef int (*nlk_reply_fn)(const struct nlmsghdr *h, void *arg, char *err, size_t len);

/*
 * nlk_open - a socket of @protocol in the network namespace @netns_fd (-1: the calling
 * thread's), opened by a setns there and back on the calling thread. NULL with errno.
 */
struct nlk *nlk_open(int protocol, int netns_fd);

/*
 * nlk_adopt - take over @fd, an open socket that speaks netlink (a bound netlink
 * socket, or for tests one end of an AF_UNIX SOCK_SEQPACKET pair). No option is set.
 * NULL with errno (@fd is then left open).
 */
struct nlk *nlk_adopt(int fd);

/*
 * nlk_window_set - a receive buffer for @acks acks in flight (forced when root).
 * Returns the requests that may now be in flight, or -1 with errno.
 */
int nlk_window_set(struct nlk *sk, int acks);

/* nlk_close - close the socket; pending acks are dropped. NULL is a no-op. */
void nlk_close(struct nlk *sk);

/* nlk_fd - the socket, e.g. to watch it for nlk_feed(). */
int nlk_fd(const struct nlk *sk);

/*
 * nlk_msg - start a request of @type (NLM_F_REQUEST | NLM_F_ACK | @flags; with
 * NLK_F_NOACK, no NLM_F_ACK) with NLK_MSG_ROOM bytes of room after the header; @what
 * names it in errors (copied, truncated to NLK_WHAT - 1). May send what is queued, or
 * gather pending acks, to make room (what fails then is reported by the next
 * nlk_wait). Returns the header, or NULL with errno (ENOMEM).
 */
struct nlmsghdr *nlk_msg(struct nlk *sk, uint16_t type, unsigned flags, const char *what);

/* nlk_msg_reply - route the replies to the last request started to @fn(@arg). */
void nlk_msg_reply(struct nlk *sk, nlk_reply_fn fn, void *arg);

/*
 * nlk_room - @len bytes at the tail of the buffer (not zeroed) for a message built by
 * someone else, which must carry nlk_seq_next() and then be committed by nlk_add().
 * NULL with errno.
 */
void *nlk_room(struct nlk *sk, size_t len);
uint32_t nlk_seq_next(const struct nlk *sk);
/* nlk_add - commit the message built at nlk_room(); its NLM_F_ACK says if it is acked. */
int nlk_add(struct nlk *sk, const struct nlmsghdr *h, const char *what);

/* nlk_discard - drop what is queued, not sent (a batch that could not be built). */
void nlk_discard(struct nlk *sk);
/*
 * nlk_send - send everything queued. 0, or -1 with errno (the queue is dropped; the
 * failure is also the gather's, which the next nlk_wait reports).
 */
int nlk_send(struct nlk *sk);
/* nlk_wait - gather every pending ack. 0, or -1 with errno of the first failure. */
int nlk_wait(struct nlk *sk);
/* nlk_flush - send, then wait. */
int nlk_flush(struct nlk *sk);

/*
 * nlk_feed - hand @len received bytes to the gather (what nlk_wait does with each
 * datagram; for a caller that reads the socket itself). Returns the acks still pending.
 */
int nlk_feed(struct nlk *sk, const void *buf, size_t len);
/* nlk_pending - acks still expected. */
int nlk_pending(const struct nlk *sk);

/* The text of the first failure of the last gather ("" when none). */
const char *nlk_error(const struct nlk *sk);
/* How many requests failed in the last gather. */
int nlk_errors(const struct nlk *sk);

/*
 * nlk_ack_parse - read an NLMSG_ERROR: *@err its error (0 for an ack, else a negative
 * errno), *@msg its NLMSGERR_ATTR_MSG text or NULL. 0, or -1 (EBADMSG: malformed).
 */
int nlk_ack_parse(const struct nlmsghdr *h, int *err, const char **msg);

/* Builders for callers without libmnl (fl-lb); @h must have the room (nlk_msg's). */
void *nlk_extra_put(struct nlmsghdr *h, size_t len);
void nlk_attr_put(struct nlmsghdr *h, uint16_t type, const void *data, size_t len);

#endif
