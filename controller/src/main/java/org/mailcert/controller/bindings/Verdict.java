package org.mailcert.controller.bindings;

import java.util.List;
import org.mailcert.controller.ControllerException;

/** Every finding of the binding rules for one binding. */
public record Verdict(List<Finding> findings) {
    public Verdict {
        findings = List.copyOf(findings);
    }

    /** Messages of findings that only warn, in rule order. */
    public List<String> warnings() {
        return findings.stream().filter(f -> !f.refuses()).map(Finding::message).toList();
    }

    /** Throws the first refusal, if any, as an INVALID error. */
    public void requireAccepted() throws ControllerException {
        for (Finding f : findings) {
            if (f.refuses()) {
                throw ControllerException.invalid(f.message());
            }
        }
    }
}
