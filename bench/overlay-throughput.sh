#!/usr/bin/env bash
# ./trellis bench overlay-throughput [--seconds S] [--runs R]
# iperf3 (one TCP stream, S seconds) between two pods on different nodes, through Trellis (a 2-node
# `./trellis lab` in its own lab directory: agents, Geneve overlay, pods pinned to node-1 and node-2)
# and through the minimal hand-written pipeline of ../shared/recipes/ovs-two-node-lab.sh (run as it
# is, with its own LAB_ROOT), on the same machine, the two alternating R times. Both are torn down
# afterwards, also on failure. Writes docs/benchmarks.md; the last line printed reads
#   overlay-throughput seconds=S runs=R ours_mbps=X minimal_mbps=Y ratio=X/Y
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mvn -B -q -ntp -DskipTests install -pl bench,lab -am >&2
exec java -Xmx256m -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.trellis.bench.OverlayThroughputBench --report docs/benchmarks.md "$@"
