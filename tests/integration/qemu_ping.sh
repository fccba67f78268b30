#!/usr/bin/env bash
# A QEMU guest on a lab bridge next to a netns node: the guest boots to agent-ready,
# its interface is named after the network and carries its scenario address, and the
# netns node reaches it (busybox ping from the node's namespace).
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v busybox >/dev/null || skip "busybox not installed"
"$FL_TOP/vm-images/build" >"$FL_WORK/vm-image.log" 2>&1 ||
	skip "guest image cannot be built: $(tail -1 "$FL_WORK/vm-image.log")"

f=$(scn guest-ping <<'S'
scenario guest-ping
duration 4s
network lan 198.18.0.0/24
node g1 qemu on lan
node h1 on lan
service h1 exec "busybox ping -c 3 -W 2 198.18.0.1"
S
)
check "faultline run" faultline run --run-dir "$FL_WORK/runs-ping" "$f"
run="$FL_WORK/runs-ping/latest"
ready=$(grep '"ev":"guest-ready"' "$run/events.jsonl") || fail "no guest-ready event"
echo "$ready"
echo "$ready" | grep -q '"src":"g1"' || fail "guest-ready not from g1"
cat "$run/h1.exec.out"
grep -q '3 packets received' "$run/h1.exec.out" || fail "netns node did not reach the guest"
grep -q 'fl-init: ready' "$run/g1.console" || fail "no fl-init line on the console"
echo "ok: guest reached in $(sed -n 's/.*"boot_ms":\([0-9]*\).*/\1/p' <<<"$ready") ms"
