#!/bin/sh
# lost-writes.sh SENTINEL OLD_PRIMARY: the `collect` checker of the stacks'
# redis-sentinel scenarios. Asks the Sentinel at SENTINEL:26379 which address is the
# primary now, reads the list "writes" there, and counts the acknowledged writes
# ($FL_RUN_DIR/acked, written by write.sh) whose number it does not hold: writes
# Redis said OK to and then lost. Prints what it saw, the count last (the metric).
#
# It first waits (up to 15 s) for the cluster to settle: OLD_PRIMARY a replica of
# the primary the Sentinel names, its link to it up. Then the old primary has
# thrown away what it held alone, and what the new primary holds is all there is.
# Unsettled, it says so and exits 1: the metric has no value, which no expectation
# passes. It prints OLD_PRIMARY's ROLE, so a run shows the demotion.
set -eu
i=0
while :; do
	p=$(redis-cli -h "$1" -p 26379 SENTINEL get-master-addr-by-name mymaster | head -n 1)
	role=$(redis-cli -h "$2" ROLE | head -n 4 | tr '\n' ' ')
	[ -n "$p" ] && [ "$role" = "slave $p 6379 connected " ] && break
	i=$((i + 1))
	if [ $i -ge 150 ]; then
		echo "lost-writes.sh: not settled: Sentinel at $1 names '$p', $2 is '$role'" >&2
		exit 1
	fi
	sleep 0.1
done
d=$FL_RUN_DIR
# The client still writes meanwhile: the acknowledged ones are read first, so every
# one counted was acknowledged before the primary's list is read.
touch "$d/acked"
cp "$d/acked" "$d/acked.then"
cut -d ' ' -f 1 "$d/acked.then" | sort -u >"$d/acked.seq"
redis-cli -e -h "$p" LRANGE writes 0 -1 | sort -u >"$d/held"
echo "primary $p"
echo "old-primary $2 role $role"
echo "acked $(wc -l <"$d/acked.seq")"
echo "held $(wc -l <"$d/held")"
for a in $(cut -d ' ' -f 2 "$d/acked.then" | sort -u); do
	echo "acked-by $a $(grep -c " $a\$" "$d/acked.then")"
done
echo "lost $(comm -23 "$d/acked.seq" "$d/held" | wc -l)"
