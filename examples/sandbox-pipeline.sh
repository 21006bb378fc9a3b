#!/usr/bin/env bash
# The whole pipeline rehearsed against `batchprep sandbox` (README, "Rehearse locally"):
# validate -> prepare -> finpro submit every part -> pack -> filex upload -> wait for the
# verdict -> download the feedback. The sandbox runs with faults (every 2nd request of each API
# answers 429 with Retry-After: 1, and files named *.bad.zip are REJECTED) so the retries and
# the rejection path are rehearsed too. CI runs this script (test/sandbox/example-script.test.ts).
#
# Usage: examples/sandbox-pipeline.sh [consents.csv]    (BATCHPREP overrides the command)
set -euo pipefail

input=${1:-examples/consents.csv}
read -r -a bp <<<"${BATCHPREP:-batchprep}"
work=$(mktemp -d)
sandbox_pid=

stop_sandbox() {
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" || true
  fi
  rm -rf "$work"
}
trap stop_sandbox EXIT

step() { printf '\n== %s\n' "$*"; }

# The rehearsal ignores your profiles (~/.config/batchprep/config): only the sandbox's settings apply.
unset BATCHPREP_CONFIG_FILE BATCHPREP_PROFILE
export XDG_CONFIG_HOME="$work/no-config"

step "start the sandbox (state in $work/sandbox)"
"${bp[@]}" sandbox --dir "$work/sandbox" --write-env "$work/sandbox.env" \
  --faults 'reject=*.bad.zip,429-every=2,retry-after=1' >/dev/null 2>"$work/sandbox.log" &
sandbox_pid=$!
# The environment file appears (whole) once the sandbox listens.
for _ in $(seq 1 300); do
  [ -f "$work/sandbox.env" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 2; }
  sleep 0.1
done
[ -f "$work/sandbox.env" ] || { echo "the sandbox did not start" >&2; exit 2; }
# shellcheck disable=SC1091
. "$work/sandbox.env"
echo "FinPro and fileX at $FILEX_BASE_URL"
target=0001/app1/in # the sandbox user's org, application and upload space

step "validate $input"
"${bp[@]}" validate "$input"

step "prepare: parts of at most 2 rows, reference IDs REHEARSAL-0001..."
"${bp[@]}" prepare "$input" --out-dir "$work/parts" --max-rows 2 --reference-id REHEARSAL

step "finpro submit every part (manifest mode)"
"${bp[@]}" finpro submit "$work/parts"

step "pack the parts into one fileX archive"
"${bp[@]}" pack "$work"/parts/*.csv --out-dir "$work/packs" --name CONSENTS

step "filex upload, then wait for FINRA's verdict (ACCEPTED exits 0)"
"${bp[@]}" filex upload "$work/packs/CONSENTS.zip" "$target" --wait --interval 1

step "a file the sandbox rejects: the verdict REJECTED exits 1"
cp "$work/packs/CONSENTS.zip" "$work/packs/CONSENTS.bad.zip"
set +e
"${bp[@]}" filex upload "$work/packs/CONSENTS.bad.zip" "$target" --wait --interval 1
verdict=$?
set -e
[ "$verdict" -eq 1 ] || { echo "expected exit 1 for REJECTED, got $verdict" >&2; exit 1; }

step "download the feedback files from out"
"${bp[@]}" filex download "${target%/in}/out" --all -o "$work/feedback/"
for f in "$work"/feedback/*; do
  printf '%s: %s\n' "$(basename "$f")" "$(cat "$f")"
done

step "what the sandbox injected (its log)"
kill "$sandbox_pid"
wait "$sandbox_pid"
sandbox_pid=
cat "$work/sandbox.log"

step "done: the rehearsal passed"
