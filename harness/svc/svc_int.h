/*
 * svc_int.h - what the service files share: what a service said in its events file
 * (svc_start.c), for the kinds' readiness.
 */
#ifndef FL_SVC_INT_H
#define FL_SVC_INT_H

#include <stdbool.h>

struct run;

/* Has service @svc written {"ev":"ready"} to its events file yet? */
bool svc_said_ready(const struct run *r, int svc);
/* Was the last state change in @svc's events file (fl-lb's) to master? */
bool svc_said_master(const struct run *r, int svc);

#endif
