package org.mailcert.agent.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.AgentException;
import org.mailcert.agent.identity.Enroller;
import org.mailcert.agent.identity.EnrollmentClient;
import org.mailcert.agent.identity.EnrollmentException;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.AgentStatus.Connection;
import org.mailcert.agent.testing.AgentPki;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.EnrollResponse;
import org.w3c.dom.Document;

/**
 * Installing, upgrading and removing the Windows service on a simulated host: the commands are compared
 * with golden files under {@code golden/windows-service/} ({@code -Dgolden.update=true} rewrites them).
 */
class WindowsServiceInstallerTest {
    private static final String FOLDER = "windows-service";
    private static final ControllerAddress CONTROLLER = ControllerAddress.parse("controller.example.net:7443");

    @TempDir
    Path tmp;

    private final AgentPki pki = AgentPki.create();
    private final FakeServiceHost windows = new FakeServiceHost();
    private final AtomicInteger enrollments = new AtomicInteger();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Path installDir;
    private Path dataDir;
    private Path winsw;
    private Path java;

    @BeforeEach
    void files() throws IOException {
        installDir = Files.createDirectories(tmp.resolve("Program Files/mailcert-agent"));
        dataDir = tmp.resolve("ProgramData/mailcert-agent");
        Files.createDirectories(dataDir.getParent());
        Files.writeString(installDir.resolve(WinswConfig.JAR), "jar");
        winsw = Files.writeString(tmp.resolve("WinSW-x64.exe"), "the wrapper");
        java = Files.writeString(tmp.resolve("java.exe"), "java");
    }

    /** Issues a client certificate for the CSR, as the controller would. */
    private EnrollmentClient controller() {
        return (address, trust, request) -> {
            enrollments.incrementAndGet();
            try {
                PublicKey key = Csrs.verifiedPublicKey(request.getCsr().toByteArray());
                X509Certificate cert = pki.client(key, "mx1.example.com", Duration.ofDays(7));
                return EnrollResponse.newBuilder().setHost("mx1.example.com").setHostId("h-1")
                        .setCertificatePem(Pem.certificates(List.of(cert))).setCaPem(pki.caPem()).build();
            } catch (Exception e) {
                throw new EnrollmentException(EnrollmentException.Reason.BAD_RESPONSE, e.getMessage(), e);
            }
        };
    }

    private WindowsServiceInstaller installer(String version, EnrollmentClient client) {
        return new WindowsServiceInstaller(host(), new Enroller(client, windows.clock()), version);
    }

    private ServiceHost host() {
        return new ServiceHost(FakeServiceHost.windows(), windows, windows.clock(), windows.sleeper(),
                new PrintStream(out, true, UTF_8));
    }

    private InstallRequest request(List<String> targets, boolean force, boolean allowDowngrade) {
        return new InstallRequest(installDir, dataDir, winsw, sha256(winsw), java, Optional.of(CONTROLLER), targets,
                force, allowDowngrade);
    }

    private InstallRequest firstInstall() {
        return request(List.of("mailenable", "iis"), false, false);
    }

    private Supplier<JoinTokenValue> token() {
        return pki::token;
    }

    private static Supplier<JoinTokenValue> noToken() {
        return () -> {
            throw new AssertionError("no token may be read when the identity is kept");
        };
    }

    private static String sha256(Path file) {
        try {
            return WinswBuild.sha256(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String output() {
        return out.toString(UTF_8);
    }

    @Test
    void aFirstInstallRestrictsTheDataDirEnrollsRegistersStartsAndWaitsForTheConnection() throws Exception {
        installer("0.1.0", controller()).install(firstInstall(), token());

        Golden.assertMatches(FOLDER, "first-install.txt", windows.transcript(tmp));
        assertEquals(1, enrollments.get());
        assertTrue(new IdentityStore(dataDir).exists());
        assertEquals("D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)", windows.acl(dataDir).sddl());
        assertEquals(Optional.of(installDir.resolve(WinswConfig.WRAPPER_EXE).toString()), windows.registered);
        assertTrue(windows.running);
        assertEquals("the wrapper", Files.readString(installDir.resolve(WinswConfig.WRAPPER_EXE)));
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(installDir.resolve(WinswConfig.WRAPPER_XML).toFile());
        assertEquals(java.toString(), xml.getElementsByTagName("executable").item(0).getTextContent());
        assertTrue(Files.readString(dataDir.resolve(WinswConfig.CONFIG)).contains("target: [mailenable, iis]\n"));
        assertEquals("0.1.0\n", Files.readString(dataDir.resolve(Versions.FILE)));
        String said = output();
        assertTrue(said.contains("enrolled as mx1.example.com (host id h-1)"), said);
        assertTrue(said.contains("mx1.example.com is connected to the controller at " + CONTROLLER), said);
        String secret = pki.token().encode();
        assertFalse(said.contains(secret) || windows.commands().stream().anyMatch(c -> c.display().contains(secret)));
    }

    @Test
    void anUpgradeKeepsTheIdentityStateAndSettingsAndRestartsTheRegisteredService() throws Exception {
        installer("0.1.0", controller()).install(firstInstall(), token());
        byte[] key = Files.readAllBytes(dataDir.resolve("identity/agent.key"));
        Path applied = Files.write(dataDir.resolve("state/applied.pb"), new byte[] {1, 2, 3});
        Files.writeString(dataDir.resolve(WinswConfig.CONFIG), "# the admin's note\n", StandardOpenOption.APPEND);
        windows.forgetCommands();
        windows.running = false; // install-agent.ps1 stopped it before replacing the jar

        installer("0.2.0", controller()).install(request(List.of(), false, false), noToken());

        Golden.assertMatches(FOLDER, "upgrade.txt", windows.transcript(tmp));
        assertEquals(1, enrollments.get());
        assertArrayEquals(key, Files.readAllBytes(dataDir.resolve("identity/agent.key")));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(applied));
        assertTrue(Files.readString(dataDir.resolve(WinswConfig.CONFIG)).endsWith("target: [mailenable, iis]\n"
                + "# the admin's note\n"));
        assertEquals("0.2.0\n", Files.readString(dataDir.resolve(Versions.FILE)));
        assertTrue(output().contains("kept the identity of mx1.example.com"), output());
        assertTrue(output().contains("(was 0.1.0)"), output());
    }

    @Test
    void anUpgradeWithTargetsReplacesOnlyTheTargetEntry() throws Exception {
        installer("0.1.0", controller()).install(firstInstall(), token());

        installer("0.1.0", controller()).install(request(List.of("mailenable"), false, false), noToken());

        List<String> lines = Files.readAllLines(dataDir.resolve(WinswConfig.CONFIG));
        assertEquals("target: [mailenable]", lines.get(lines.size() - 1));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("data-dir: ")).count());
    }

    @Test
    void aDowngradeIsRefusedBeforeAnythingChanges() throws Exception {
        installer("0.3.0", controller()).install(firstInstall(), token());
        windows.forgetCommands();
        Map<String, String> before = tree(tmp);

        AgentException e = assertThrows(AgentException.class, () -> installer("0.2.0", controller())
                .install(request(List.of(), false, false), noToken()));

        assertTrue(e.getMessage().contains("last used by mailcert-agent 0.3.0, newer than this 0.2.0"), e.getMessage());
        assertTrue(e.getMessage().endsWith("nothing was changed"), e.getMessage());
        assertEquals(List.of(), windows.commands());
        assertEquals(before, tree(tmp));
    }

    @Test
    void allowDowngradeInstallsTheOlderVersion() throws Exception {
        installer("0.3.0", controller()).install(firstInstall(), token());

        installer("0.3.0-SNAPSHOT", controller()).install(request(List.of(), false, true), noToken());

        assertEquals("0.3.0-SNAPSHOT\n", Files.readString(dataDir.resolve(Versions.FILE)));
        assertTrue(output().contains("downgrading from 0.3.0 to 0.3.0-SNAPSHOT"), output());
    }

    @Test
    void forceEnrollsAgainEvenWithAnIdentity() throws Exception {
        installer("0.1.0", controller()).install(firstInstall(), token());
        byte[] key = Files.readAllBytes(dataDir.resolve("identity/agent.key"));

        installer("0.1.0", controller()).install(request(List.of(), true, false), token());

        assertEquals(2, enrollments.get());
        assertFalse(Arrays.equals(key, Files.readAllBytes(dataDir.resolve("identity/agent.key"))));
    }

    @Test
    void theCheckRunsTheRefusalsAndChangesNothing() throws Exception {
        Map<String, String> before = tree(tmp);
        Files.delete(installDir.resolve(WinswConfig.JAR)); // install-agent.ps1 checks before it copies the jar

        installer("0.1.0", controller()).check(firstInstall(), token());

        assertEquals("$ sc.exe qc mailcert-agent\n", windows.transcript(tmp));
        assertTrue(output().contains("ready to install mailcert-agent 0.1.0, enrolling; nothing was changed"), output());
        assertEquals(0, enrollments.get());
        before.remove(tmp.relativize(installDir.resolve(WinswConfig.JAR)).toString());
        assertEquals(before, tree(tmp));
        AgentException e = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .check(request(List.of(), false, false), token()));
        assertTrue(e.getMessage().startsWith("a first install needs --target"), e.getMessage());
    }

    @Test
    void aWinswWithAnotherHashIsRefusedAndNothingChanges() throws Exception {
        Map<String, String> before = tree(tmp);
        InstallRequest pinned = new InstallRequest(installDir, dataDir, winsw, WinswBuild.PINNED.sha256(), java,
                Optional.of(CONTROLLER), List.of("mailenable"), false, false);

        AgentException e = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .install(pinned, token()));

        assertTrue(e.getMessage().contains("has SHA-256 " + sha256(winsw) + ", not the pinned "
                + WinswBuild.PINNED.sha256()), e.getMessage());
        assertEquals(List.of(), windows.commands());
        assertEquals(before, tree(tmp));
        assertEquals(0, enrollments.get());
    }

    @Test
    void explicitGrantsOfAHandMadeDataDirAreRemovedAndTheAclReadBack() throws Exception {
        Files.createDirectories(dataDir.resolve("identity"));
        windows.acl(dataDir).explicitOthers.put("BU", "S-1-5-32-545");
        windows.acl(dataDir).explicitOthers.put("S-1-5-21-1004336348-1177238915-682003330-1001",
                "S-1-5-21-1004336348-1177238915-682003330-1001");

        installer("0.1.0", controller()).install(firstInstall(), token());

        Golden.assertMatches(FOLDER, "hand-made-data-dir.txt", windows.transcript(tmp));
        assertEquals("D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)", windows.acl(dataDir).sddl());
    }

    @Test
    void aCustomInstallDirThatUsersMayWriteIsRestrictedBeforeTheServiceIsRegistered() throws Exception {
        windows.acl(installDir).explicitOthers.put("BU", "S-1-5-32-545");

        installer("0.1.0", controller()).install(firstInstall(), token());

        assertEquals("D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)", windows.acl(installDir).sddl());
        String commands = windows.transcript(tmp);
        assertTrue(commands.indexOf("icacls <tmp>/Program Files/mailcert-agent /remove:g *S-1-5-32-545")
                < commands.indexOf("mailcert-agent-service.exe install"), commands);
    }

    @Test
    void anInstallDirWhoseAclCannotBeFixedStopsTheInstallBeforeAnythingRuns() throws Exception {
        windows.acl(installDir).explicitOthers.put("BU", "S-1-5-32-545");
        windows.removeDoesNothing = true;

        AgentException e = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .install(firstInstall(), token()));

        assertTrue(e.getMessage().startsWith("the install dir " + installDir + " is not restricted to SYSTEM and"
                + " Administrators: it also grants S-1-5-32-545"), e.getMessage());
        assertEquals(0, enrollments.get());
        assertFalse(Files.exists(dataDir));
        assertTrue(windows.registered.isEmpty());
    }

    @Test
    void anAclThatStillGrantsSomeoneElseStopsTheInstallBeforeTheIdentityIsWritten() throws Exception {
        Files.createDirectories(dataDir);
        windows.acl(dataDir).explicitOthers.put("BU", "S-1-5-32-545");
        windows.removeDoesNothing = true;

        AgentException e = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .install(firstInstall(), token()));

        assertTrue(e.getMessage().startsWith("the data dir " + dataDir + " is not restricted to SYSTEM and"
                + " Administrators: it also grants S-1-5-32-545"), e.getMessage());
        assertEquals(0, enrollments.get());
        assertFalse(new IdentityStore(dataDir).exists());
        assertTrue(windows.registered.isEmpty());
    }

    @Test
    void aServiceThatNeverStartsFailsNamingTheLogsAndIsNotRecordedAsInstalled() throws Exception {
        windows.neverStarts = true;

        AgentException e = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .install(firstInstall(), token()));

        assertTrue(e.getMessage().startsWith("the service mailcert-agent did not start within 30 s (status: STOPPED);"
                + " see the logs in " + dataDir.resolve("logs")), e.getMessage());
        assertTrue(e.getMessage().contains("done before: restricted " + installDir + " to SYSTEM and Administrators,"
                + " restricted " + dataDir + " to SYSTEM and Administrators, enrolled as mx1.example.com"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("fix that and run the install again"), e.getMessage());
        assertFalse(Files.exists(dataDir.resolve(Versions.FILE)));
        assertEquals(31, windows.commands().stream().filter(c -> c.arguments().contains("status")).count());
    }

    @Test
    void anAgentThatDoesNotConnectOrIsRevokedFails() throws Exception {
        windows.reports = Optional.empty();
        AgentException silent = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .install(firstInstall(), token()));
        assertTrue(silent.getMessage().startsWith("the service mailcert-agent is running but it did not connect to the"
                + " controller within 60 s (no status written yet); see the logs in " + dataDir.resolve("logs")),
                silent.getMessage());

        windows.reports = Optional.of(Connection.REVOKED);
        AgentException revoked = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .install(request(List.of(), false, false), noToken()));
        assertTrue(revoked.getMessage().startsWith("the service mailcert-agent is running but the controller refuses"
                + " this host (connection revoked)"), revoked.getMessage());
        assertFalse(Files.exists(dataDir.resolve(Versions.FILE)));
    }

    @Test
    void aFailedEnrollmentLeavesNoDataDirAndNoService() throws Exception {
        EnrollmentClient refusing = (address, trust, request) -> {
            throw new EnrollmentException(EnrollmentException.Reason.TOKEN_REFUSED, "the controller refused the token", null);
        };

        AgentException e = assertThrows(AgentException.class, () -> installer("0.1.0", refusing)
                .install(firstInstall(), token()));

        assertTrue(e.getMessage().startsWith("the controller refused the token; done before: restricted"), e.getMessage());
        assertFalse(Files.exists(dataDir));
        assertTrue(windows.registered.isEmpty());
        assertFalse(Files.exists(installDir.resolve(WinswConfig.WRAPPER_EXE)));
    }

    @Test
    void refusalsComeBeforeAnyChange() throws Exception {
        Map<String, String> before = tree(tmp);
        assertRefused(request(List.of(), false, false), "a first install needs --target (mailenable, iis or both)");
        assertRefused(new InstallRequest(installDir, dataDir, winsw, sha256(winsw), java, Optional.empty(),
                List.of("iis"), false, false), "--controller HOST:PORT is needed to enroll this host");
        assertRefused(new InstallRequest(installDir, Path.of("relative"), winsw, sha256(winsw), java,
                Optional.of(CONTROLLER), List.of("iis"), false, false), "the path relative must be absolute");
        assertRefused(new InstallRequest(tmp.resolve("100%"), dataDir, winsw, sha256(winsw), java,
                Optional.of(CONTROLLER), List.of("iis"), false, false), "must not be empty or contain %");
        assertRefused(new InstallRequest(installDir, dataDir, winsw, sha256(winsw), tmp.resolve("no-java.exe"),
                Optional.of(CONTROLLER), List.of("iis"), false, false), "no-java.exe does not exist");
        windows.registered = Optional.of("D:\\old\\mailcert-agent-service.exe");
        assertRefused(firstInstall(), "registered for D:\\old\\mailcert-agent-service.exe, not "
                + installDir.resolve(WinswConfig.WRAPPER_EXE));
        assertEquals(before, tree(tmp));
        assertEquals(0, enrollments.get());

        ServiceHost linux = new ServiceHost(org.mailcert.agent.target.windows.Platform.current(), windows,
                windows.clock(), windows.sleeper(), new PrintStream(out, true, UTF_8));
        AgentException e = assertThrows(AgentException.class, () -> new WindowsServiceInstaller(linux,
                new Enroller(controller(), windows.clock()), "0.1.0").install(firstInstall(), token()));
        assertTrue(e.getMessage().startsWith("mailcert-agent service install runs only on Windows"), e.getMessage());
    }

    private void assertRefused(InstallRequest request, String fragment) {
        AgentException e = assertThrows(AgentException.class, () -> installer("0.1.0", controller())
                .install(request, token()));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().endsWith("nothing was changed"), e.getMessage());
    }

    @Test
    void uninstallRemovesTheServiceAndWrapperAndKeepsTheData() throws Exception {
        installer("0.1.0", controller()).install(firstInstall(), token());
        windows.forgetCommands();

        new WindowsServiceUninstaller(host()).uninstall(installDir, dataDir, false);

        Golden.assertMatches(FOLDER, "uninstall.txt", windows.transcript(tmp));
        assertTrue(windows.registered.isEmpty());
        assertFalse(Files.exists(installDir.resolve(WinswConfig.WRAPPER_EXE)));
        assertFalse(Files.exists(installDir.resolve(WinswConfig.WRAPPER_XML)));
        assertTrue(Files.exists(installDir.resolve(WinswConfig.JAR)), "the jar is install-agent.ps1's to remove");
        assertTrue(new IdentityStore(dataDir).exists());
        assertTrue(output().contains("kept " + dataDir), output());
    }

    @Test
    void uninstallWithPurgeDeletesTheDataDir() throws Exception {
        installer("0.1.0", controller()).install(firstInstall(), token());
        windows.forgetCommands();

        new WindowsServiceUninstaller(host()).uninstall(installDir, dataDir, true);

        Golden.assertMatches(FOLDER, "uninstall.txt", windows.transcript(tmp));
        assertFalse(Files.exists(dataDir));
        assertTrue(windows.registered.isEmpty());
    }

    @Test
    void uninstallOfAnAbsentServiceOnlyRemovesWhatIsLeft() throws Exception {
        Files.writeString(installDir.resolve(WinswConfig.WRAPPER_XML), "<service/>");

        new WindowsServiceUninstaller(host()).uninstall(installDir, dataDir, false);

        assertEquals("$ sc.exe qc mailcert-agent\n", windows.transcript(tmp));
        assertFalse(Files.exists(installDir.resolve(WinswConfig.WRAPPER_XML)));
        assertTrue(output().contains("not registered"), output());
    }

    /** Every file under {@code root} with its content, to show that nothing changed. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                files.put(root.relativize(p).toString(), Files.isDirectory(p) ? "/"
                        : HexFormat.of().formatHex(Files.readAllBytes(p)));
            }
        }
        return files;
    }
}
