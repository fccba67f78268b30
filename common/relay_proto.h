/*
 * relay_proto.h - what faultline and fl-relay say to each other over the relay's
 * control socket (a SOCK_SEQPACKET socketpair: one message per request, one reply per
 * message). Both ends are built from the same tree, so the messages are plain structs.
 *
 * A relayed port has two sides, each a packet socket in the lab namespace: the node's
 * lab-side port (a veth end or a tap, taken off its bridge while the relay is in the
 * path) and the relay's own veth end, whose peer takes the port's place on the bridge.
 * Direction out is what the node sends (read on the port, written to the relay's veth),
 * direction in is what it receives (the other way).
 *
 * Each direction carries effects, each with its own frame selector; an effect is on
 * when its `on` is set. They are applied in this order: loss, duplicate, corrupt,
 * delay (with jitter), rate, reorder.
 */
#ifndef FL_RELAY_PROTO_H
#define FL_RELAY_PROTO_H

#include <stdint.h>

enum relay_op {
	RELAY_OP_PORT = 1,  /* declare port @port: its two ifindexes */
	RELAY_OP_SET = 2,   /* the effects of both directions of @port; the sockets are
			       bound when one is on; with all off, what is held leaves at
			       once and frames still pass */
	RELAY_OP_STATS = 3, /* reply with the counters of @port */
	RELAY_OP_UNBIND = 4 /* all off and the port back on its bridge: stop reading */
};

/* Which frames an effect applies to. Zero: every frame. */
struct relay_sel {
	uint16_t ethertype; /* 0: any; else the frame's (0x0806 ARP) */
	uint8_t l4proto;    /* 0: any; else the IPv4/IPv6 protocol (6, 17, 112...) */
	uint8_t l4proto2;   /* a second accepted protocol (58 with 1: ICMP and ICMPv6) */
	uint16_t port;	    /* with TCP or UDP: source or destination port; 0: any */
};

enum relay_fx {
	RELAY_FX_LOSS = 0,  /* ppm; a: mean burst length x 1000 (0: independent) */
	RELAY_FX_DUPLICATE, /* ppm: a copy follows the frame */
	RELAY_FX_CORRUPT,   /* ppm: one random bit flipped past the Ethernet header */
	RELAY_FX_DELAY,	    /* a: delay ns, b: jitter ns (uniform in +-b) */
	RELAY_FX_RATE,	    /* a: bits per second; b: most ns a frame may wait (the
			       queue's length in time; 0: no limit but RELAY_HOLD_MAX) */
	RELAY_FX_REORDER,   /* ppm: the frame is sent after the next one */
	RELAY_FX_N
};

struct relay_effect {
	uint32_t on;
	uint32_t ppm; /* parts per million of the selected frames */
	uint64_t a, b;
	struct relay_sel sel;
};

enum relay_way {
	RELAY_OUT = 0, /* frames the node sends */
	RELAY_IN = 1,  /* frames it receives */
};

struct relay_msg {
	uint32_t op;			     /* enum relay_op */
	uint32_t port;			     /* 0..RELAY_PORTS_MAX-1, the caller's numbering */
	int32_t port_ifindex, relay_ifindex; /* RELAY_OP_PORT */
	uint64_t seed;			     /* RELAY_OP_SET: of both directions' draws */
	struct relay_effect fx[2][RELAY_FX_N];
};

/* Counters of one direction since the port was declared. */
struct relay_stats {
	uint64_t frames;      /* read from its side */
	uint64_t sent;	      /* written to the other side (copies included) */
	uint64_t passed;      /* sent at once, no effect on or none selected them */
	uint64_t lost;	      /* dropped by the loss effect */
	uint64_t duplicated;  /* copies made */
	uint64_t corrupted;   /* bits flipped */
	uint64_t reordered;   /* frames held back behind the next one */
	uint64_t delayed;     /* frames put on the timer wheel */
	uint64_t overflow;    /* dropped: the wheel held too much (RELAY_HOLD_MAX) or the
				 rate's queue was full */
	uint64_t flushed;     /* dropped: still held when the effects went off */
	uint64_t unsegmented; /* corrupt chose an offloaded segment train: left whole */
	uint64_t send_errors;
};

struct relay_reply {
	int32_t err; /* 0, or an errno value; then @text says what failed */
	char text[200];
	struct relay_stats stats[2];
};

#define RELAY_PORTS_MAX 256
/* Bytes of frames one direction may hold on the wheel: 1 s of a 256 Mbit/s link. */
#define RELAY_HOLD_MAX (32u << 20)

#endif
