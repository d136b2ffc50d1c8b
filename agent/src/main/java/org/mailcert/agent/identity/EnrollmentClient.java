package org.mailcert.agent.identity;

import org.mailcert.common.net.ControllerAddress;
import org.mailcert.proto.v1.EnrollRequest;
import org.mailcert.proto.v1.EnrollResponse;

/** Sends the Enroll call; the transport layer implements it, tests fake it. */
@FunctionalInterface
public interface EnrollmentClient {
    /**
     * Calls {@code AgentService.Enroll} over TLS judged by {@code trust} (no client certificate).
     *
     * @throws EnrollmentException for every failure, translated once
     */
    EnrollResponse enroll(ControllerAddress address, ControllerTrustManager trust, EnrollRequest request)
            throws EnrollmentException;
}
