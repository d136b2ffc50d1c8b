package org.mailcert.agent.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.mailcert.agent.AgentVersion;
import org.mailcert.agent.identity.Enroller;
import org.mailcert.agent.service.InstallRequest;
import org.mailcert.agent.service.ServiceHost;
import org.mailcert.agent.service.Sleeper;
import org.mailcert.agent.service.WindowsServiceInstaller;
import org.mailcert.agent.service.WindowsServiceUninstaller;
import org.mailcert.agent.service.WinswBuild;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.net.ControllerAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailcert-agent service install|uninstall}: the agent as a Windows service (WinSW). */
@Command(name = "service", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = "Install or remove the agent as a Windows service (WinSW). install-agent.ps1 runs these.",
        subcommands = {ServiceCommand.Install.class, ServiceCommand.Uninstall.class})
final class ServiceCommand implements Runnable {

    @ParentCommand
    AgentMain main;

    @Spec
    CommandSpec spec;

    /** {@code service} without a command is a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: install or uninstall");
    }

    private ServiceHost host() {
        return new ServiceHost(Platform.current(), main.services.commands(), main.services.clock(), Sleeper.SYSTEM,
                main.out);
    }

    /** {@code service install}. */
    @Command(name = "install", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
            description = {"Install or upgrade the Windows service mailcert-agent.",
                "Restricts the data dir to SYSTEM and Administrators, enrolls if there is no identity (the token from",
                "--token-file or MAILCERT_JOIN_TOKEN, never the command line), writes DATA\\config.yaml on the first",
                "install, puts the WinSW wrapper and its XML into the install dir, registers and starts the service",
                "and waits until the agent is connected. An upgrade keeps the identity, state and settings."})
    static final class Install implements Callable<Integer> {
        @ParentCommand
        ServiceCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--install-dir", required = true, paramLabel = "DIR",
                description = "Holds mailcert-agent.jar and lib\\; the wrapper goes here.")
        Path installDir;

        @Option(names = "--data-dir", required = true, paramLabel = "DIR",
                description = "Identity, state, config.yaml and logs (restricted to SYSTEM and Administrators).")
        Path dataDir;

        @Option(names = "--winsw", required = true, paramLabel = "FILE",
                description = "The downloaded WinSW-x64.exe (checked against its pinned SHA-256).")
        Path winsw;

        @Option(names = "--winsw-sha256", paramLabel = "HEX",
                description = "Accept another vetted WinSW build with this SHA-256 instead of the pinned one.")
        String winswSha256;

        @Option(names = "--java", paramLabel = "FILE",
                description = "The java.exe the service runs (default: the one running this command).")
        Path java;

        @Option(names = "--controller", paramLabel = "HOST:PORT", converter = ControllerAddress.Converter.class,
                description = "The controller to enroll with (needed when this host has no identity yet).")
        ControllerAddress controller;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "A file whose first line is the join token (else MAILCERT_JOIN_TOKEN).")
        Path tokenFile;

        @Option(names = "--target", paramLabel = "NAME", split = ",",
                description = "Targets for config.yaml: mailenable, iis (needed on the first install; replaces the"
                        + " target entry on an upgrade).")
        List<String> targets = new ArrayList<>();

        @Option(names = "--force", description = "Enroll again even if an identity exists.")
        boolean force;

        @Option(names = "--allow-downgrade", description = "Install even though a newer version used the data dir.")
        boolean allowDowngrade;

        @Option(names = "--check", description = "Only run the checks that come before any change, and change nothing.")
        boolean check;

        @Override
        public Integer call() throws Exception {
            AgentMain main = parent.main;
            InstallRequest request = new InstallRequest(installDir, dataDir, winsw,
                    sha256(), Optional.ofNullable(java).orElseGet(Install::currentJava), Optional.ofNullable(controller),
                    targets(), force, allowDowngrade);
            WindowsServiceInstaller installer = new WindowsServiceInstaller(parent.host(),
                    new Enroller(main.services.enrollment(), main.services.clock()), AgentVersion.current());
            Supplier<JoinTokenValue> token = () -> JoinTokens.read(null, tokenFile, main.env, spec.commandLine(),
                    "--token-file FILE");
            if (check) {
                installer.check(request, token);
            } else {
                installer.install(request, token);
            }
            return 0;
        }

        private String sha256() {
            try {
                return winswSha256 == null ? WinswBuild.PINNED.sha256() : WinswBuild.normalized(winswSha256);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--winsw-sha256: " + e.getMessage());
            }
        }

        /** The known target names, lower-case, once each; only targets that run on Windows. */
        private List<String> targets() {
            LinkedHashSet<String> names = new LinkedHashSet<>();
            for (String t : targets) {
                String name = t.strip().toLowerCase(Locale.ROOT);
                if (!RunCommand.WINDOWS_TARGETS.contains(name)) {
                    throw new ParameterException(spec.commandLine(), "--target " + t + ": the Windows service runs "
                            + String.join(" or ", RunCommand.WINDOWS_TARGETS));
                }
                names.add(name);
            }
            return List.copyOf(names);
        }

        private static Path currentJava() {
            return Path.of(System.getProperty("java.home"), "bin", "java.exe");
        }
    }

    /** {@code service uninstall}. */
    @Command(name = "uninstall", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
            description = {"Stop and remove the Windows service mailcert-agent and its wrapper.",
                "Keeps the data dir (identity, state, settings, logs) unless --purge."})
    static final class Uninstall implements Callable<Integer> {
        @ParentCommand
        ServiceCommand parent;

        @Option(names = "--install-dir", required = true, paramLabel = "DIR", description = "Where the wrapper is.")
        Path installDir;

        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The agent's data dir.")
        Path dataDir;

        @Option(names = "--purge", description = "Also delete the data dir: the identity is gone for good.")
        boolean purge;

        @Override
        public Integer call() throws Exception {
            new WindowsServiceUninstaller(parent.host()).uninstall(installDir, dataDir, purge);
            return 0;
        }
    }
}
