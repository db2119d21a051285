package io.trellis.netlink;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the replies to one request, message by message, and says when the exchange is complete:
 * at the ACK (NLMSG_ERROR with error 0) of a plain request, at NLMSG_DONE of a dump. A negative error
 * becomes a {@link NetlinkException} naming the request. Pure: no I/O, so the protocol logic is unit-tested.
 */
public final class ReplyCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyCollector.class);

    private final NetlinkRequest request;
    private final int seq;
    private final IntFunction<String> strerror;
    private final List<NetlinkMessage> replies = new ArrayList<>();
    private boolean interrupted;
    private boolean complete;

    /** @param strerror errno to its text (libc strerror) */
    public ReplyCollector(NetlinkRequest request, int seq, IntFunction<String> strerror) {
        this.request = request;
        this.seq = seq;
        this.strerror = strerror;
    }

    /** Takes one received message; returns true once the exchange is complete. */
    public boolean accept(NetlinkMessage m) {
        if (complete) {
            throw new IllegalStateException(request.description() + ": message after the exchange completed: " + m);
        }
        if (m.seq() != seq) {
            // A late reply to an earlier request that timed out: it belongs to no one now.
            LOG.debug("{}: ignoring message with seq {} (expected {}): {}", request.description(), m.seq(), seq, m);
            return false;
        }
        if ((m.flags() & Netlink.NLM_F_DUMP_INTR) != 0) {
            interrupted = true;
        }
        switch (m.type()) {
            case Netlink.NLMSG_NOOP -> {
                return false;
            }
            case Netlink.NLMSG_ERROR -> {
                NetlinkError e = NetlinkError.decode(m);
                if (!e.isAck()) {
                    throw new NetlinkException(request.description(), e.errno(), strerror.apply(e.errno()), e.message());
                }
                complete = true;
            }
            case Netlink.NLMSG_DONE -> {
                // A dump that failed part-way reports the error in the DONE payload (int).
                if (m.payloadLength() >= 4 && m.payloadBuffer().getInt(0) < 0) {
                    int errno = -m.payloadBuffer().getInt(0);
                    throw new NetlinkException(request.description(), errno, strerror.apply(errno),
                            Optional.empty());
                }
                complete = true;
            }
            case Netlink.NLMSG_OVERRUN -> throw new NetlinkException(request.description(),
                    Errno.ENOBUFS.number(), "netlink overrun, data lost", Optional.empty());
            default -> {
                replies.add(m);
                // A reply to a request without NLM_F_ACK that is not part of a dump ends the exchange.
                complete = !request.isDump() && (request.flags() & Netlink.NLM_F_ACK) == 0
                        && !m.hasFlag(Netlink.NLM_F_MULTI);
            }
        }
        return complete;
    }

    public List<NetlinkMessage> replies() {
        return List.copyOf(replies);
    }

    /** True when the kernel flagged the dump as inconsistent (NLM_F_DUMP_INTR): it should be retried. */
    public boolean interrupted() {
        return interrupted;
    }

    public boolean complete() {
        return complete;
    }
}
