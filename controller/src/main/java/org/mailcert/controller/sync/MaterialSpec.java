package org.mailcert.controller.sync;

/**
 * A certificate chain and its private key (both PEM) for one host's agent. {@link #toString()}
 * never shows the key.
 */
public record MaterialSpec(String leafSha256, String chainPem, String keyPem) {

    /** Bytes this material adds to a message, roughly. */
    int size() {
        return chainPem.length() + keyPem.length() + leafSha256.length() + 16;
    }

    @Override
    public String toString() {
        return "MaterialSpec[" + leafSha256 + "]";
    }
}
