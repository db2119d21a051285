#!/usr/bin/env bash
# ./trellis bench openflow-install [--flows N] [--rounds R]
# Installs N flows (a realistic mix: conjunction dimensions, conntrack, tunnel flows) into a
# sandboxed ovs-vswitchd (userspace datapath, own netns and run dir) through the Java OpenFlow
# client and through `ovs-ofctl --bundle add-flows FILE`, side by side in one run; each leg is
# timed until a barrier confirms. Writes docs/benchmarks.md; the last line printed reads
#   openflow-install flows=N java_fps=X ofctl_fps=Y ratio=X/Y
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mvn -B -q -ntp -DskipTests install -pl bench -am >&2
exec java -Xmx2g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.trellis.bench.OpenFlowInstallBench --report docs/benchmarks.md "$@"
