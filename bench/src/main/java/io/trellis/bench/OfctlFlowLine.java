package io.trellis.bench;

import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.text.FlowText;

/** A flow-mod written as an {@code ovs-ofctl add-flows} line. */
final class OfctlFlowLine {
    private OfctlFlowLine() {
    }

    static String of(FlowMod flow) {
        String match = FlowText.match(flow.match());
        return "table=" + flow.tableId() + ",priority=" + flow.priority() + ",cookie=0x" + Long.toHexString(flow.cookie())
                + (match.isEmpty() ? "" : "," + match) + ",actions=" + FlowText.instructions(flow.instructions());
    }
}
