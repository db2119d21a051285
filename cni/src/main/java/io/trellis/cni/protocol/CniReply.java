package io.trellis.cni.protocol;

import static java.util.Objects.requireNonNull;

import io.trellis.cni.model.CniResult;
import io.trellis.cni.spec.CniError;
import java.util.Optional;

/** The agent's answer to one {@link CniRequest}. */
public sealed interface CniReply {
    /** The request succeeded; ADD carries its result, other commands none. */
    record Success(Optional<CniResult> result) implements CniReply {
        public Success {
            requireNonNull(result, "result");
        }
    }

    /** The request failed with a CNI error the executable passes on to the runtime. */
    record Failure(CniError error) implements CniReply {
        public Failure {
            requireNonNull(error, "error");
        }
    }

    static CniReply success() {
        return new Success(Optional.empty());
    }

    static CniReply success(CniResult result) {
        return new Success(Optional.of(result));
    }

    static CniReply failure(CniError error) {
        return new Failure(error);
    }
}
