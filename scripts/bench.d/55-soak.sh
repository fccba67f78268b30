#!/usr/bin/env bash
# The fl-lb soak, long: scripts/soak-lb for SOAK_DURATION (default 30m), sampled every
# 10 s. Prints its summary as a section; exits 1 when the soak fails (the section then
# keeps its previous figures and says nothing new).
set -eu
d=${SOAK_DURATION:-30m}
out=$("$FL_TOP/scripts/soak-lb" --duration "$d" --every 10 --dir "$BENCH_WORK/soak") || {
	echo "$out" >&2
	exit 1
}
echo "## fl-lb soak"
echo
echo "\`scripts/soak-lb --duration $d\`: \`tests/data/soak/lb-soak.scn\`, an fl-lb pair in"
echo "\`ha safe\` at 100 requests/s while its three backends are killed, frozen and"
echo "blackholed in turn (each 2 s of every 10 s) and the master's VRRP on the private"
echo "link is cut for 1.5 s of every 15 s; the pair sampled every 10 s."
echo
echo '```'
echo "$out" | grep -v '^soak: ok'
echo '```'
