#!/usr/bin/env bash
# A guest kernel that panics during boot (its command line names an init that does not
# exist) fails the run at once - not after the boot timeout - with the panic line and
# the console tail in the error, and leaves no QEMU behind.
# runner: weight 2
#   a TCG guest keeps a CPU busy while it boots
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
need_guest_image

f=$(scn guest-panic <<'S'
scenario guest-panic
duration 2s
network lan 198.18.0.0/24
node g1 qemu on lan append "rdinit=/no/such/init"
S
)
start=$(date +%s)
rc=0
faultline run --run-dir "$FL_WORK/runs-bootfail" "$f" >"$FL_WORK/out" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
cat "$FL_WORK/out"
[ $rc = 3 ] || fail "exit status $rc, wanted 3 (the host cannot run it)"
grep -q 'node g1: guest did not boot' "$FL_WORK/out" || fail "no boot failure message"
grep -q 'Kernel panic' "$FL_WORK/out" || fail "panic line not in the error"
[ $secs -lt 30 ] || fail "took $secs s: the panic was not noticed before the timeout"
echo "ok: boot failure reported after $secs s"
