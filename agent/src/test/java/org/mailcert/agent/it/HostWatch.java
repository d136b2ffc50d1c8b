package org.mailcert.agent.it;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.Host;

/** What the end-to-end tests ask the controller about their one host, and how they wait for it. */
final class HostWatch {
    private final AdminServiceBlockingStub admin;
    private final String host;

    HostWatch(AdminServiceBlockingStub admin, String host) {
        this.admin = admin;
        this.host = host;
    }

    /** The host as {@code mailcert host show} sees it. */
    Host host() {
        return admin.withDeadlineAfter(10, TimeUnit.SECONDS).getHost(GetHostRequest.newBuilder().setHost(host).build())
                .getHost();
    }

    /** Connected, and the agent has applied the desired version (which exists). */
    boolean inSync() {
        Host h = host();
        return h.getConnected() && h.getDesiredVersion() > 0 && h.getAppliedVersion() == h.getDesiredVersion();
    }

    /**
     * Polls {@code condition} every 100 ms until it holds; fails after {@code seconds} with {@code
     * diagnostics} (the agent's log, say) in the message.
     */
    static void await(String what, int seconds, Callable<Boolean> condition, Callable<String> diagnostics)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (condition.call()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting until " + what + "\n"
                + diagnostics.call());
    }
}
