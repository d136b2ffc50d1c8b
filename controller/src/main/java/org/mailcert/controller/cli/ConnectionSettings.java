package org.mailcert.controller.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.mailcert.common.net.ControllerAddress;

/**
 * Where the controller is, which CA to trust and which admin token to send, resolved from flags,
 * then environment variables, then the files a local controller writes in {@code ./var/controller}.
 *
 * @param address     the controller's address
 * @param caFile      CA certificates to trust (resolved path); empty means the JDK's default roots
 * @param token       the admin token
 * @param tokenOrigin where the token came from, for error messages ("file X", "MAILCERT_TOKEN")
 */
record ConnectionSettings(ControllerAddress address, Optional<Path> caFile, String token, String tokenOrigin) {

    static final String ENV_CONTROLLER = "MAILCERT_CONTROLLER";
    static final String ENV_TOKEN_FILE = "MAILCERT_TOKEN_FILE";
    static final String ENV_TOKEN = "MAILCERT_TOKEN";
    static final String ENV_CA = "MAILCERT_CA";
    static final Path DEFAULT_TOKEN_FILE = Path.of("var", "controller", "admin.token");
    static final Path DEFAULT_CA_FILE = Path.of("var", "controller", "ca.pem");

    /** What the global flags said; null means not given. */
    record Flags(ControllerAddress controller, Path tokenFile, Path caFile) {
    }

    /**
     * Resolves the settings. Order: flag, then environment, then the default file when it exists.
     * For the token: {@code --token-file}, {@code MAILCERT_TOKEN}, {@code MAILCERT_TOKEN_FILE},
     * {@code ./var/controller/admin.token}.
     */
    static ConnectionSettings resolve(Flags flags, Map<String, String> env, LocalFiles files) throws CliException {
        ControllerAddress address = address(flags, env);
        Optional<Path> caFile = caFile(flags, env, files);
        Token token = token(flags, env, files);
        if (!token.value().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new CliException("the admin token from " + token.origin()
                    + " contains spaces or characters other than printable ASCII; check that it holds just the token");
        }
        return new ConnectionSettings(address, caFile, token.value(), token.origin());
    }

    private static ControllerAddress address(Flags flags, Map<String, String> env) throws CliException {
        if (flags.controller() != null) {
            return flags.controller();
        }
        Optional<String> fromEnv = get(env, ENV_CONTROLLER);
        if (fromEnv.isEmpty()) {
            return ControllerAddress.DEFAULT;
        }
        try {
            return ControllerAddress.parse(fromEnv.get());
        } catch (IllegalArgumentException e) {
            throw new CliException(ENV_CONTROLLER + " is invalid: " + e.getMessage());
        }
    }

    private static Optional<Path> caFile(Flags flags, Map<String, String> env, LocalFiles files) throws CliException {
        Path given;
        String origin;
        if (flags.caFile() != null) {
            given = flags.caFile();
            origin = "--ca-file";
        } else if (get(env, ENV_CA).isPresent()) {
            given = Path.of(get(env, ENV_CA).get());
            origin = ENV_CA;
        } else {
            return files.exists(DEFAULT_CA_FILE) ? Optional.of(files.resolve(DEFAULT_CA_FILE)) : Optional.empty();
        }
        if (!files.exists(given)) {
            throw new CliException("cannot read the CA file " + given + " (from " + origin
                    + "): no such file; give the controller's ca.pem (it sits in the controller's data dir)");
        }
        return Optional.of(files.resolve(given));
    }

    private record Token(String value, String origin) {
        @Override
        public String toString() {
            return "Token[origin=" + origin + "]";
        }
    }

    private static Token token(Flags flags, Map<String, String> env, LocalFiles files) throws CliException {
        if (flags.tokenFile() != null) {
            return new Token(readToken(flags.tokenFile(), "--token-file", files), "file " + flags.tokenFile());
        }
        Optional<String> inline = get(env, ENV_TOKEN);
        if (inline.isPresent()) {
            return new Token(inline.get(), ENV_TOKEN);
        }
        Optional<String> file = get(env, ENV_TOKEN_FILE);
        if (file.isPresent()) {
            Path path = Path.of(file.get());
            return new Token(readToken(path, ENV_TOKEN_FILE, files), "file " + path);
        }
        if (files.exists(DEFAULT_TOKEN_FILE)) {
            return new Token(readToken(DEFAULT_TOKEN_FILE, "the token file", files), "file " + DEFAULT_TOKEN_FILE);
        }
        throw new CliException("no admin token: pass --token-file FILE or set MAILCERT_TOKEN_FILE or MAILCERT_TOKEN"
                + " (the controller writes admin.token in its data dir; ./" + DEFAULT_TOKEN_FILE.toString().replace('\\', '/')
                + " is used when present)");
    }

    private static String readToken(Path path, String origin, LocalFiles files) throws CliException {
        String token = files.firstLine(path, origin).strip();
        if (token.isEmpty()) {
            throw new CliException(origin + " " + path + " is empty; give the file that holds an admin token");
        }
        return token;
    }

    private static Optional<String> get(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "ConnectionSettings[address=" + address + ", caFile=" + caFile + ", token=<redacted>, tokenOrigin="
                + tokenOrigin + "]";
    }
}
