package org.mailcert.agent.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mailcert.agent.facts.HostFactsReader;
import org.mailcert.agent.identity.Enroller;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.net.ControllerAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

/** {@code mailcert-agent enroll}: trades a join token for this host's identity, once. */
@Command(name = "enroll", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = {"Enroll this host with the controller (once).",
            "Checks the controller against the CA pin in the token before sending it, makes a key that never",
            "leaves this host and stores the identity in the data dir."})
final class EnrollCommand implements Callable<Integer> {

    @ParentCommand
    AgentMain main;

    @Option(names = "--controller", required = true, paramLabel = "HOST:PORT",
            converter = ControllerAddress.Converter.class,
            description = "The controller's address (port 7443 if omitted); the agent keeps using it.")
    ControllerAddress controller;

    @Option(names = "--token", paramLabel = "TOKEN", converter = TokenConverter.class,
            description = "The join token from `mailcert token create --host FQDN` (single use). Visible to other"
                    + " local users in the process list: prefer --token-file or MAILCERT_JOIN_TOKEN on shared hosts.")
    JoinTokenValue token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file whose first line is the join token (instead of --token).")
    Path tokenFile;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./var/agent",
            description = "Where the identity and state live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--force", description = "Replace an existing identity.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        JoinTokenValue token = JoinTokens.read(this.token, tokenFile, main.env, spec.commandLine(),
                "--token TOKEN, --token-file FILE");
        IdentityStore store = new IdentityStore(dataDir);
        Enroller.Result result = new Enroller(main.services.enrollment(), main.services.clock())
                .enroll(controller, token, HostFactsReader.current(), store, force);
        result.forgetReplacedHostState(dataDir).ifPresent(main.out::println);
        main.out.println("enrolled as " + result.host() + " (host id " + result.hostId() + ") with the controller at "
                + controller);
        main.out.println("  identity:  " + store.directory() + " (client certificate valid until " + result.notAfter()
                + ", renewed automatically)");
        main.out.println("  next:      mailcert-agent run --data-dir " + dataDir + " --files-dir DIR");
        return 0;
    }

    /** Parses {@code --token} without echoing it; a bad value is a usage error. */
    static final class TokenConverter implements ITypeConverter<JoinTokenValue> {
        @Override
        public JoinTokenValue convert(String value) {
            try {
                return JoinTokenValue.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
