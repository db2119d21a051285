#!/usr/bin/env bash
# ./trellis bench overlay-throughput [--backend ovs|iptables|both] [--seconds S] [--runs R] [--recipe FILE]
# iperf3 (one TCP stream, S seconds) between two pods on different nodes, through Trellis (a 2-node
# `./trellis lab --backend B` in its own lab directory, pods pinned to node-1 and node-2) for each backend
# (default both), each next to a hand-made data path of its kind: for ovs the minimal pipeline of
# ../shared/recipes/ovs-two-node-lab.sh (run as it is, with its own LAB_ROOT), for iptables two netns
# nodes with a Linux bridge and kernel VXLAN made with `ip`. All are up together and the runs alternate
# over them R times; CPU is sampled around every run. Everything is torn down afterwards, also on
# failure or Ctrl-C. Writes docs/benchmarks.md; the last lines printed, one per backend, read
#   overlay-throughput backend=B seconds=S runs=R trellis_mbps=X ... baseline=NAME baseline_mbps=Y ... ratio=X/Y ...
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mvn -B -q -ntp -DskipTests install -pl bench,lab -am >&2
exec java -Xmx256m -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.trellis.bench.OverlayThroughputBench --report docs/benchmarks.md "$@"
