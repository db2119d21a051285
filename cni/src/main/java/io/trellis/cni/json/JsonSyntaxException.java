package io.trellis.cni.json;

/** Text that is not JSON (RFC 8259), with the 1-based line and column where reading stopped. */
public final class JsonSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    public JsonSyntaxException(String message, int line, int column) {
        super(message + " at line " + line + ", column " + column);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
