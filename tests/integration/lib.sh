# Shared helpers for integration test scripts: source "$FL_TOP/tests/integration/lib.sh".
set -u
skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
check() { # check "what" command...: run it, fail with "what" if it fails
	local what=$1; shift
	"$@" || fail "$what"
}
# A scenario file in the work dir from standard input: scn NAME <<EOF ... EOF
scn() { cat >"$FL_WORK/$1.scn"; echo "$FL_WORK/$1.scn"; }
