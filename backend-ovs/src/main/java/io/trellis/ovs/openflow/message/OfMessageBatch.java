package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Several messages written as one outbound unit (see {@link OfMessageEncoder}). */
public record OfMessageBatch(List<OfMessage> messages) {
    public OfMessageBatch {
        messages = List.copyOf(requireNonNull(messages, "messages"));
    }
}
