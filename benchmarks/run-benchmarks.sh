#!/usr/bin/env bash
# Runs the JMH suite with short settings and prints the ours / baseline ratio table (the README numbers).
#
#   benchmarks/run-benchmarks.sh                       # everything, with the benchmarks' own settings:
#                                                      # -wi 5 -w 1s -i 5 -r 1s -f 2, ~8 min
#   benchmarks/run-benchmarks.sh L1HitBenchmark        # one benchmark (a JMH regex)
#   benchmarks/run-benchmarks.sh -f 1 -wi 3            # any JMH option overrides them (this: ~3.5 min)
#   SKIP_BUILD=1 benchmarks/run-benchmarks.sh          # reuse benchmarks/target/benchmarks.jar
#   PIN_CPU=none benchmarks/run-benchmarks.sh          # do not pin (see below)
#
# Pinning: where `taskset` exists the whole run — JMH, its forks, the in-process MongoDB and the redis-server
# children, which inherit the affinity — is pinned to one CPU (PIN_CPU, default 0). On a small VM a loopback
# round trip costs ~35 us when both ends share a CPU and ~70-110 us when a wake-up has to cross CPUs, and the
# scheduler's choice changes from fork to fork; unpinned, that lottery is larger than the differences measured
# (it even made ours look faster than a baseline doing strictly less). Pinned, each variant's time is its CPU
# work plus same-CPU switches, reproducibly. The price: Redis' own work (e.g. an asynchronous install) is
# serialised with the client's instead of overlapping with it, which weighs on the paths that use Redis.
#
# Results: benchmarks/target/jmh-result.json (raw JMH) and benchmarks/target/jmh-result.md (the tables).
# Needs a JDK 17+ and Maven; redis-server on the PATH for the L2, miss (L1+L2) and write benchmarks.
# The machine should be otherwise idle: the in-process MongoDB, Redis and the client share its cores.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  echo "Building (mvn -B -q install -DskipTests) ..."
  (cd "$root" && mvn -B -q install -DskipTests)
fi
if [[ ! -f "$jar" ]]; then
  echo "missing $jar: build with 'mvn -B -q install -DskipTests' first" >&2
  exit 1
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "warning: no redis-server on the PATH; benchmarks that need Redis will fail" >&2
fi

result=(-rff "$here/target/jmh-result.json")
for arg in "$@"; do
  if [[ "$arg" == "-rff" ]]; then result=(); fi
done

pin=()
note="not pinned"
if [[ "${PIN_CPU:-0}" != "none" ]] && command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "${PIN_CPU:-0}")
  note="pinned to CPU ${PIN_CPU:-0} with taskset (PIN_CPU=none to not pin)"
fi
echo "Running JMH, $note; load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

cd "$here/target"
exec "${pin[@]}" java -Dmongocache.bench.note="$note" -cp "$jar" io.mongocache.benchmarks.RunBenchmarks \
  "${result[@]}" "$@"
