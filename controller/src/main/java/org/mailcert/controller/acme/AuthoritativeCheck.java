package org.mailcert.controller.acme;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Waits until a TXT value is served by every authoritative server of its zone: follows a CNAME at
 * the record name (delegation), finds the zone and its NS set, then asks each server directly,
 * without recursion, every poll interval until all have it or the timeout passes.
 */
public final class AuthoritativeCheck implements Propagation {
    private static final Logger LOG = LoggerFactory.getLogger(AuthoritativeCheck.class);
    private static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    private final Delegation lookup;
    private final Clock clock;
    private final Duration pollInterval;

    /** Checks through {@code lookup}'s resolvers, polling every second. */
    public AuthoritativeCheck(Delegation lookup, Clock clock) {
        this(lookup, clock, DEFAULT_POLL);
    }

    /** Checks through {@code lookup}'s resolvers, polling every {@code pollInterval}. */
    public AuthoritativeCheck(Delegation lookup, Clock clock, Duration pollInterval) {
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
        }
        this.lookup = lookup;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    @Override
    public void awaitVisible(DnsSolver.Record record, Duration timeout) throws AcmeException, InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        Name name = lookup.followCnames(Delegation.absolute(record.recordName()));
        Name zone = lookup.zoneOf(name);
        Map<String, InetSocketAddress> waitingFor = new LinkedHashMap<>(lookup.authoritativeServers(zone));
        Map<String, String> lastProblem = new LinkedHashMap<>();
        while (true) {
            for (var it = waitingFor.entrySet().iterator(); it.hasNext(); ) {
                var server = it.next();
                Duration left = Duration.between(clock.instant(), deadline);
                try {
                    if (serves(server.getValue(), name, record.value(), clamp(left))) {
                        LOG.debug("TXT {} visible at {} ({})", name, server.getKey(), server.getValue());
                        it.remove();
                        lastProblem.remove(server.getKey());
                    }
                } catch (IOException e) {
                    lastProblem.put(server.getKey(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                }
            }
            if (waitingFor.isEmpty()) {
                LOG.info("TXT {} visible at every authoritative server of zone {}", name, zone);
                return;
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                throw new AcmeException(AcmeException.Kind.DNS, notVisibleMessage(name, waitingFor, lastProblem, timeout));
            }
            Thread.sleep(Math.min(pollInterval.toMillis(), Math.max(1, left.toMillis())));
        }
    }

    private static Duration clamp(Duration left) {
        if (left.compareTo(Duration.ofMillis(200)) < 0) {
            return Duration.ofMillis(200);
        }
        return left.compareTo(QUERY_TIMEOUT) > 0 ? QUERY_TIMEOUT : left;
    }

    /** Whether {@code server} answers, authoritatively and without recursion, with {@code value} among the TXT values of {@code name}. */
    private static boolean serves(InetSocketAddress server, Name name, String value, Duration timeout) throws IOException {
        Message query = Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN));
        query.getHeader().unsetFlag(Flags.RD);
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(timeout);
        Message response = resolver.send(query);
        for (Record answer : response.getSection(Section.ANSWER)) {
            if (answer instanceof TXTRecord txt && answer.getName().equals(name) && txt.getStrings().contains(value)) {
                return true;
            }
        }
        return false;
    }

    private static String notVisibleMessage(Name name, Map<String, InetSocketAddress> missing,
            Map<String, String> problems, Duration timeout) {
        StringBuilder at = new StringBuilder();
        for (var server : missing.entrySet()) {
            if (at.length() > 0) {
                at.append(", ");
            }
            at.append(server.getKey()).append(" (").append(server.getValue().getAddress().getHostAddress())
                    .append(':').append(server.getValue().getPort());
            String problem = problems.get(server.getKey());
            if (problem != null) {
                at.append(": ").append(problem);
            }
            at.append(')');
        }
        return "the TXT record " + name + " was not visible at " + at + " after " + timeout.toSeconds()
                + " s — check that the update reached the zone's primary and that it notifies its secondaries";
    }
}
