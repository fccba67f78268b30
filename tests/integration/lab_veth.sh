# The lab's veth pairs have one tx and one rx queue (net_link.c asks for it: the
# default, one of each per possible CPU, doubled the cost of a pair), and a node's
# interface still carries traffic both ways across the bridge with that.
. "$FL_TOP/tests/integration/lib.sh"
command -v ip >/dev/null || skip "ip (iproute2) not installed"
command -v busybox >/dev/null || skip "busybox not installed"
f=$(scn lab_veth <<EOF
scenario lab-veth
duration 2s
network lan 198.18.0.0/24
node a on lan=198.18.0.10
node b on lan=198.18.0.20
service a exec "ip -d link show lan" name queues
service b exec "sleep 0.3; busybox ping -c 2 -W 1 198.18.0.10" name ping
EOF
)
out=$(faultline run --run-dir "$FL_WORK/runs" "$f") || fail "faultline run exited $?: $out"
d="$FL_WORK/runs/latest"
grep -q 'numtxqueues 1 numrxqueues 1 ' "$d/a.queues.out" ||
	fail "node a's lan should have 1 tx and 1 rx queue: $(cat "$d/a.queues.out")"
grep -q '2 packets received' "$d/b.ping.out" || fail "b could not ping a: $(cat "$d/b.ping.out")"
echo "ok: one queue each way, traffic passes"
