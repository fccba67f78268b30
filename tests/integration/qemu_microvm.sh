#!/usr/bin/env bash
# A guest on QEMU's microvm machine (`machine microvm`: virtio-mmio NIC and agent port
# enumerated by ACPI, PIT/PIC/RTC on): it boots, fl-web in it serves a netns client,
# its guest-ready event says machine microvm, the RTC fl-lb's outside clock reads is
# there, and under TCG the kernel was handed the TSC rate (tsc_early_khz=), the one
# thing that keeps its boot from stopping at the PIT calibration. The run directory's
# path is longer than a unix socket's 107 bytes, as a nested explore or shrink
# directory can be: QEMU's QMP and agent sockets go through the directory
# (common/sockpath.h).
# runner: weight 2
# (one guest booted under TCG takes most of a CPU for ~3 s)
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
qemu-system-x86_64 -machine help 2>/dev/null | grep -q '^microvm ' ||
	skip "this QEMU has no microvm machine"
need_guest_image

f=$(scn guest-microvm <<'S'
scenario guest-microvm
duration 4s
network lan 198.18.0.0/24
node g1 qemu on lan=198.18.0.10 machine microvm
node client on lan=198.18.0.20
service g1 web
service g1 exec "cat /sys/class/rtc/rtc0/since_epoch; sleep 30" name rtc
service client load http://198.18.0.10/ rate 20/s timeout 1s
expect requests >= 40
expect errors == 0
S
)
d="$FL_WORK/runs/$(printf 'nested%.0s' $(seq 1 16))"
faultline run --run-dir "$d" "$f" >"$FL_WORK/run.out" 2>&1
rc=$?
cat "$FL_WORK/run.out"
[ $rc = 0 ] || fail "faultline run exited $rc"
run=$(ls -d "$d"/*/ | head -1)
[ "${#run}" -gt 110 ] || fail "run directory $run: not longer than a socket path"
ev="$d/latest/events.jsonl"
ready=$(grep '"src":"g1","ev":"guest-ready"' "$ev") || fail "no guest-ready event of g1"
echo "$ready"
echo "$ready" | grep -q '"machine":"microvm"' || fail "guest-ready does not say machine microvm"
if echo "$ready" | grep -q '"accel":"tcg"'; then
	echo "$ready" | grep -q 'tsc_early_khz=[1-9]' || fail "no tsc_early_khz= on a TCG microvm"
fi
grep -rqs '^[0-9]\{9,\}$' "$d/latest"/g1.rtc.* ||
	fail "the guest's /sys/class/rtc/rtc0/since_epoch gave no time: $(cat "$d/latest"/g1.rtc.* 2>&1)"
echo "ok: microvm guest booted and served"
