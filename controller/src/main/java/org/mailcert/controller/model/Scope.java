package org.mailcert.controller.model;

/** Where a binding's certificate is served. */
public enum Scope {
    /** Server-wide default of every mail service on the host; must cover the host FQDN. */
    SERVER,
    /** Per-domain (SNI) certificate for {@code mail.<domain>}. */
    MAIL,
    /** Certificate for {@code webmail.<domain>} on the host's web server. */
    WEBMAIL;

    /** The name a client connects to for this scope: the host FQDN, mail.d or webmail.d. */
    public String servedName(String hostFqdn, String domain) {
        return switch (this) {
            case SERVER -> hostFqdn;
            case MAIL -> "mail." + domain;
            case WEBMAIL -> "webmail." + domain;
        };
    }
}
