/*
 * obs_store.c - the observation store: growable arrays of records, and the names of
 * the enums used in files (requests.csv outcomes, events.jsonl kinds).
 *
 * Invariant: n_x <= cap_x for every array; a failed append leaves the store unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"

static const char *const obs_outcomes[OBS_OUTCOME__MAX] = {
	[OBS_OK] = "ok",
	[OBS_REFUSED] = "refused",
	[OBS_RESET] = "reset",
	[OBS_CONNECT_TIMEOUT] = "connect-timeout",
	[OBS_TIMEOUT] = "timeout",
	[OBS_BAD_STATUS] = "bad-status",
	[OBS_BAD_BODY] = "bad-body",
	[OBS_ERROR] = "error",
};

const char *obs_outcome_name(enum obs_outcome o)
{
	if (o <= 0 || o >= OBS_OUTCOME__MAX)
		return "?";
	return obs_outcomes[o];
}

enum obs_outcome obs_outcome_parse(const char *name)
{
	for (int o = OBS_OK; o < OBS_OUTCOME__MAX; o++)
		if (!strcmp(obs_outcomes[o], name))
			return o;
	return 0;
}

const char *obs_vip_kind_name(enum obs_vip_kind k)
{
	switch (k) {
	case OBS_VIP_GARP: return "garp";
	case OBS_VIP_ARP_REPLY: return "reply";
	case OBS_VIP_VRRP: return "vrrp";
	}
	return "?";
}

const char *obs_mark_kind_name(enum obs_mark_kind k)
{
	switch (k) {
	case OBS_MARK_RETRANS: return "retransmit";
	case OBS_MARK_FRAG_NEEDED: return "frag-needed";
	case OBS_MARK_UNREACH: return "unreachable";
	}
	return "?";
}

struct obs_store *obs_store_new(void)
{
	return calloc(1, sizeof(struct obs_store));
}

void obs_store_free(struct obs_store *st)
{
	if (!st)
		return;
	free(st->req);
	free(st->flt);
	free(st->vip);
	free(st->lb);
	free(st->mark);
	free(st->kw);
	free(st->cap);
	free(st->log);
	free(st->col);
	free(st);
}

/* Make room for one more element of @size in *@v; 0 or -1 with errno ENOMEM. */
static int obs_grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *nv = realloc(*v, ncap * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

#define OBS_APPEND(st, arr, n, cap, rec)                                                   \
	do {                                                                               \
		if (obs_grow((void **)&(st)->arr, &(st)->cap, (st)->n, sizeof(*(rec))) < 0) \
			return -1;                                                         \
		(st)->arr[(st)->n++] = *(rec);                                             \
		return 0;                                                                  \
	} while (0)

int obs_req_add(struct obs_store *st, const struct obs_req *r)
{
	OBS_APPEND(st, req, n_req, cap_req, r);
}

int obs_log_find(const struct obs_store *st, const char *name)
{
	for (size_t i = 0; i < st->n_log; i++)
		if (!strcmp(st->log[i], name))
			return (int)i + 1;
	return 0;
}

int obs_log_id(struct obs_store *st, const char *name)
{
	int id = obs_log_find(st, name);

	if (id)
		return id;
	if (strlen(name) >= OBS_LOG_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (obs_grow((void **)&st->log, &st->cap_log, st->n_log, sizeof(*st->log)) < 0)
		return -1;
	snprintf(st->log[st->n_log++], OBS_LOG_NAME_MAX, "%s", name);
	return (int)st->n_log;
}

int obs_vip_add(struct obs_store *st, const struct obs_vip *v)
{
	OBS_APPEND(st, vip, n_vip, cap_vip, v);
}

int obs_lb_add(struct obs_store *st, const struct obs_lb *l)
{
	OBS_APPEND(st, lb, n_lb, cap_lb, l);
}

int obs_mark_add(struct obs_store *st, const struct obs_mark *m)
{
	OBS_APPEND(st, mark, n_mark, cap_mark, m);
}

int obs_kwarn_add(struct obs_store *st, const struct obs_kwarn *k)
{
	OBS_APPEND(st, kw, n_kw, cap_kw, k);
}

int obs_capture_add(struct obs_store *st, const struct obs_capture *c)
{
	OBS_APPEND(st, cap, n_cap, cap_cap, c);
}

int obs_collect_add(struct obs_store *st, const struct obs_collect *c)
{
	OBS_APPEND(st, col, n_col, cap_col, c);
}

const struct obs_collect *obs_collect_find(const struct obs_store *st, const char *name)
{
	for (size_t i = st->n_col; i-- > 0;)
		if (!strcmp(st->col[i].name, name))
			return &st->col[i];
	return NULL;
}

int obs_fault_apply(struct obs_store *st, int id, const char *kind, const char *target,
		    int64_t t_ns)
{
	struct obs_fault f = {.id = id, .apply_ns = t_ns, .revert_ns = OBS_OPEN};
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.target, sizeof(f.target), "%s", target);
	size_t n = strcspn(target, ". ,/");
	if (n >= sizeof(f.node))
		n = sizeof(f.node) - 1;
	/* a partition ("a,b / c,d", "a -> b") or a network names no single node */
	if (!strpbrk(target, ",/>"))
		memcpy(f.node, target, n);
	OBS_APPEND(st, flt, n_flt, cap_flt, &f);
}

void obs_fault_set_path(struct obs_store *st, int id, const char *path)
{
	for (size_t i = st->n_flt; path && i-- > 0;)
		if (st->flt[i].id == id && st->flt[i].revert_ns == OBS_OPEN) {
			snprintf(st->flt[i].path, sizeof(st->flt[i].path), "%s", path);
			return;
		}
}

int obs_fault_revert(struct obs_store *st, int id, int64_t t_ns)
{
	/* newest first: ids are unique per run, but a reader may merge runs */
	for (size_t i = st->n_flt; i-- > 0;) {
		if (st->flt[i].id == id && st->flt[i].revert_ns == OBS_OPEN) {
			st->flt[i].revert_ns = t_ns;
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}
