# The step runner of scripts/ci.sh (sourced; tested by tests/integration/ciSteps.test.ts): `run <name> <command...>`
# runs one step and keeps its output; `beside <name> <command...>` starts one in the background, beside the steps
# that follow, and `join <name>` waits for it and shows its output; `finish` joins what is left, prints the failed
# steps and the closing totals line `ci: N passed, N failed` and returns non-zero when a step failed. Every step runs,
# whatever failed before it.

work=$(mktemp -d)
# On an early exit, the steps still running beside stop before their logs' directory goes.
trap 'kill "${beside_pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
failed_steps=()
extra_failures=0
step_number=0
# The steps started by `beside` and not joined yet: name, process id and log, at the same index.
beside_names=()
beside_pids=()
beside_logs=()

# next_log: sets step_log to the log file of the next step (not in a subshell: it counts the steps).
next_log() {
  step_number=$((step_number + 1))
  step_log=$(printf '%s/%02d.log' "$work" "$step_number")
}

# record <name> <status> <log>: a failed step is listed, and counts one failure when its log counted none.
record() {
  local name=$1 status=$2 log=$3
  if [ "$status" -ne 0 ]; then
    failed_steps+=("$name")
    printf '=== FAILED: %s (exit %s)\n' "$name" "$status"
    if [ "$(count_tests "$log" | cut -d' ' -f2)" -eq 0 ]; then
      extra_failures=$((extra_failures + 1))
    fi
  fi
}

# run <name> <command...>: one step, its output also kept in its own log.
run() {
  local name=$1
  shift
  next_log
  local log=$step_log
  printf '\n=== %s (%ss)\n' "$name" "$SECONDS"
  "$@" 2>&1 | tee "$log"
  record "$name" "${PIPESTATUS[0]}" "$log"
  return 0
}

# beside <name> <command...>: starts a step in the background, for work that needs neither the steps that follow nor
# much CPU while they run (a download, a single-threaded linter beside single-threaded compilers). Its output is
# kept until `join <name>`.
beside() {
  local name=$1
  shift
  next_log
  local log=$step_log
  printf '\n=== %s: started beside the next steps (%ss)\n' "$name" "$SECONDS"
  "$@" >"$log" 2>&1 &
  beside_names+=("$name")
  beside_pids+=("$!")
  beside_logs+=("$log")
}

# join <name>: waits for the step `beside` started under that name, shows its output and records its result.
join() {
  local name=$1 i status
  for i in "${!beside_names[@]}"; do
    [ "${beside_names[$i]}" = "$name" ] || continue
    wait "${beside_pids[$i]}"
    status=$?
    printf '\n=== %s: joined (%ss)\n' "$name" "$SECONDS"
    cat "${beside_logs[$i]}"
    record "$name" "$status" "${beside_logs[$i]}"
    unset 'beside_names[i]' 'beside_pids[i]' 'beside_logs[i]'
    return 0
  done
  printf '=== FAILED: join %s: no such step was started\n' "$name"
  failed_steps+=("join $name")
  extra_failures=$((extra_failures + 1))
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
  local name
  for name in "${beside_names[@]}"; do
    join "$name"
  done
  printf '\n=== done (%ss)\n' "$SECONDS"
  local passed failed
  read -r passed failed < <(count_tests "$work"/*.log)
  if [ ${#failed_steps[@]} -gt 0 ]; then
    printf 'ci: failed steps: %s\n' "$(IFS=';'; echo "${failed_steps[*]}")"
  fi
  echo "ci: $passed passed, $((failed + extra_failures)) failed"
  [ ${#failed_steps[@]} -eq 0 ]
}
