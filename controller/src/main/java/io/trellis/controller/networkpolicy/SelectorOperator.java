package io.trellis.controller.networkpolicy;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The operators of a label selector's {@code matchExpressions}, spelled as in the Kubernetes API. */
public enum SelectorOperator {
    IN("In"),
    NOT_IN("NotIn"),
    EXISTS("Exists"),
    DOES_NOT_EXIST("DoesNotExist");

    /** "In, NotIn, Exists, DoesNotExist", for error messages. */
    public static final String ALL = Arrays.stream(values()).map(SelectorOperator::apiName)
            .collect(Collectors.joining(", "));

    private final String apiName;

    SelectorOperator(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    /** Whether the operator takes a non-empty value list (In, NotIn) or none (Exists, DoesNotExist). */
    public boolean takesValues() {
        return this == IN || this == NOT_IN;
    }

    /** The operator with this exact API spelling (case-sensitive, as the API server is). */
    public static Optional<SelectorOperator> fromApiName(String name) {
        return Arrays.stream(values()).filter(o -> o.apiName.equals(name)).findFirst();
    }
}
