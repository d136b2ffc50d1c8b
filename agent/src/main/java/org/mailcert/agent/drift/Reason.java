package org.mailcert.agent.drift;

/**
 * Why what a host serves or has configured differs from what is desired. Each constant is the
 * reason of one named check ({@link DriftChecks}); its {@link #label} is what agents report and
 * admins read (cert-manager's style: {@code FileMissing}, not {@code FILE_MISSING}).
 */
public enum Reason {
    /** A file the binding needs is not there. */
    FILE_MISSING("FileMissing", true),
    /** A file holds other content than the agent wrote. */
    FILE_CHANGED("FileChanged", true),
    /** A key file can be read by others than its owner. */
    KEY_PERMISSIONS_WRONG("KeyPermissionsWrong", true),
    /** A managed configuration line or include was changed or removed. */
    CONFIG_EDITED("ConfigEdited", true),
    /** A live handshake returned a leaf other than the desired one. */
    SERVED_MISMATCH("ServedMismatch", true),
    /** The desired certificate expires soon. */
    EXPIRING("Expiring", false),
    /** The desired or served certificate has expired. */
    EXPIRED("Expired", false),
    /** The desired certificate's chain does not verify. */
    UNTRUSTED("Untrusted", false),
    /** The certificate served for a name does not cover that name. */
    NAME_MISMATCH("NameMismatch", false),
    /** The server-wide certificate is untrusted or expired, so per-domain ones cannot help. */
    SERVER_CERTIFICATE_INVALID("ServerCertificateInvalid", false),
    /** The server cannot serve a per-domain certificate (qmail, Courier without SNI). */
    UNSUPPORTED_ON_THIS_SERVER("UnsupportedOnThisServer", false),
    /** A mail domain of the host has no binding and the served certificate does not cover mail.domain. */
    DOMAIN_UNCOVERED("DomainUncovered", false);

    private final String label;
    private final boolean repairable;

    Reason(String label, boolean repairable) {
        this.label = label;
        this.repairable = repairable;
    }

    /** The name agents report and admins read. */
    public String label() {
        return label;
    }

    /**
     * Whether installing the desired state again repairs it (in {@code enforce} mode); the others
     * need a new certificate or an admin's decision.
     */
    public boolean repairable() {
        return repairable;
    }
}
