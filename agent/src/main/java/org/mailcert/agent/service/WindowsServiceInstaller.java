package org.mailcert.agent.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.mailcert.agent.AgentException;
import org.mailcert.agent.facts.HostFactsReader;
import org.mailcert.agent.identity.AgentSettings;
import org.mailcert.agent.identity.Enroller;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.AgentStatus;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.net.ControllerAddress;

/**
 * {@code mailcert-agent service install}: makes this host's agent a running Windows service, or upgrades
 * it in place. Everything that can be refused is checked before anything changes ({@link #check} runs
 * only that): Windows, absolute paths, the WinSW hash, java.exe, no downgrade, a token and controller when enrolling,
 * targets on a first install, the service not registered for another executable). Then, in order: the install
 * dir and the data dir (created) are restricted to SYSTEM and Administrators; the agent enrolls if it has no identity (or
 * with {@code force}), else the identity is kept; the settings file is written or kept; the wrapper and
 * its XML are put in the install dir (a running service is stopped first); the service is registered if it
 * is not; it is started and must report Started and then a connection to the controller; last, the version
 * is recorded as installed. A failure names what was done so far; running the install again finishes it.
 */
public final class WindowsServiceInstaller {
    private final ServiceHost host;
    private final Enroller enroller;
    private final String version;

    /**
     * @param host the machine
     * @param enroller enrolls when there is no identity
     * @param version this build's version ({@link org.mailcert.agent.AgentVersion#current()})
     */
    public WindowsServiceInstaller(ServiceHost host, Enroller enroller, String version) {
        this.host = Objects.requireNonNull(host, "host");
        this.enroller = Objects.requireNonNull(enroller, "enroller");
        this.version = Objects.requireNonNull(version, "version");
    }

    /**
     * Runs every check {@link #install} runs before it changes anything, and changes nothing; the jar need
     * not be in the install dir yet. install-agent.ps1 runs this with the new jar before it stops the old
     * service and replaces the files.
     *
     * @param token the join token, asked for only when the install would enroll (parsed, not sent)
     * @throws AgentException with a one-line message when a check refuses
     */
    public void check(InstallRequest r, Supplier<JoinTokenValue> token) throws AgentException, InterruptedException {
        Plan plan = plan(r, token);
        host.out().println("ready to install mailcert-agent " + version + plan.previous().map(p -> " over " + p)
                .orElse("") + (plan.token().isPresent() ? ", enrolling" : ", keeping the identity") + "; nothing was"
                + " changed");
    }

    /**
     * Installs or upgrades the service.
     *
     * @param token the join token, asked for only when enrolling (it is never logged or printed)
     * @throws AgentException with a one-line message when a check refuses or a step fails
     */
    public void install(InstallRequest r, Supplier<JoinTokenValue> token) throws AgentException, InterruptedException {
        Plan plan = plan(r, token);
        requireFile(r.installDir().resolve(WinswConfig.JAR), "the agent jar (install-agent.ps1 puts it there)");
        List<String> done = new ArrayList<>();
        try {
            // What runs as SYSTEM: a custom install dir that users may write to would let them replace it.
            host.acl().restrict(r.installDir(), "the install dir");
            done.add("restricted " + r.installDir() + " to SYSTEM and Administrators");
            host.out().println("install dir " + r.installDir() + ": only SYSTEM and Administrators have access");
            prepareDataDir(r, new IdentityStore(r.dataDir()), plan.token(), done);
            settings(r.dataDir().resolve(WinswConfig.CONFIG), r, done);
            placeWrapper(r, plan.xml(), plan.registered(), done);
            start(r, plan.registered(), done);
            Versions.recordInstalled(r.dataDir(), version);
        } catch (AgentException | IOException e) {
            throw new ServiceException(describe(e) + (done.isEmpty() ? "" : "; done before: "
                    + String.join(", ", done)) + "; fix that and run the install again", e);
        }
        host.out().println("installed mailcert-agent " + version + plan.previous().map(p -> " (was " + p + ")")
                .orElse("") + "; logs in " + r.dataDir().resolve(WinswConfig.LOGS));
    }

    /**
     * What the checks found.
     *
     * @param previous the version installed before
     * @param token the join token when enrolling
     * @param registered whether the service exists (for this wrapper)
     * @param xml the wrapper configuration
     */
    private record Plan(Optional<String> previous, Optional<JoinTokenValue> token, boolean registered, WinswConfig xml) {
    }

    /** The checks, in order; nothing changes. */
    private Plan plan(InstallRequest r, Supplier<JoinTokenValue> token) throws AgentException, InterruptedException {
        host.check("install", r.installDir(), r.dataDir(), r.winsw(), r.javaExe());
        WinswConfig xml = wrapperConfig(r);
        WinswBuild.verify(r.winsw(), r.winswSha256());
        requireFile(r.javaExe(), "java.exe (give --java FILE)");
        Optional<String> previous = checkDowngrade(r);
        boolean enroll = r.force() || !new IdentityStore(r.dataDir()).exists();
        if (enroll && r.controller().isEmpty()) {
            throw new ServiceException("--controller HOST:PORT is needed to enroll this host; nothing was changed");
        }
        Optional<JoinTokenValue> joinToken = enroll ? Optional.of(token.get()) : Optional.empty();
        if (r.targets().isEmpty() && !Files.exists(r.dataDir().resolve(WinswConfig.CONFIG))) {
            throw new ServiceException("a first install needs --target (mailenable, iis or both); nothing was changed");
        }
        Path wrapper = r.installDir().resolve(WinswConfig.WRAPPER_EXE);
        Optional<String> registered = host.registration().executable();
        if (registered.isPresent() && !ServiceRegistration.samePath(registered.get(), wrapper.toString())) {
            throw new ServiceException("the service " + WinswConfig.SERVICE_ID + " is registered for "
                    + registered.get() + ", not " + wrapper + "; uninstall it from there first; nothing was changed");
        }
        return new Plan(previous, joinToken, registered.isPresent(), xml);
    }

    private static WinswConfig wrapperConfig(InstallRequest r) throws ServiceException {
        try {
            return r.wrapperConfig();
        } catch (IllegalArgumentException e) {
            throw new ServiceException(e.getMessage() + "; nothing was changed");
        }
    }

    private static void requireFile(Path file, String what) throws ServiceException {
        if (!Files.isRegularFile(file)) {
            throw new ServiceException(file + " does not exist: " + what + "; nothing was changed");
        }
    }

    /** The installed version, after refusing a newer one (unless allowed). */
    private Optional<String> checkDowngrade(InstallRequest r) throws ServiceException {
        Optional<String> installed;
        try {
            installed = Versions.installed(r.dataDir());
        } catch (IOException e) {
            throw new ServiceException("cannot read " + r.dataDir().resolve(Versions.FILE) + ": " + e.getMessage(), e);
        }
        if (installed.isPresent() && Versions.ORDER.compare(installed.get(), version) > 0) {
            if (!r.allowDowngrade()) {
                throw new ServiceException("the data dir " + r.dataDir() + " was last used by mailcert-agent "
                        + installed.get() + ", newer than this " + version + "; install " + installed.get()
                        + " or newer, or give --allow-downgrade (-AllowDowngrade) if that version's state may be read"
                        + " by an older agent; nothing was changed");
            }
            host.out().println("downgrading from " + installed.get() + " to " + version + " (--allow-downgrade)");
        }
        return installed;
    }

    private void prepareDataDir(InstallRequest r, IdentityStore identity, Optional<JoinTokenValue> token,
            List<String> done) throws AgentException, IOException, InterruptedException {
        boolean created = !Files.isDirectory(r.dataDir());
        Files.createDirectories(r.dataDir());
        host.acl().restrict(r.dataDir(), "the data dir");
        done.add("restricted " + r.dataDir() + " to SYSTEM and Administrators");
        host.out().println("data dir " + r.dataDir() + ": only SYSTEM and Administrators have access");
        if (token.isEmpty()) {
            AgentSettings kept = identity.loadSettings();
            host.out().println("kept the identity of " + kept.host() + " (controller " + kept.controller()
                    + "); --force enrolls again");
            return;
        }
        ControllerAddress controller = r.controller().orElseThrow();
        Enroller.Result result;
        try {
            result = enroller.enroll(controller, token.get(), HostFactsReader.current(), identity, r.force());
        } catch (AgentException e) {
            if (created) {
                deleteIfEmpty(r.dataDir());
            }
            throw e;
        }
        result.forgetReplacedHostState(r.dataDir()).ifPresent(host.out()::println);
        done.add("enrolled as " + result.host());
        host.out().println("enrolled as " + result.host() + " (host id " + result.hostId() + ") with the controller at "
                + controller);
    }

    private void settings(Path config, InstallRequest r, List<String> done) throws IOException {
        if (!Files.exists(config)) {
            ServiceConfigFile.create(config, r.dataDir(), r.targets());
            done.add("wrote " + config);
            host.out().println("settings: wrote " + config + " (target " + String.join(",", r.targets()) + ")");
        } else if (!r.targets().isEmpty()) {
            ServiceConfigFile.replaceTargets(config, r.targets());
            done.add("set the targets in " + config);
            host.out().println("settings: kept " + config + ", target now " + String.join(",", r.targets()));
        } else {
            host.out().println("settings: kept " + config);
        }
    }

    private void placeWrapper(InstallRequest r, WinswConfig xml, boolean registered, List<String> done)
            throws AgentException, IOException, InterruptedException {
        Path exe = r.installDir().resolve(WinswConfig.WRAPPER_EXE);
        if (registered && Files.exists(exe)) {
            host.wrapper(r.installDir()).stopAndWait();
            done.add("stopped the service");
        }
        Files.copy(r.winsw(), exe, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.write(r.installDir().resolve(WinswConfig.WRAPPER_XML), xml.render().getBytes(StandardCharsets.UTF_8),
                AtomicFiles.PUBLIC_READ);
        done.add("wrote " + exe + " and its XML");
    }

    private void start(InstallRequest r, boolean registered, List<String> done)
            throws AgentException, InterruptedException {
        Winsw winsw = host.wrapper(r.installDir());
        if (!registered) {
            winsw.install();
            done.add("registered the service");
        }
        Path logs = r.dataDir().resolve(WinswConfig.LOGS);
        Readiness readiness = new Readiness(host.clock(), host.sleeper());
        Instant startedAt = host.clock().instant();
        winsw.start();
        readiness.awaitStarted(winsw, logs);
        done.add("started the service");
        AgentStatus status = readiness.awaitConnected(new StatusStore(r.dataDir()), startedAt, logs);
        host.out().println("service " + WinswConfig.SERVICE_ID + " " + (registered ? "restarted" : "registered and"
                + " started") + "; " + status.host() + " is connected to the controller at " + status.controller());
    }

    /** The message of an agent error (one line already); an I/O error also says what kind it was. */
    static String describe(Exception e) {
        return e instanceof IOException ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getMessage();
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty or in use: left as it is
        }
    }
}
