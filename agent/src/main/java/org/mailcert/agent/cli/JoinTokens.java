package org.mailcert.agent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mailcert.common.enroll.JoinTokenValue;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Where a join token comes from: {@code --token} (where a command offers it), {@code --token-file} or
 * {@value #ENV}, exactly one of them. A bad token is a usage error whose message never repeats it.
 */
final class JoinTokens {
    /** Environment variable that may hold the join token. */
    static final String ENV = "MAILCERT_JOIN_TOKEN";

    private JoinTokens() {
    }

    /**
     * The token from {@code given} (null if not given), the first line of {@code file} (null if not given),
     * or the environment.
     *
     * @param options how the command spells its options, for the message when none is given
     * @throws ParameterException if none or more than one is given, the file is unreadable or the token bad
     */
    static JoinTokenValue read(JoinTokenValue given, Path file, Map<String, String> env, CommandLine cmd,
            String options) {
        if (given != null && file != null) {
            throw new ParameterException(cmd, "give --token or --token-file, not both");
        }
        if (given != null) {
            return given;
        }
        String text;
        String fromEnv = env.get(ENV);
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new ParameterException(cmd, "--token-file " + file + " is not a readable file");
            }
            try {
                text = Files.readAllLines(file).stream().findFirst().orElse("");
            } catch (IOException e) {
                throw new ParameterException(cmd, "cannot read --token-file " + file + ": " + e.getMessage());
            }
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            text = fromEnv;
        } else {
            throw new ParameterException(cmd, "a join token is needed: " + options + " or " + ENV);
        }
        try {
            return JoinTokenValue.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage());
        }
    }
}
