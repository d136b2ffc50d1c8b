package org.mailcert.agent.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.AgentVersion;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.files.FilesTarget;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.ServiceEndpoint;
import org.mailcert.proto.v1.ServiceFacts;
import org.mailcert.proto.v1.SniSupport;

/** How the host facts sum up what the mail targets found. */
class HostFactsReaderTest {
    private static final TargetFacts POSTFIX_37 = new TargetFacts("postfix", "3.7.11", true,
            List.of(endpoint("smtp", 25), endpoint("submission", 587)), List.of("example.com", "example.org"),
            List.of());
    private static final TargetFacts DOVECOT = new TargetFacts("dovecot", "2.3.19", true,
            List.of(endpoint("imap", 143), endpoint("imaps", 993)), List.of("example.org", "example.net"),
            List.of("managed include not yet present"));
    private static final TargetFacts QMAIL = new TargetFacts("qmail", "1.03", false, List.of(endpoint("smtps", 465)),
            List.of("example.com"), List.of());
    private static final TargetFacts POSTFIX_33 = new TargetFacts("postfix", "3.3.0", false,
            List.of(endpoint("smtp", 25)), List.of("example.com"), List.of());

    @TempDir
    Path tmp;

    private static Endpoint endpoint(String service, int port) {
        return new Endpoint(service, "127.0.0.1", port, Endpoint.protocolOf(service));
    }

    /** A mail target that answers what it is told to. */
    private static final class FakeMailTarget implements Target, Inspectable {
        private final String name;
        private final AtomicReference<Object> answer;

        FakeMailTarget(String name, Object answer) {
            this.name = name;
            this.answer = new AtomicReference<>(answer);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Change apply(List<Binding> desired) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TargetFacts inspect() throws InterruptedException {
            Object a = answer.get();
            if (a instanceof RuntimeException e) {
                throw e;
            }
            if (a instanceof InterruptedException e) {
                throw e;
            }
            return (TargetFacts) a;
        }
    }

    @Test
    void withoutMailTargetsSniIsUnknownAndOnlyTheMachineIsReported() throws Exception {
        HostFacts facts = new HostFactsReader(List.of()).read();
        assertEquals(SniSupport.SNI_SUPPORT_UNKNOWN, facts.getSni());
        assertEquals(AgentVersion.current(), facts.getAgentVersion());
        assertTrue(facts.getOs().startsWith(System.getProperty("os.name")));
        assertEquals(0, facts.getServicesCount());
        assertEquals(0, facts.getDomainsCount());
        assertEquals(facts, HostFactsReader.current());
    }

    @Test
    void postfixAndDovecotThatBothServePerDomainCertificatesGiveSniYes() throws Exception {
        HostFacts facts = new HostFactsReader(List.of(new FakeMailTarget("postfix", POSTFIX_37),
                new FakeMailTarget("dovecot", DOVECOT))).read();
        assertEquals(SniSupport.SNI_SUPPORT_YES, facts.getSni());
        assertEquals(List.of("example.com", "example.net", "example.org"), facts.getDomainsList());
        assertEquals(Map.of("postfix", "3.7.11", "dovecot", "2.3.19"), facts.getSoftwareMap());
        assertEquals(List.of(
                ServiceFacts.newBuilder().setSoftware("postfix").setVersion("3.7.11").setPerDomainSni(true)
                        .addEndpoints(ServiceEndpoint.newBuilder().setService("smtp").setPort(25))
                        .addEndpoints(ServiceEndpoint.newBuilder().setService("submission").setPort(587)).build(),
                ServiceFacts.newBuilder().setSoftware("dovecot").setVersion("2.3.19").setPerDomainSni(true)
                        .addEndpoints(ServiceEndpoint.newBuilder().setService("imap").setPort(143))
                        .addEndpoints(ServiceEndpoint.newBuilder().setService("imaps").setPort(993))
                        .addProblems("managed include not yet present").build()),
                facts.getServicesList());
        assertEquals(0, facts.getProblemsCount());
    }

    @Test
    void anySoftwareWithoutPerDomainSupportMakesSniNo() throws Exception {
        assertEquals(SniSupport.SNI_SUPPORT_NO, new HostFactsReader(List.of(new FakeMailTarget("dovecot", DOVECOT),
                new FakeMailTarget("qmail", QMAIL))).read().getSni());
        HostFacts old = new HostFactsReader(List.of(new FakeMailTarget("postfix", POSTFIX_33))).read();
        assertEquals(SniSupport.SNI_SUPPORT_NO, old.getSni());
        assertEquals(false, old.getServices(0).getPerDomainSni());
        assertEquals("3.3.0", old.getServices(0).getVersion());
    }

    @Test
    void aTargetWhoseInspectionThrowsIsAProblemNotACrash() throws Exception {
        HostFacts facts = new HostFactsReader(List.of(
                new FakeMailTarget("postfix", new IllegalStateException("postconf printed nonsense")),
                new FakeMailTarget("dovecot", DOVECOT))).read();
        assertEquals(List.of("postfix: inspection failed: java.lang.IllegalStateException: postconf printed nonsense"),
                facts.getProblemsList());
        assertEquals(1, facts.getServicesCount());
        assertEquals("dovecot", facts.getServices(0).getSoftware());
        assertEquals(List.of("example.net", "example.org"), facts.getDomainsList());
        assertEquals(SniSupport.SNI_SUPPORT_UNKNOWN, facts.getSni(), "the failed one may not support SNI");

        HostFacts withQmail = new HostFactsReader(List.of(
                new FakeMailTarget("postfix", new IllegalStateException("boom")),
                new FakeMailTarget("qmail", QMAIL))).read();
        assertEquals(SniSupport.SNI_SUPPORT_NO, withQmail.getSni(), "a known NO stays NO");
    }

    @Test
    void anInspectableThatIsNotATargetIsNamedByItsClass() throws Exception {
        Inspectable broken = () -> {
            throw new IllegalArgumentException("bad");
        };
        HostFacts facts = new HostFactsReader(List.of(broken)).read();
        assertEquals(1, facts.getProblemsCount());
        assertTrue(facts.getProblems(0).endsWith(": inspection failed: java.lang.IllegalArgumentException: bad"),
                facts.getProblems(0));
    }

    @Test
    void anInterruptIsPassedOn() {
        HostFactsReader reader = new HostFactsReader(List.of(new FakeMailTarget("postfix", new InterruptedException())));
        assertThrows(InterruptedException.class, reader::read);
    }

    @Test
    void ofTargetsInspectsOnlyTheMailTargetsAndEachReadIsFresh() throws Exception {
        FakeMailTarget postfix = new FakeMailTarget("postfix", POSTFIX_37);
        FilesTarget files = new FilesTarget(tmp, List.of(), new RecordingCommandRunner());
        HostFactsReader reader = HostFactsReader.of(List.of(files, postfix));
        assertEquals(List.of("postfix"), reader.read().getServicesList().stream().map(ServiceFacts::getSoftware).toList());
        assertEquals(SniSupport.SNI_SUPPORT_UNKNOWN, HostFactsReader.of(List.of(files)).read().getSni());

        postfix.answer.set(POSTFIX_33);
        HostFacts again = reader.read();
        assertEquals("3.3.0", again.getServices(0).getVersion());
        assertEquals(SniSupport.SNI_SUPPORT_NO, again.getSni());
        assertEquals(List.of("example.com"), again.getDomainsList());
    }
}
