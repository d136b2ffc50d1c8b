package org.mailcert.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.facts.FactsSource;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.AgentStatus;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.agent.state.BindingStatus;
import org.mailcert.agent.state.StateStore;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.agent.target.TargetSet;
import org.mailcert.agent.target.files.FilesTarget;
import org.mailcert.agent.testing.AgentPki;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.agent.transport.GrpcControllerLink;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftPolicy;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.state.DriftReportStore;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.BindingConditions;
import org.mailcert.proto.v1.DriftAction;
import org.mailcert.proto.v1.DriftReport;
import org.mailcert.proto.v1.RunOutcome;
import org.mailcert.proto.v1.AppliedBinding;
import org.mailcert.proto.v1.ControllerMessage;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.Hello;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.Material;
import org.mailcert.proto.v1.Nack;
import org.mailcert.proto.v1.RenewResponse;

/** The sync loop against a scripted controller over an in-process gRPC channel. */
class SyncClientTest {
    private static final String HOST = "mx1.example.com";
    private static final ControllerAddress CONTROLLER = ControllerAddress.parse("controller.example.net:7443");

    @TempDir
    Path tmp;

    private Path data;
    private Path files;
    private final AgentPki pki = AgentPki.create();
    private final FakeController controller = new FakeController();
    private final String serverName = InProcessServerBuilder.generateName();
    private final List<Identity> opened = new CopyOnWriteArrayList<>();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final RecordingCommandRunner commands = new RecordingCommandRunner();
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private volatile double random = 0.5;
    private Server server;
    private SyncClient client;
    private Future<SyncResult> running;

    private final TestPki.Leaf serverLeaf = TestBindings.leaf(HOST);
    private final TestPki.Leaf leafA = TestBindings.leaf("mail.a.example");
    private final TestPki.Leaf leafB = TestBindings.leaf("mail.b.example");
    private final DesiredBinding bindServer = TestBindings.desired("server", HOST, serverLeaf);
    private final DesiredBinding bindA = TestBindings.desired("mail/a.example", "mail.a.example", leafA);
    private final DesiredBinding bindB = TestBindings.desired("mail/b.example", "mail.b.example", leafB);

    @BeforeEach
    void setUp() throws Exception {
        data = tmp.resolve("agent");
        files = tmp.resolve("files");
        server = InProcessServerBuilder.forName(serverName).addService(controller).build().start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.stop();
            running.get(10, TimeUnit.SECONDS);
        }
        loop.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private Identity enrolled() throws Exception {
        return pki.enroll(data, HOST, CONTROLLER);
    }

    private Future<SyncResult> start() {
        return start(FactsSource.fixed(HostFacts.newBuilder().setOs("test").build()));
    }

    private Future<SyncResult> start(FactsSource facts) {
        return start(facts, Optional.empty());
    }

    /**
     * Starts with drift checks over the files target (no handshakes: it serves no endpoint). With an
     * interval of a millisecond, each timer task is due when the test fires it.
     */
    private Future<SyncResult> startWithDrift(DriftSettings.Mode mode, boolean watch, Duration interval) {
        return startWithDrift(mode, watch, interval, List.of());
    }

    private Future<SyncResult> startWithDrift(DriftSettings.Mode mode, boolean watch, Duration interval,
            List<Observable> more) {
        return startWithDrift(mode, watch, interval, more, FactsSource.fixed(HostFacts.newBuilder().setOs("test").build()));
    }

    private Future<SyncResult> startWithDrift(DriftSettings.Mode mode, boolean watch, Duration interval,
            List<Observable> more, FactsSource facts) {
        DriftCycle cycle = new DriftCycle(new ServedObserver((e, sni) -> {
            throw new AssertionError("the files target has no endpoint to probe");
        }, 1, Duration.ofSeconds(1)), 10, DriftPolicy.DEFAULT, Optional.empty(), Clock.systemUTC());
        FilesTarget target = new FilesTarget(files, List.of("reload-mail"), commands);
        return start(facts, Optional.of(new DriftSettings(mode, interval, cycle, concat(target, more), watch)), target);
    }

    private static List<Observable> concat(Observable first, List<Observable> more) {
        List<Observable> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(more);
        return all;
    }

    private Future<SyncResult> start(FactsSource facts, Optional<DriftSettings> drift) {
        return start(facts, drift, new FilesTarget(files, List.of("reload-mail"), commands));
    }

    private Future<SyncResult> start(FactsSource facts, Optional<DriftSettings> drift, FilesTarget target) {
        client = new SyncClient(new SyncSettings(Duration.ZERO, facts),
                new IdentityStore(data), new StateStore(data), new StatusStore(data),
                new TargetSet(List.of(target)),
                new GrpcControllerLink(identity -> {
                    opened.add(identity);
                    return InProcessChannelBuilder.forName(serverName).build();
                }),
                scheduler, Clock.systemUTC(), () -> random, drift);
        running = loop.submit(client::run);
        return running;
    }

    private static DesiredState.Builder state(long version, boolean full) {
        return DesiredState.newBuilder().setVersion(version).setNonce("n" + version).setFull(full).setLast(true);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private AgentMessage ackOf(long version) {
        return AgentMessage.newBuilder().setAck(org.mailcert.proto.v1.Ack.newBuilder().setVersion(version)
                .setNonce("n" + version)).build();
    }

    private Path live(String name) {
        return files.resolve("live").resolve(name).resolve("fullchain.pem");
    }

    private AgentStatus status() throws Exception {
        return new StatusStore(data).load().orElseThrow();
    }

    private void persist(long version, List<DesiredBinding> bindings, List<TestPki.Leaf> leaves) throws Exception {
        new StateStore(data).save(new AppliedState(version, "n" + version,
                bindings.stream().collect(Collectors.toMap(DesiredBinding::getId, b -> b)),
                leaves.stream().map(TestBindings::material).collect(Collectors.toMap(Material::getLeafSha256, m -> m))));
    }

    private static DriftReport report(FakeController.FakeStream s) throws InterruptedException {
        AgentMessage m = s.next();
        assertEquals(AgentMessage.KindCase.REPORT, m.getKindCase(), m.toString());
        return m.getReport();
    }

    /** Connects, applies server + a.example at version 7, and returns the stream after the apply's report. */
    private FakeController.FakeStream appliedWithDrift(DriftSettings.Mode mode, boolean watch) throws Exception {
        enrolled();
        // Watching: a long interval, so that only the file change starts a cycle.
        startWithDrift(mode, watch, watch ? Duration.ofMinutes(5) : Duration.ofMillis(1));
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        DriftReport first = report(s);
        assertEquals("start", first.getTrigger());
        assertEquals(RunOutcome.RUN_OUTCOME_IN_SYNC, first.getOutcome());
        s.send(state(7, true).addUpserted(bindServer).addUpserted(bindA).addMaterials(TestBindings.material(serverLeaf))
                .addMaterials(TestBindings.material(leafA)).build());
        assertEquals(ackOf(7), s.next());
        assertNull(s.poll(100), "the apply's cycle waits for the applies of a burst to settle");
        awaitTask(DriftSettings.APPLY_SETTLE);
        assertEquals(1, scheduler.fireExactly(DriftSettings.APPLY_SETTLE), "one cycle for the apply");
        DriftReport applied = report(s);
        assertEquals("apply", applied.getTrigger());
        assertEquals(7, applied.getAppliedVersion());
        assertEquals(RunOutcome.RUN_OUTCOME_IN_SYNC, applied.getOutcome(), applied.toString());
        assertEquals(0, applied.getItemsCount(), applied.toString());
        assertEquals(Set.of("server", "mail/a.example"), applied.getBindingsList().stream()
                .map(BindingConditions::getId).collect(Collectors.toSet()));
        assertTrue(applied.getBindingsList().stream().flatMap(b -> b.getConditionsList().stream())
                .allMatch(c -> c.getStatus().equals("True")), applied.toString());
        return s;
    }

    /** Waits until the drift timer (1 ms, less the time its cycle took) is armed. */
    private void awaitDriftTimer() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.tasks().stream().noneMatch(t -> !t.cancelled && t.delay.compareTo(Duration.ofMillis(1)) <= 0)) {
            assertTrue(System.nanoTime() < end, "no drift timer within 10 s");
            Thread.sleep(10);
        }
    }

    /** Waits until a live task with this delay is scheduled. */
    private void awaitTask(Duration delay) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.tasks().stream().noneMatch(t -> !t.cancelled && t.delay.equals(delay))) {
            assertTrue(System.nanoTime() < end, "no task of " + delay + " within 10 s");
            Thread.sleep(10);
        }
    }

    /** Fires the drift timer's task (its interval is 1 ms, so it is due) and waits until it is armed again. */
    private void fireDriftTimer() throws InterruptedException {
        Thread.sleep(2);
        int armed = scheduler.tasks().size();
        assertEquals(1, scheduler.fire(Duration.ofMillis(1)), "one drift timer was armed");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.tasks().size() <= armed && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    @Test
    void inEnforceModeADeletedKeyIsRepairedReportedAsACorrectiveChangeAndAnUnchangedReportIsNotResent()
            throws Exception {
        FakeController.FakeStream s = appliedWithDrift(DriftSettings.Mode.ENFORCE, false);
        Path key = files.resolve("live/mail.a.example/privkey.pem");
        Files.delete(key);

        fireDriftTimer();
        DriftReport repaired = report(s);
        assertEquals("timer", repaired.getTrigger());
        assertEquals(RunOutcome.RUN_OUTCOME_CORRECTIVE_CHANGE, repaired.getOutcome(), repaired.toString());
        assertEquals(1, repaired.getItemsCount(), repaired.toString());
        assertEquals("FileMissing", repaired.getItems(0).getReason());
        assertEquals("mail/a.example", repaired.getItems(0).getSubject());
        assertEquals(DriftAction.DRIFT_ACTION_REPAIRED, repaired.getItems(0).getAction());
        assertTrue(Files.exists(key), "the key was written again");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(key)));

        fireDriftTimer();
        DriftReport clean = report(s);
        assertEquals(RunOutcome.RUN_OUTCOME_IN_SYNC, clean.getOutcome());
        assertEquals(0, clean.getItemsCount());
        fireDriftTimer();
        assertNull(s.poll(300), "a report that says nothing new is not sent again");
        assertEquals(RunOutcome.RUN_OUTCOME_IN_SYNC, new DriftReportStore(data).load().orElseThrow().getOutcome(),
                "the local report is the last cycle's");
    }

    @Test
    void aBugInAnObserverFailsTheCycleButNotTheAgent() throws Exception {
        Observable broken = new Observable() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public org.mailcert.agent.drift.TargetObservation observe(List<org.mailcert.agent.target.Binding> d) {
                throw new IllegalStateException("a bug");
            }
        };
        enrolled();
        startWithDrift(DriftSettings.Mode.ENFORCE, false, Duration.ofMillis(1), List.of(broken));
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        report(s);
        s.send(state(7, true).addUpserted(bindServer).addMaterials(TestBindings.material(serverLeaf)).build());
        assertEquals(ackOf(7), s.next());
        awaitTask(DriftSettings.APPLY_SETTLE);
        scheduler.fireExactly(DriftSettings.APPLY_SETTLE);
        DriftReport failed = report(s);
        assertEquals(RunOutcome.RUN_OUTCOME_FAILED, failed.getOutcome(), failed.toString());
        assertTrue(failed.getItems(0).getMessage().contains("a bug"), failed.toString());

        s.send(state(8, false).addUpserted(bindA).addMaterials(TestBindings.material(leafA)).build());
        assertEquals(ackOf(8), s.next(), "the sync loop goes on");
    }

    @Test
    void aRepairThatFailsIsReportedAsFailedWithTheItemStillThere() throws Exception {
        commands.thenReturn(CommandResult.exited(0, ""))
                .thenReturn(new CommandResult(1, "", "reload-mail: refused\n", false));
        FakeController.FakeStream s = appliedWithDrift(DriftSettings.Mode.ENFORCE, false);
        Files.delete(files.resolve("live/mail.a.example/privkey.pem"));

        fireDriftTimer();
        DriftReport failed = report(s);
        assertEquals(RunOutcome.RUN_OUTCOME_FAILED, failed.getOutcome(), failed.toString());
        assertEquals(List.of(DriftAction.DRIFT_ACTION_REPAIR_FAILED), failed.getItemsList().stream()
                .map(org.mailcert.proto.v1.DriftItem::getAction).distinct().toList());
        assertEquals("FileMissing", failed.getItems(0).getReason());
        assertFalse(Files.exists(files.resolve("live/mail.a.example/privkey.pem")),
                "the failed repair was rolled back like any apply");
        assertTrue(status().lastError().orElse("").contains("repairing drift"), status().toString());
    }

    @Test
    void inReportModeDriftIsReportedAsWouldChangeAndNothingIsTouched() throws Exception {
        FakeController.FakeStream s = appliedWithDrift(DriftSettings.Mode.REPORT, false);
        Path chain = files.resolve("live/mail.a.example/fullchain.pem");
        Files.writeString(chain, "edited by hand\n");

        fireDriftTimer();
        DriftReport drift = report(s);
        assertEquals(RunOutcome.RUN_OUTCOME_WOULD_CHANGE, drift.getOutcome(), drift.toString());
        assertEquals(List.of("FileChanged"), drift.getItemsList().stream()
                .map(org.mailcert.proto.v1.DriftItem::getReason).distinct().toList());
        assertTrue(drift.getItemsList().stream().allMatch(i -> i.getAction() == DriftAction.DRIFT_ACTION_WOULD_CHANGE
                && i.getSubject().equals("mail/a.example")));
        assertEquals("edited by hand\n", Files.readString(chain), "report mode changes nothing");
        org.mailcert.proto.v1.Condition installed = drift.getBindingsList().stream()
                .filter(b -> b.getId().equals("mail/a.example")).findFirst().orElseThrow().getConditionsList().stream()
                .filter(c -> c.getType().equals("Installed")).findFirst().orElseThrow();
        assertEquals("False", installed.getStatus());
        assertEquals("FileChanged", installed.getReason());

        fireDriftTimer();
        assertNull(s.poll(300), "the same drift is not reported twice");
        DriftReport again = new DriftReportStore(data).load().orElseThrow();
        org.mailcert.proto.v1.Condition still = again.getBindingsList().stream()
                .filter(b -> b.getId().equals("mail/a.example")).findFirst().orElseThrow().getConditionsList().stream()
                .filter(c -> c.getType().equals("Installed")).findFirst().orElseThrow();
        assertEquals(installed.getLastTransitionTime(), still.getLastTransitionTime(),
                "the transition time stays while the status does");
        assertEquals(drift.getItems(0).getSince(), again.getItems(0).getSince(), "an item keeps its first sighting");
    }

    @Test
    void aChangedManagedFileStartsACycleSoonWithoutTheTimer() throws Exception {
        FakeController.FakeStream s = appliedWithDrift(DriftSettings.Mode.REPORT, true);
        Files.delete(files.resolve("live/mail.a.example/privkey.pem"));

        // The agent's own writes may have started a settle task already; fire settle tasks until the
        // change is reported (the timer is minutes away and never fires here).
        DriftReport drift = null;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (drift == null && System.nanoTime() < end) {
            scheduler.fireExactly(DriftSettings.FILE_CHANGE_SETTLE);
            AgentMessage m = s.poll(50);
            if (m != null) {
                assertEquals(AgentMessage.KindCase.REPORT, m.getKindCase(), m.toString());
                drift = m.getReport();
            }
        }
        assertNotNull(drift, "a report within 10 s of the change");
        assertEquals("file-change", drift.getTrigger());
        assertEquals("FileMissing", drift.getItems(0).getReason());
    }

    @Test
    void factsThatChangeOnTheHostAreSentAfterTheCycleThatReadThemAndOnlyThen() throws Exception {
        enrolled();
        java.util.concurrent.atomic.AtomicReference<List<String>> domains =
                new java.util.concurrent.atomic.AtomicReference<>(List.of("a.example"));
        startWithDrift(DriftSettings.Mode.REPORT, false, Duration.ofMillis(1), List.of(),
                () -> HostFacts.newBuilder().setOs("test").addAllDomains(domains.get()).build());
        FakeController.FakeStream s = controller.nextStream();
        assertEquals(List.of("a.example"), s.hello().getFacts().getDomainsList());
        assertEquals("start", report(s).getTrigger());
        s.send(state(7, true).build());
        assertEquals(ackOf(7), s.next());
        awaitTask(DriftSettings.APPLY_SETTLE);
        scheduler.fireExactly(DriftSettings.APPLY_SETTLE);
        assertEquals("apply", report(s).getTrigger());
        awaitDriftTimer();
        fireDriftTimer();
        assertNull(s.poll(200), "unchanged facts and an unchanged report are not sent again");

        domains.set(List.of("a.example", "b.example"));
        awaitDriftTimer();
        fireDriftTimer();
        AgentMessage m = s.next();
        if (m.getKindCase() == AgentMessage.KindCase.REPORT) {
            m = s.next(); // the cycle's report, if the domains changed what it says, comes first
        }
        assertEquals(AgentMessage.KindCase.FACTS, m.getKindCase(), m.toString());
        assertEquals(List.of("a.example", "b.example"), m.getFacts().getDomainsList());

        awaitDriftTimer();
        fireDriftTimer();
        assertNull(s.poll(200), "facts are sent once per change");
    }

    @Test
    void anEditedServerConfigurationReReadsTheFactsButTheAgentsOwnFilesDoNot() throws Exception {
        enrolled();
        Path config = data.resolve("server-config");
        Files.createDirectories(config);
        Path mainCf = config.resolve("main.cf");
        Files.writeString(mainCf, "virtual_mailbox_domains = a.example\n");
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        FactsSource fromFile = () -> {
            reads.incrementAndGet();
            try {
                String line = Files.readString(mainCf).strip();
                return HostFacts.newBuilder().setOs("test")
                        .addAllDomains(List.of(line.substring(line.indexOf('=') + 1).strip().split(" "))).build();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Observable server = new Observable() {
            @Override
            public String name() {
                return "server";
            }

            @Override
            public org.mailcert.agent.drift.TargetObservation observe(List<org.mailcert.agent.target.Binding> d) {
                return new org.mailcert.agent.drift.TargetObservation("server", java.util.Map.of(), List.of(),
                        List.of(), java.util.Map.of(), true);
            }

            @Override
            public List<Path> factSources() {
                return List.of(mainCf);
            }
        };
        startWithDrift(DriftSettings.Mode.REPORT, true, Duration.ofMinutes(5), List.of(server),
                FactsSource.cached(fromFile, Duration.ofHours(1), Clock.systemUTC()));
        FakeController.FakeStream s = controller.nextStream();
        assertEquals(List.of("a.example"), s.hello().getFacts().getDomainsList());
        assertEquals("start", report(s).getTrigger());
        s.send(state(7, true).addUpserted(bindServer).addMaterials(TestBindings.material(serverLeaf)).build());
        assertEquals(ackOf(7), s.next());
        awaitTask(DriftSettings.APPLY_SETTLE);
        scheduler.fireExactly(DriftSettings.APPLY_SETTLE);
        assertEquals("apply", report(s).getTrigger());
        assertEquals(1, reads.get(), "the agent's own writes do not re-read the facts");

        Files.writeString(mainCf, "virtual_mailbox_domains = a.example b.example\n");
        AgentMessage facts = null;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (facts == null && System.nanoTime() < end) {
            scheduler.fireExactly(DriftSettings.FILE_CHANGE_SETTLE);
            AgentMessage m = s.poll(50);
            if (m != null && m.getKindCase() == AgentMessage.KindCase.FACTS) {
                facts = m;
            }
        }
        assertNotNull(facts, "the new facts within 10 s of the edit");
        assertEquals(List.of("a.example", "b.example"), facts.getFacts().getDomainsList());
        assertEquals(2, reads.get());
    }

    @Test
    void pagesOfAFullStateAreAssembledAppliedAndPersistedBeforeTheAck() throws Exception {
        enrolled();
        start();
        FakeController.FakeStream s = controller.nextStream();
        Hello hello = s.hello();
        assertEquals(HOST, hello.getHost());
        assertEquals(0, hello.getAppliedVersion());
        assertTrue(hello.getAppliedList().isEmpty());
        assertTrue(hello.getHeldSha256List().isEmpty());
        assertEquals("test", hello.getFacts().getOs());

        s.send(state(7, true).setPage(0).setLast(false).addUpserted(bindServer)
                        .addMaterials(TestBindings.material(serverLeaf)).build(),
                state(7, true).setPage(1).setLast(false).addUpserted(bindA).addMaterials(TestBindings.material(leafA))
                        .build(),
                state(7, true).setPage(2).addUpserted(bindB).addMaterials(TestBindings.material(leafB)).build());

        assertEquals(ackOf(7), s.next());
        AppliedState saved = new StateStore(data).load();
        assertEquals(7, saved.version(), "persisted before the Ack was sent");
        assertEquals(Set.of("server", "mail/a.example", "mail/b.example"), saved.bindings().keySet());
        assertEquals(Set.of(TestBindings.sha(serverLeaf), TestBindings.sha(leafA), TestBindings.sha(leafB)),
                saved.materials().keySet());
        assertEquals(leafB.chainPem(), Files.readString(live("mail.b.example")));
        assertEquals(1, commands.commands().size());
        assertEquals("mail.a.example mail.b.example mx1.example.com",
                commands.commands().get(0).environment().get("MAILCERT_CHANGED"));
        AgentStatus status = status();
        assertEquals(AgentStatus.Connection.CONNECTED, status.connection());
        assertEquals(7, status.appliedVersion());
        assertEquals(7, status.desiredVersion());
        assertTrue(status.bindings().stream().allMatch(b -> b.state() == BindingStatus.State.APPLIED));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("state/applied.pb"))));
    }

    @Test
    void afterARestartTheStoredStateIsEnforcedAndHelloReportsIt() throws Exception {
        enrolled();
        persist(5, List.of(bindServer, bindA), List.of(serverLeaf, leafA));

        start();
        Hello hello = controller.nextStream().hello();

        assertEquals(leafA.chainPem(), Files.readString(live("mail.a.example")), "installed before connecting");
        assertEquals(5, hello.getAppliedVersion());
        assertEquals(Set.of(AppliedBinding.newBuilder().setId("server").setLeafSha256(TestBindings.sha(serverLeaf))
                        .build(),
                AppliedBinding.newBuilder().setId("mail/a.example").setLeafSha256(TestBindings.sha(leafA)).build()),
                Set.copyOf(hello.getAppliedList()));
        assertEquals(Set.of(TestBindings.sha(serverLeaf), TestBindings.sha(leafA)), Set.copyOf(hello.getHeldSha256List()));
    }

    @Test
    void aDeltaIsMergedOntoTheAppliedState() throws Exception {
        enrolled();
        persist(5, List.of(bindServer, bindA), List.of(serverLeaf, leafA));
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        long serverMtime = Files.getLastModifiedTime(live(HOST)).toMillis();

        s.send(state(6, false).addUpserted(bindB).addMaterials(TestBindings.material(leafB))
                .addRemovedIds("mail/a.example").build());

        assertEquals(ackOf(6), s.next());
        AppliedState saved = new StateStore(data).load();
        assertEquals(Set.of("server", "mail/b.example"), saved.bindings().keySet());
        assertEquals(Set.of(TestBindings.sha(serverLeaf), TestBindings.sha(leafB)), saved.materials().keySet());
        assertFalse(Files.exists(files.resolve("live/mail.a.example")));
        assertTrue(Files.exists(live("mail.b.example")));
        assertEquals(serverMtime, Files.getLastModifiedTime(live(HOST)).toMillis(), "server files untouched");
    }

    @Test
    void aStateWithoutChangesIsAckedToo() throws Exception {
        enrolled();
        persist(5, List.of(bindServer), List.of(serverLeaf));
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        int commandsBefore = commands.commands().size();

        s.send(state(9, false).build());

        assertEquals(ackOf(9), s.next());
        assertEquals(9, new StateStore(data).load().version());
        assertEquals(commandsBefore, commands.commands().size(), "nothing changed, nothing reloaded");
    }

    @Test
    void aFailingTargetIsNackedWithPerBindingErrorsAndTheLastGoodStateIsKept() throws Exception {
        enrolled();
        persist(5, List.of(bindServer), List.of(serverLeaf));
        commands.thenReturn(CommandResult.exited(0, ""))
                .thenReturn(new CommandResult(1, "", "reload-mail: cannot load mail.a.example\n", false));
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        String serverChain = Files.readString(live(HOST));

        s.send(state(6, true).addUpserted(bindServer).addUpserted(bindA).addMaterials(TestBindings.material(leafA))
                .build());

        AgentMessage reply = s.next();
        assertEquals(AgentMessage.KindCase.NACK, reply.getKindCase(), reply.toString());
        Nack nack = reply.getNack();
        assertEquals(6, nack.getVersion());
        assertEquals("n6", nack.getNonce());
        assertTrue(nack.getMessage().contains("exited 1: reload-mail: cannot load mail.a.example"), nack.getMessage());
        assertEquals(List.of("mail/a.example"), nack.getErrorsList().stream().map(e -> e.getId()).toList());
        assertEquals(5, new StateStore(data).load().version(), "the last good state stays on disk");
        assertFalse(Files.exists(files.resolve("live/mail.a.example")), "and in the files dir");
        assertEquals(serverChain, Files.readString(live(HOST)));
        AgentStatus status = status();
        assertEquals(5, status.appliedVersion());
        assertEquals(6, status.desiredVersion());
        assertTrue(status.lastError().orElseThrow().contains("exited 1"));
        BindingStatus a = status.bindings().stream().filter(b -> b.id().equals("mail/a.example")).findFirst()
                .orElseThrow();
        assertEquals(BindingStatus.State.FAILED, a.state());
    }

    @Test
    void aServedNameThatIsNotAHostNameIsNackedAndNothingIsWritten() throws Exception {
        enrolled();
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        DesiredBinding evil = bindA.toBuilder().setServedName("../../etc").build();

        s.send(state(2, true).addUpserted(evil).addMaterials(TestBindings.material(leafA)).build());

        AgentMessage reply = s.next();
        assertEquals(AgentMessage.KindCase.NACK, reply.getKindCase());
        assertEquals("mail/a.example", reply.getNack().getErrors(0).getId());
        assertTrue(reply.getNack().getErrors(0).getMessage().contains("'/' is not allowed"),
                reply.getNack().getErrors(0).getMessage());
        assertFalse(Files.exists(tmp.resolve("etc")));
        assertFalse(Files.exists(files.resolve("live")));
    }

    @Test
    void missingOrBrokenMaterialIsNacked() throws Exception {
        enrolled();
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        Material wrongKey = TestBindings.material(leafB).toBuilder().setKeyPem(leafA.keyPem()).build();

        s.send(state(3, true).addUpserted(bindServer).addUpserted(bindB).addMaterials(wrongKey).build());

        Nack nack = s.next().getNack();
        Map<String, String> errors = nack.getErrorsList().stream()
                .collect(Collectors.toMap(e -> e.getId(), e -> e.getMessage()));
        assertTrue(errors.get("server").contains("no material"), errors.toString());
        assertTrue(errors.get("mail/b.example").contains("does not belong"), errors.toString());
        assertEquals(0, new StateStore(data).load().version());
    }

    @Test
    void materialSentOnceOnAStreamIsReusedAfterANack() throws Exception {
        enrolled();
        commands.thenReturn(new CommandResult(1, "", "reload failed\n", false));
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();
        s.send(state(2, true).addUpserted(bindA).addMaterials(TestBindings.material(leafA)).build());
        assertEquals(AgentMessage.KindCase.NACK, s.next().getKindCase());

        s.send(state(3, true).addUpserted(bindA).build());

        assertEquals(ackOf(3), s.next());
    }

    @Test
    void reconnectsWithGrowingBackoffWithinTheCapAndResetsAfterAHealthyStream() throws Exception {
        enrolled();
        random = 0.999;
        start();
        for (int i = 0; i < 5; i++) {
            FakeController.FakeStream s = controller.nextStream();
            s.hello();
            s.fail(Status.UNAVAILABLE.withDescription("controller restarting"));
        }
        FakeController.FakeStream healthy = controller.nextStream();
        healthy.hello();
        healthy.send(state(1, true).build());
        assertEquals(ackOf(1), healthy.next());
        healthy.fail(Status.UNAVAILABLE);
        controller.nextStream();

        List<Duration> sleeps = scheduler.awaitSleeps(7);
        assertEquals(Duration.ZERO, sleeps.get(0), "start delay 0");
        long[] caps = {1000, 2000, 4000, 8000, 16000};
        for (int i = 0; i < caps.length; i++) {
            long d = sleeps.get(i + 1).toMillis();
            assertTrue(d >= 0 && d <= caps[i], "delay " + d + " ms within [0, " + caps[i] + "]");
            if (i > 0) {
                assertTrue(d > sleeps.get(i).toMillis(), "delays grow: " + sleeps);
            }
        }
        assertTrue(sleeps.get(6).toMillis() <= 1000, "reset after a healthy stream: " + sleeps);
    }

    @Test
    void everyConnectionReadsTheHostFactsAgain() throws Exception {
        enrolled();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        start(() -> HostFacts.newBuilder().setOs("read " + reads.incrementAndGet())
                .addDomains("d" + reads.get() + ".example").build());
        FakeController.FakeStream first = controller.nextStream();
        Hello firstHello = first.hello();
        assertEquals("read 1", firstHello.getFacts().getOs());
        assertEquals(List.of("d1.example"), firstHello.getFacts().getDomainsList());
        first.fail(Status.UNAVAILABLE.withDescription("controller restarting"));
        Hello second = controller.nextStream().hello();
        assertEquals("read 2", second.getFacts().getOs());
        assertEquals(List.of("d2.example"), second.getFacts().getDomainsList());
        assertEquals(2, reads.get());
    }

    @Test
    void theBackoffCapStopsAtSixtySeconds() throws Exception {
        enrolled();
        random = 0.999;
        start();
        for (int i = 0; i < 9; i++) {
            FakeController.FakeStream s = controller.nextStream();
            s.hello();
            s.fail(Status.DEADLINE_EXCEEDED);
        }
        List<Duration> sleeps = scheduler.awaitSleeps(10);
        assertTrue(sleeps.get(8).toMillis() > 59_000 && sleeps.get(8).toMillis() <= 60_000, sleeps.toString());
        assertTrue(sleeps.get(9).toMillis() <= 60_000, sleeps.toString());
        assertEquals(AgentStatus.Connection.DISCONNECTED, status().connection());
        assertTrue(status().lastError().orElseThrow().contains("DEADLINE_EXCEEDED"));
    }

    @Test
    void aRevokedHostRetriesAtTheCapAndSaysSoInItsStatus() throws Exception {
        enrolled();
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();

        s.fail(Status.PERMISSION_DENIED.withDescription("host mx1.example.com is revoked"));

        assertEquals(Duration.ofSeconds(60), scheduler.awaitSleeps(2).get(1));
        controller.nextStream().hello();
        AgentStatus status = status();
        assertEquals(AgentStatus.Connection.REVOKED, status.connection());
        assertEquals("host mx1.example.com is revoked", status.lastError().orElseThrow());
    }

    @Test
    void anIdentityTheControllerNoLongerAcceptsStopsTheLoop() throws Exception {
        enrolled();
        start();
        FakeController.FakeStream s = controller.nextStream();
        s.hello();

        s.fail(Status.UNAUTHENTICATED.withDescription("unknown client certificate"));

        SyncResult result = running.get(10, TimeUnit.SECONDS);
        assertEquals(SyncResult.Reason.REENROLL_REQUIRED, result.reason());
        assertTrue(result.message().contains("unknown client certificate"), result.message());
        assertTrue(result.message().contains("mailcert token create --host " + HOST), result.message());
        assertFalse(controller.streamOpenedWithin(200));
        assertEquals(AgentStatus.Connection.REENROLL_REQUIRED, status().connection());
    }

    @Test
    void anExpiredIdentityEndsTheLoopWithoutConnecting() throws Exception {
        pki.enroll(data, HOST, CONTROLLER, Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-08T00:00:00Z"));

        SyncResult result = start().get(10, TimeUnit.SECONDS);

        assertEquals(SyncResult.Reason.REENROLL_REQUIRED, result.reason());
        assertEquals("identity expired on 2024-01-08T00:00:00Z; create a new token with `mailcert token create"
                + " --host mx1.example.com` and run `mailcert-agent enroll` again", result.message());
        assertTrue(opened.isEmpty(), "no connection attempted");
        assertEquals(AgentStatus.Connection.REENROLL_REQUIRED, status().connection());
    }

    /** Starts with an identity past half its life, lets the renewal fire and answers it. */
    private X509Certificate renewOnFirstStream(FakeController.FakeStream s) throws Exception {
        s.hello();
        s.send(state(1, true).build());
        assertEquals(ackOf(1), s.next());
        await(() -> !scheduler.tasks().isEmpty(), "the renewal is scheduled");
        assertEquals(Duration.ZERO, scheduler.tasks().get(0).delay, "past half its life: due now");
        scheduler.fire(Duration.ZERO);
        AgentMessage renew = s.next();
        assertEquals(AgentMessage.KindCase.RENEW, renew.getKindCase());
        PublicKey key = Csrs.verifiedPublicKey(renew.getRenew().getCsr().toByteArray());
        X509Certificate cert = pki.client(key, HOST, Duration.ofDays(7));
        s.send(ControllerMessage.newBuilder().setRenewed(RenewResponse.newBuilder()
                .setCertificatePem(Pem.certificates(List.of(cert)))).build());
        assertTrue(s.endedByAgentWithin(10_000), "the agent closes the old stream to reconnect");
        return cert;
    }

    @Test
    void aRenewedCertificateIsPromotedOnlyAfterAStreamWithItSucceeded() throws Exception {
        Instant now = Instant.now();
        Identity old = pki.enroll(data, HOST, CONTROLLER, now.minus(Duration.ofDays(4)), now.plus(Duration.ofDays(3)));
        start();

        X509Certificate renewed = renewOnFirstStream(controller.nextStream());

        FakeController.FakeStream second = controller.nextStream();
        second.hello();
        assertEquals(renewed, opened.get(1).certificate(), "the second stream uses the renewed certificate");
        IdentityStore store = new IdentityStore(data);
        assertEquals(old.certificate(), store.load().certificate(), "not promoted before the controller answers");
        assertTrue(Files.exists(data.resolve("identity/next.pem")));

        second.send(state(1, false).build());
        assertEquals(ackOf(1), second.next());

        assertEquals(renewed, store.load().certificate());
        assertFalse(Files.exists(data.resolve("identity/next.key")));
        assertFalse(Files.exists(data.resolve("identity/next.pem")));
    }

    @Test
    void aRenewedCertificateTheControllerRefusesIsDroppedAndTheCurrentOneUsed() throws Exception {
        Instant now = Instant.now();
        Identity old = pki.enroll(data, HOST, CONTROLLER, now.minus(Duration.ofDays(4)), now.plus(Duration.ofDays(3)));
        start();
        renewOnFirstStream(controller.nextStream());
        FakeController.FakeStream second = controller.nextStream();
        second.hello();

        second.fail(Status.UNAUTHENTICATED.withDescription("unknown client certificate"));

        FakeController.FakeStream third = controller.nextStream();
        third.hello();
        assertEquals(old.certificate(), opened.get(2).certificate());
        assertEquals(old.certificate(), new IdentityStore(data).load().certificate());
        assertFalse(Files.exists(data.resolve("identity/next.pem")));
        third.send(state(1, false).build());
        assertEquals(ackOf(1), third.next());
        assertTrue(scheduler.tasks().get(scheduler.tasks().size() - 1).delay.compareTo(Duration.ofMinutes(59)) > 0,
                "renewal paused instead of looping");
    }
}
