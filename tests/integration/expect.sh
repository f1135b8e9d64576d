#!/bin/bash
# Runs one command (drfm_hpc, usually under mpiexec) and checks what a user sees.
#
#   expect.sh [checks...] -- COMMAND [ARGS...]
#
#   --exit N           the exit status must be N (default 0)
#   --error REGEX      the program's error must be printed exactly once, match REGEX (grep -E),
#                      and come from the collective path: one 'drfm_hpc: error:' line on stderr,
#                      no '[rank r]' prefix, no MPI_ABORT
#   --stdout REGEX     some line of stdout matches REGEX
#   --stdout-once REGEX  exactly one line of stdout matches REGEX (not once per rank)
#   --fresh PATH       remove PATH before running (a stale file from an earlier test run must not
#                      pass for this run's output)
#   --absent PATH      PATH does not exist afterwards
#   --not-complete PATH  PATH does not exist afterwards, or is a results file that does not look
#                      complete (check_results.py incomplete)
#   --unchanged PATH   PATH exists and has the same content and mtime afterwards
#
# Prints the command, its status and its output when a check fails; exits 1 then.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

expected_exit=0
errors=() stdout_any=() stdout_once=() fresh=() absent=() not_complete=() unchanged=()
while [[ $# -gt 0 && $1 != -- ]]; do
    [[ $# -ge 2 ]] || { echo "expect.sh: $1 needs a value" >&2; exit 2; }
    case $1 in
        --exit) expected_exit=$2 ;;
        --error) errors+=("$2") ;;
        --stdout) stdout_any+=("$2") ;;
        --stdout-once) stdout_once+=("$2") ;;
        --fresh) fresh+=("$2") ;;
        --absent) absent+=("$2") ;;
        --not-complete) not_complete+=("$2") ;;
        --unchanged) unchanged+=("$2") ;;
        *) echo "expect.sh: unknown check '$1'" >&2; exit 2 ;;
    esac
    shift 2
done
[[ ${1:-} == -- && $# -ge 2 ]] || { echo "usage: expect.sh [checks...] -- COMMAND..." >&2; exit 2; }
shift

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=()
fail() { failures+=("$1"); }

fingerprint() { stat -c '%s %Y' "$1" && sha256sum < "$1"; }

for path in "${fresh[@]}"; do rm -rf -- "$path"; done
for path in "${unchanged[@]}"; do
    [[ -f $path ]] || { echo "expect.sh: --unchanged '$path' does not exist before the run" >&2; exit 1; }
done
before=()
for path in "${unchanged[@]}"; do before+=("$(fingerprint "$path")"); done

# stdin from /dev/null: mpiexec would otherwise forward (and wait on) the test's stdin.
"$@" < /dev/null > "$work/stdout" 2> "$work/stderr"
status=$?

count() { grep -cE -- "$1" "$2"; }

[[ $status -eq $expected_exit ]] || fail "exit status $status, expected $expected_exit"
for regex in "${errors[@]}"; do
    n=$(count "drfm_hpc: (internal )?error" "$work/stderr")
    [[ $n -eq 1 ]] || fail "$n 'drfm_hpc: error' lines on stderr, expected exactly one"
    n=$(count "$regex" "$work/stderr")
    [[ $n -eq 1 ]] || fail "stderr matches /$regex/ $n times, expected exactly once"
    ! grep -q -- "^\[rank [0-9]*\] drfm_hpc" "$work/stderr" || fail "error printed by a single rank ([rank r]): not collective"
    ! grep -q "MPI_ABORT was invoked" "$work/stderr" || fail "the job ended with MPI_Abort"
done
if [[ $expected_exit -eq 0 ]] && grep -q "drfm_hpc: .*error" "$work/stderr"; then
    fail "an error message on stderr, but the run should succeed"
fi
for regex in "${stdout_any[@]}"; do
    grep -qE -- "$regex" "$work/stdout" || fail "no line of stdout matches /$regex/"
done
for regex in "${stdout_once[@]}"; do
    n=$(count "$regex" "$work/stdout")
    [[ $n -eq 1 ]] || fail "stdout matches /$regex/ $n times, expected exactly once"
done
for path in "${absent[@]}"; do
    [[ ! -e $path ]] || fail "'$path' exists, but it should not have been written"
done
for path in "${not_complete[@]}"; do
    if [[ -e $path ]] && ! report=$(/usr/bin/python3 "$here/check_results.py" incomplete "$path" 2>&1); then
        fail "'$path' looks complete: $report"
    fi
done
for i in "${!unchanged[@]}"; do
    path=${unchanged[$i]}
    [[ -f $path && "$(fingerprint "$path")" == "${before[$i]}" ]] || fail "'$path' was modified or removed"
done

if [[ ${#failures[@]} -gt 0 ]]; then
    echo "FAILED: $*"
    printf '  - %s\n' "${failures[@]}"
    echo "--- stdout (last 40 lines)"; tail -n 40 "$work/stdout"
    echo "--- stderr"; cat "$work/stderr"
    exit 1
fi
echo "ok (exit $status): $*"
