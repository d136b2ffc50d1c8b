package org.mailcert.agent.target;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mailcert.agent.AgentException;

/**
 * A target could not apply the desired set; it has restored its previous state (unless {@link
 * #restored()} says otherwise). Carries the target's name and, where a failure belongs to
 * particular bindings, one message per binding id.
 */
public final class TargetException extends AgentException {
    private static final long serialVersionUID = 1L;

    private final String target;
    private final String detail;
    private final Map<String, String> bindingErrors;
    private final boolean restored;

    /** A failure of the whole target, previous state restored. */
    public TargetException(String target, String message) {
        this(target, message, Map.of(), true, null);
    }

    /** A failure with per-binding messages, previous state restored. */
    public TargetException(String target, String message, Map<String, String> bindingErrors) {
        this(target, message, bindingErrors, true, null);
    }

    /**
     * Creates the exception.
     *
     * @param target the target's name
     * @param message one line: what failed
     * @param bindingErrors binding id to message, for the bindings the failure belongs to
     * @param restored whether the target's previous state is back in place
     * @param cause the foreign error translated, or null
     */
    public TargetException(String target, String message, Map<String, String> bindingErrors, boolean restored,
            Throwable cause) {
        super(target + ": " + message, cause);
        this.target = target;
        this.detail = message;
        this.bindingErrors = Map.copyOf(new LinkedHashMap<>(bindingErrors));
        this.restored = restored;
    }

    /** The target that failed. */
    public String target() {
        return target;
    }

    /** The message without the target's name in front. */
    public String detail() {
        return detail;
    }

    /** Binding id to message, for the bindings the failure belongs to; may be empty. */
    public Map<String, String> bindingErrors() {
        return bindingErrors;
    }

    /** Whether the target's previous state is back in place. */
    public boolean restored() {
        return restored;
    }
}
