# The step runner of scripts/ci.sh (sourced; tested by tests/integration/ciSteps.test.ts): `run <name> <command...>`
# runs one step and keeps its output; `finish` prints the failed steps and the closing totals line
# `ci: N passed, N failed` and returns non-zero when a step failed. Every step runs, whatever failed before it.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed_steps=()
extra_failures=0
step_number=0

# run <name> <command...>: one step, its output also kept in its own log.
run() {
  local name=$1
  shift
  step_number=$((step_number + 1))
  local log="$work/$(printf '%02d' "$step_number").log"
  printf '\n=== %s (%ss)\n' "$name" "$SECONDS"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    failed_steps+=("$name")
    printf '=== FAILED: %s (exit %s)\n' "$name" "$status"
    if [ "$(count_tests "$log" | cut -d' ' -f2)" -eq 0 ]; then
      extra_failures=$((extra_failures + 1))
    fi
  fi
  return 0
}

# count_tests <log...>: "<passed> <failed>" from jest ("Tests:       1 skipped, 93 passed, 94 total") and
# Playwright ("  10 passed (48.2s)", "  1 failed") summaries.
count_tests() {
  sed 's/\x1b\[[0-9;]*m//g' "$@" | awk '
    /^Tests:/ { for (i = 2; i <= NF; i++) { if ($(i) ~ /^passed,?$/) p += $(i - 1); if ($(i) ~ /^failed,?$/) f += $(i - 1) } }
    /^ +[0-9]+ passed \(/ { p += $1 }
    /^ +[0-9]+ failed$/ { f += $1 }
    END { printf "%d %d\n", p, f }'
}

# The closing lines; its status is the run's: non-zero when any step failed.
finish() {
  printf '\n=== done (%ss)\n' "$SECONDS"
  local passed failed
  read -r passed failed < <(count_tests "$work"/*.log)
  if [ ${#failed_steps[@]} -gt 0 ]; then
    printf 'ci: failed steps: %s\n' "$(IFS=';'; echo "${failed_steps[*]}")"
  fi
  echo "ci: $passed passed, $((failed + extra_failures)) failed"
  [ ${#failed_steps[@]} -eq 0 ]
}
