package io.trellis.ovs.testing;

/** An external command (ovs-vsctl, ovs-ofctl, ip, ...) exited with a non-zero status. */
public final class CommandFailedException extends RuntimeException {
    private final transient CommandResult result;

    public CommandFailedException(CommandResult result) {
        super("command failed (exit " + result.exitCode() + "): " + String.join(" ", result.argv())
                + "\nstderr: " + result.stderr().strip()
                + (result.stdout().isBlank() ? "" : "\nstdout: " + result.stdout().strip()));
        this.result = result;
    }

    public CommandResult result() {
        return result;
    }
}
