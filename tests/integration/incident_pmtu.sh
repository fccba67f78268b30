# Incident 2019-07, phase 1: the MTU step stalls big responses (retransmissions on the
# wire), MSS clamping and TCP MTU probing each fix it. The scenarios state what they
# must do (expectations marked `fails`); scripts/demo tabulates the verdicts from --json.
# Also: the probing sysctls really took effect inside the node, and not on the host.
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
host_before=$(cat /proc/sys/net/ipv4/tcp_mtu_probing /proc/sys/net/ipv4/tcp_base_mss /proc/sys/net/ipv4/tcp_retries1)
"$FL_TOP/scripts/demo" --jobs 3 --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/1-pmtu-*.scn
rc=$?
[ $rc = 0 ] || exit $rc
host_after=$(cat /proc/sys/net/ipv4/tcp_mtu_probing /proc/sys/net/ipv4/tcp_base_mss /proc/sys/net/ipv4/tcp_retries1)
[ "$host_before" = "$host_after" ] || fail "host sysctls changed: '$host_before' -> '$host_after'"
run=$(jq -r 'if type == "array" then .[] else . end | select(.scenario == "pmtu-mitigated-probing") | .run_dir' "$FL_WORK"/out/*.json)
for n in lb1 browser bulk; do
	got=$(tr '\n' ' ' <"$run/$n.plpmtud.out" 2>/dev/null)
	[ "$got" = "2 1024 1 " ] || fail "$n: tcp_mtu_probing, tcp_base_mss, tcp_retries1 in the node read '$got', wanted '2 1024 1'"
done
echo "ok: phase 1 as expected; probing sysctls 2/1024/1 in the nodes, host unchanged ($host_after)" | tr '\n' ' '
echo
