# Shared helpers for integration test scripts: source "$FL_TOP/tests/integration/lib.sh".
set -u
# The runner's stop and timeout(1) send SIGTERM: leave by exit, so that the test's EXIT
# trap (its namespaces, its processes) runs, once the command it waits for returns.
trap 'exit 143' TERM
skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
check() { # check "what" command...: run it, fail with "what" if it fails
	local what=$1; shift
	"$@" || fail "$what"
}
# A scenario file in the work dir from standard input: scn NAME <<EOF ... EOF
scn() { cat >"$FL_WORK/$1.scn"; echo "$FL_WORK/$1.scn"; }
# need_guest_image: skip the test unless the guest image (vm-images/build) is there.
# The build runs once per suite (FL_SUITE, the runner's work directory): nothing it
# reads changes between two tests, and each run of it costs 1-4 s (it relinks fl-*).
# Tests run side by side: the first one builds, under a lock, and the others wait for it.
need_guest_image() {
	local d=${FL_SUITE:-$FL_WORK}
	(
		flock 9
		if [ ! -f "$d/vm-image.rc" ]; then
			"$FL_TOP/vm-images/build" >"$d/vm-image.log" 2>&1
			echo $? >"$d/vm-image.rc"
		fi
	) 9>>"$d/vm-image.lock"
	[ "$(cat "$d/vm-image.rc")" = 0 ] || skip "guest image cannot be built: $(tail -1 "$d/vm-image.log")"
}
