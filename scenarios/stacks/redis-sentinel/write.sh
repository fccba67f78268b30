#!/bin/sh
# write.sh SENTINEL: one write of the stacks' redis-sentinel scenarios, made as a
# Sentinel-aware client makes it: ask the Sentinel at SENTINEL:26379 which address is
# the primary, then RPUSH this probe's number ($FL_PROBE_SEQ, given by fl-probe) onto
# the list "writes" there.
#
# The write is acknowledged when Redis answered with the list's new length: redis-cli
# -e exits 1 on an error reply (READONLY from a demoted primary, NOREPLICAS from one
# that min-replicas-to-write stops), and this script exits with it, so the probe's
# outcome is the write's. An acknowledged write appends "SEQ PRIMARY" to
# $FL_RUN_DIR/acked (one short O_APPEND write per line: concurrent probes never tear
# one), which lost-writes.sh compares with what the primary holds at the end.
set -u
# The reply is the address and the port, one a line: the first word is the address.
set -- $(redis-cli -h "$1" -p 26379 SENTINEL get-master-addr-by-name mymaster)
p=${1:-}
[ -n "$p" ] || exit 2
redis-cli -e -h "$p" RPUSH writes "$FL_PROBE_SEQ" >/dev/null || exit 1
echo "$FL_PROBE_SEQ $p" >>"$FL_RUN_DIR/acked"
