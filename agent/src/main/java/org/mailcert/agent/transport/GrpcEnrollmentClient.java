package org.mailcert.agent.transport;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.mailcert.agent.identity.ControllerTrustManager;
import org.mailcert.agent.identity.EnrollmentClient;
import org.mailcert.agent.identity.EnrollmentException;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.EnrollRequest;
import org.mailcert.proto.v1.EnrollResponse;

/** Calls {@code AgentService.Enroll} over TLS judged by the pinning trust manager, with a deadline. */
public final class GrpcEnrollmentClient implements EnrollmentClient {
    /** How long the controller has to answer. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    @Override
    public EnrollResponse enroll(ControllerAddress address, ControllerTrustManager trust, EnrollRequest request)
            throws EnrollmentException {
        ManagedChannel channel = TlsChannels.enrollment(address, trust);
        try {
            return AgentServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .enroll(request);
        } catch (StatusRuntimeException e) {
            throw Failures.enrollment(e.getStatus(), trust, address);
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
