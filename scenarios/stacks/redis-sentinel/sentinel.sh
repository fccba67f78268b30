#!/bin/sh
# sentinel.sh SELF PRIMARY REPLICA PEER...: one Redis Sentinel of the stacks'
# redis-sentinel scenarios, listening on SELF:26379, watching PRIMARY:6379 as
# "mymaster" with quorum 2.
#
# Sentinel rewrites its configuration file as it learns (epochs, replicas, peers), so
# the file must be writable and new each run: it is written into the run directory
# ($FL_RUN_DIR/sentinel-SELF/). It names the replica and the other Sentinels
# (known-replica, known-sentinel, a fixed myid derived from the address), as a
# deployed Sentinel's rewritten file does, so the three agree from their first second
# instead of discovering each other over a few hello rounds.
#
# Timings are short so that a run lasts seconds: down after 1 s of silence, a failover
# given 3 s. Two more are shortened at run time with SENTINEL DEBUG, which only Sentinel
# itself can set: INFO to every instance each second (default 10 s) and hello every
# 500 ms (default 2 s), which also makes Sentinel wait 2 s (four hello periods) instead
# of 8 s before it turns a returning old primary into a replica. What Sentinel decides,
# and in which order, is unchanged.
set -eu
self=$1 primary=$2 replica=$3
shift 3
id() { printf %s "$1" | sha1sum | cut -c1-40; }
dir=$FL_RUN_DIR/sentinel-$self
mkdir -p "$dir"
{
	echo "port 26379"
	echo "bind $self"
	echo "protected-mode no"
	echo "daemonize no"
	echo "dir $dir"
	echo "sentinel myid $(id "$self")"
	echo "sentinel monitor mymaster $primary 6379 2"
	echo "sentinel down-after-milliseconds mymaster 1000"
	echo "sentinel failover-timeout mymaster 3000"
	echo "sentinel known-replica mymaster $replica 6379"
	for peer in "$@"; do
		echo "sentinel known-sentinel mymaster $peer 26379 $(id "$peer")"
	done
} >"$dir/sentinel.conf"
# The timings once the Sentinel answers, from a subshell that then ends, while the
# service's process becomes the Sentinel itself (so stopping the service stops it).
(
	i=0
	until redis-cli -h "$self" -p 26379 SENTINEL DEBUG info-period 1000 \
		publish-period 500 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "sentinel.sh: Sentinel did not answer" >&2; exit 1; }
		sleep 0.05
	done
) &
exec redis-sentinel "$dir/sentinel.conf"
