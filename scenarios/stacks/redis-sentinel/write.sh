#!/bin/sh
# write.sh SENTINEL: one write of the stacks' redis-sentinel scenarios, made as a
# Sentinel-aware client makes it: to the primary it last heard of, RPUSH this probe's
# number ($FL_PROBE_SEQ, given by fl-probe) onto the list "writes"; on an error, ask
# the Sentinel at SENTINEL:26379 which address is the primary, for the next write.
# The address is kept in $FL_RUN_DIR/client-primary (renamed into place: probes run
# side by side), so a write normally costs one redis-cli.
#
# The write is acknowledged when Redis answered with the list's new length: redis-cli
# -e exits 1 on an error reply (READONLY from a demoted primary, NOREPLICAS from one
# that min-replicas-to-write stops), and so does this script, so the probe's outcome
# is the write's. An acknowledged write appends "SEQ PRIMARY" to $FL_RUN_DIR/acked
# (one short O_APPEND write a line: concurrent probes never tear one), which
# lost-writes.sh compares with what the primary holds at the end.
set -u
c=$FL_RUN_DIR/client-primary
sentinel=$1
ask() { # the reply is the address and the port, one a line: the address is word 1
	set -- $(redis-cli -h "$sentinel" -p 26379 SENTINEL get-master-addr-by-name mymaster)
	[ -n "${1:-}" ] && echo "$1" >"$c.$$" && mv -f "$c.$$" "$c"
	p=${1:-}
}
p=
[ -r "$c" ] && read -r p <"$c"
[ -n "$p" ] || ask
[ -n "$p" ] || exit 2
if redis-cli -e -h "$p" RPUSH writes "$FL_PROBE_SEQ" >/dev/null; then
	echo "$FL_PROBE_SEQ $p" >>"$FL_RUN_DIR/acked"
	exit 0
fi
ask # for the next write
exit 1
