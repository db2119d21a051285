#!/usr/bin/env bash
# bench/policy-computation.sh [--namespaces N] [--nodes M]
# The controller's NetworkPolicy computation from scratch, in-process: N namespaces (default 25,000) with
# 4 pods and 3 policies each (Antrea's BenchmarkInitXLargeScaleWithSmallNamespaces shape), M nodes
# (default 1,000); wall and CPU time, peak and retained heap, pod label change cost.
# Writes docs/benchmarks.md; the last line printed reads
#   policy-computation namespaces=N pods=.. policies=.. total_ms=.. cpu_ms=.. peak_heap_mib=.. retained_heap_mib=..
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mvn -B -q -ntp -DskipTests install -pl bench -am >&2
exec java -Xmx4g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.trellis.bench.PolicyComputationBench --report docs/benchmarks.md "$@"
