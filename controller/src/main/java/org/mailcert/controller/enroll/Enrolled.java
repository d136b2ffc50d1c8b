package org.mailcert.controller.enroll;

import java.security.cert.X509Certificate;

/** The result of an enrollment or renewal: the agent's new client certificate and the CA. */
public record Enrolled(String host, String hostId, X509Certificate certificate, X509Certificate ca) {
}
