# A 3-node lab with a router: a TCP exchange across it really delivers the data, the
# network's MTU is really set inside the node, a node on two networks has both
# interfaces with their addresses, and the run directory holds what it should.
. "$FL_TOP/tests/integration/lib.sh"
command -v busybox >/dev/null || skip "busybox not installed"
token="fl-$$-$RANDOM$RANDOM"
f=$(scn lab_tcp <<EOF
scenario lab-tcp
duration 3s
network public  198.18.0.0/24
network private 198.18.1.0/24 mtu 1400
node client on public gateway 198.18.0.1
node router on public=198.18.0.1 private=198.18.1.1 forward
node server on private=198.18.1.10 gateway 198.18.1.1
service server exec "busybox nc -l -p 7000" name listen
service client exec "sleep 0.5; echo $token | busybox nc 198.18.1.10 7000" name send
service router exec "cat /sys/class/net/private/mtu /sys/class/net/public/mtu; ip -o -4 addr show" name facts
service client exec "ip -o link show" name links
EOF
)
out=$(faultline run --run-dir "$FL_WORK/runs" "$f") || fail "faultline run exited $?"
echo "$out"
d="$FL_WORK/runs/latest"
[ -L "$d" ] || fail "runs/latest is not a symlink"
for x in scenario.scn events.jsonl server.listen.out client.send.err router.facts.out; do
	[ -f "$d/$x" ] || fail "run directory lacks $x"
done
grep -qx "$token" "$d/server.listen.out" || fail "the data sent by client did not arrive at server"
[ "$(sed -n 1p "$d/router.facts.out")" = 1400 ] || fail "private MTU is not 1400: $(cat "$d/router.facts.out")"
[ "$(sed -n 2p "$d/router.facts.out")" = 1500 ] || fail "public MTU is not 1500"
grep -q 'public .*inet 198.18.0.1/24' "$d/router.facts.out" || fail "router lacks 198.18.0.1/24 on public"
grep -q 'private .*inet 198.18.1.1/24' "$d/router.facts.out" || fail "router lacks 198.18.1.1/24 on private"
# a node sees its own interfaces only: lo and its network, nothing of the host
n=$(grep -c . "$d/client.links.out")
[ "$n" = 2 ] || fail "client should see 2 links (lo, public), saw $n: $(cat "$d/client.links.out")"
# events: one start and one exit per service, every line a JSON object with t_ns and src
[ "$(grep -c '"ev":"start","svc"' "$d/events.jsonl")" = 4 ] || fail "expected 4 start events"
[ "$(grep -c '"ev":"exit"' "$d/events.jsonl")" = 4 ] || fail "expected 4 exit events"
if command -v jq >/dev/null; then
	jq -e 'has("t_ns") and has("src") and has("ev")' "$d/events.jsonl" >/dev/null ||
		fail "events.jsonl has a line that is not an event object"
fi
echo "ok: data crossed the router, MTU 1400 in the node, two networks on router"
