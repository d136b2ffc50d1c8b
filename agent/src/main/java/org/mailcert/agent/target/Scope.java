package org.mailcert.agent.target;

/** Where a binding's certificate is served. */
public enum Scope {
    /** Server-wide default of all mail services; served for the host FQDN. */
    SERVER,
    /** Per-domain (SNI) certificate for {@code mail.<domain>}. */
    MAIL,
    /** Certificate for {@code webmail.<domain>} on the host's web server. */
    WEBMAIL
}
