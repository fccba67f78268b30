#!/usr/bin/env bash
# loss 30% on b.lan: 1000 pings at 5 ms from a to b, every one inside the fault (one
# ping resolves ARP before the fault at 1 s, so neighbour discovery, which the fault
# would also hit, does not add to the count; the stream starts at 1.3 s). Each direction loses 30%,
# so a round trip is lost with 1 - 0.7^2 = 51%; 1000 samples have a standard deviation
# of 1.6%, the tolerance is +-6%.
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
source "$FL_TOP/tests/integration/lib.sh"
cat >"$FL_WORK/fault_loss.scn" <<'EOF'
scenario fault_loss
duration 9s
network lan 198.18.5.0/24
node a on lan
node b on lan
service a exec "busybox ping -c1 -W1 198.18.5.2 >/dev/null; busybox usleep 1300000; busybox ping -i 0.005 -c 1000 -W 1 198.18.5.2 | tail -2"
at 1s loss b.lan 30%
EOF
# loss 0% (below) runs at the same time, in a lab of its own
sed -e 's/^scenario fault_loss/scenario fault_loss_zero/' -e 's/^duration 9s/duration 4s/' \
	-e 's/-c 1000/-c 200/' -e 's/loss b.lan 30%/loss b.lan 0%/' \
	"$FL_WORK/fault_loss.scn" >"$FL_WORK/fault_loss_zero.scn"
{ faultline run -q --run-dir "$FL_WORK/runs0" "$FL_WORK/fault_loss_zero.scn"; echo $? >"$FL_WORK/zero.rc"; } &
faultline run -q --run-dir "$FL_WORK/runs" "$FL_WORK/fault_loss.scn" || fail "run exited $?"
wait
d="$FL_WORK/runs/latest"
cat "$d/a.exec.out"
rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$d/a.exec.out")
[ -n "$rx" ] || fail "no ping summary"
lost=$((1000 - rx))
echo "lost $lost of 1000 round trips (expected about 510)"
[ $lost -ge 450 ] && [ $lost -le 570 ] || fail "loss $lost/1000 outside 450..570"
grep -q '"ev":"apply".*"fault":"loss".*"percent":30' "$d/events.jsonl" || fail "no apply event"
grep -q '"ev":"revert".*"fault":"loss"' "$d/events.jsonl" || fail "no revert event"

# loss 0% drops nothing (below nft's 0.01% resolution the chain gets no rule at all;
# a rule without numgen would drop every frame)
[ "$(cat "$FL_WORK/zero.rc")" = 0 ] || fail "0%: run exited $(cat "$FL_WORK/zero.rc")"
rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$FL_WORK/runs0/latest/a.exec.out")
echo "loss 0%: $rx of 200 round trips came back"
[ -n "$rx" ] && [ "$rx" -ge 198 ] || fail "loss 0% dropped frames: ${rx:-no summary}/200 back"
echo pass
