package org.mailcert.controller.bindings;

import org.mailcert.controller.model.Binding;

/** A written binding and whether it replaced one for the same host, scope and domain. */
public record BindResult(Binding binding, boolean replaced) {
}
