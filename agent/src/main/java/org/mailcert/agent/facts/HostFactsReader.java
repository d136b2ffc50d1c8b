package org.mailcert.agent.facts;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.mailcert.agent.AgentVersion;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.ServiceEndpoint;
import org.mailcert.proto.v1.ServiceFacts;
import org.mailcert.proto.v1.SniSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the host facts sent with Enroll and Hello: the operating system, the agent version and
 * what each mail target found (software, version, per-domain SNI, enabled TLS endpoints, domains,
 * problems). The host-level {@link SniSupport} is {@code NO} when any inspected software cannot serve
 * per-domain certificates, {@code YES} when every one can, and {@code UNKNOWN} when none was inspected
 * or an inspection failed without another one saying {@code NO}. A target whose inspection throws a
 * {@link RuntimeException} becomes a line in {@link HostFacts#getProblemsList()}, never a crash.
 *
 * <p>{@link #read()} runs the targets' tools, so it belongs on the sync loop thread, the one that
 * also applies to the targets.
 */
public final class HostFactsReader implements FactsSource {
    private static final Logger LOG = LoggerFactory.getLogger(HostFactsReader.class);

    private final List<Inspectable> inspectables;

    /** Takes the targets to inspect, in the order they are reported. */
    public HostFactsReader(List<? extends Inspectable> inspectables) {
        this.inspectables = List.copyOf(inspectables);
    }

    /** A reader of those of {@code targets} that can be inspected (the mail targets; not {@code files}). */
    public static HostFactsReader of(List<? extends Target> targets) {
        List<Inspectable> inspectable = new ArrayList<>();
        for (Target t : targets) {
            if (t instanceof Inspectable i) {
                inspectable.add(i);
            }
        }
        return new HostFactsReader(inspectable);
    }

    /** The facts of the machine this JVM runs on, without any mail software (no targets inspected). */
    public static HostFacts current() {
        return base().setSni(SniSupport.SNI_SUPPORT_UNKNOWN).build();
    }

    /** Inspects every target now and sums up what they found. */
    @Override
    public HostFacts read() throws InterruptedException {
        HostFacts.Builder facts = base();
        TreeSet<String> domains = new TreeSet<>();
        boolean anyWithout = false;
        boolean anyFailed = false;
        for (Inspectable target : inspectables) {
            TargetFacts found;
            try {
                found = Objects.requireNonNull(target.inspect(), "inspect() returned null");
            } catch (RuntimeException e) {
                String problem = nameOf(target) + ": inspection failed: " + e;
                LOG.warn("host facts: {}", problem);
                facts.addProblems(problem);
                anyFailed = true;
                continue;
            }
            facts.addServices(service(found));
            if (!facts.containsSoftware(found.software())) {
                facts.putSoftware(found.software(), found.version());
            }
            found.domains().forEach(d -> domains.add(d.toLowerCase(java.util.Locale.ROOT)));
            anyWithout |= !found.perDomainSni();
        }
        facts.addAllDomains(domains);
        facts.setSni(anyWithout ? SniSupport.SNI_SUPPORT_NO
                : anyFailed || facts.getServicesCount() == 0 ? SniSupport.SNI_SUPPORT_UNKNOWN
                : SniSupport.SNI_SUPPORT_YES);
        HostFacts result = facts.build();
        LOG.debug("host facts: {} service(s), {} domain(s), SNI {}, {} problem(s)", result.getServicesCount(),
                result.getDomainsCount(), result.getSni(), result.getProblemsCount());
        return result;
    }

    private static ServiceFacts service(TargetFacts f) {
        ServiceFacts.Builder b = ServiceFacts.newBuilder()
                .setSoftware(f.software())
                .setVersion(f.version())
                .setPerDomainSni(f.perDomainSni())
                .addAllProblems(f.problems());
        for (Endpoint e : f.endpoints()) {
            b.addEndpoints(ServiceEndpoint.newBuilder().setService(e.service()).setPort(e.port()));
        }
        return b.build();
    }

    private static String nameOf(Inspectable target) {
        return target instanceof Target t ? t.name() : target.getClass().getSimpleName();
    }

    private static HostFacts.Builder base() {
        return HostFacts.newBuilder()
                .setOs(System.getProperty("os.name", "unknown") + " " + System.getProperty("os.version", ""))
                .setAgentVersion(AgentVersion.current());
    }
}
