package org.mailcert.agent.target.postfix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Pem;

/**
 * A stand-in for postconf, postmap and postfix in unit tests: main.cf is a map in memory, {@code
 * postmap -F} writes a database file (mode 0644, so the target must narrow it), {@code postmap -q -}
 * answers from the source file, and the probe serves what the configuration last reloaded says.
 * Records every command.
 */
final class FakePostfix implements CommandRunner, TlsProbe {
    static final String MASTER = "smtp inet n - y - - smtpd\n"
            + "127.0.0.1:465 inet n - y - - smtpd -o smtpd_tls_wrappermode=yes\n";

    final Map<String, String> mainCf = new LinkedHashMap<>();
    final List<Command> commands = new ArrayList<>();
    int reloads;
    Map<String, String> loaded = Map.of();
    /** The probe reports this leaf for everything while {@link #reloads} equals {@link #lieAtReload}. */
    String forcedLeaf = "0".repeat(64);
    int lieAtReload = -1;
    private int probes;

    FakePostfix() {
        mainCf.put("smtpd_tls_security_level", "may");
    }

    @Override
    public synchronized CommandResult run(Command command) {
        commands.add(command);
        List<String> a = command.arguments().subList(3, command.arguments().size());
        try {
            return switch (command.program()) {
                case "postconf" -> postconf(a);
                case "postmap" -> postmap(a, command.input());
                case "postfix" -> {
                    reloads++;
                    loaded = Map.copyOf(mainCf);
                    yield CommandResult.exited(0, "");
                }
                default -> new CommandResult(127, "", "unknown program", false);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CommandResult postconf(List<String> a) {
        StringBuilder out = new StringBuilder();
        switch (a.get(0)) {
            case "-n" -> mainCf.forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
            case "-h" -> out.append(a.get(1).equals("default_database_type") ? "hash"
                    : a.get(1).equals("mail_version") ? "3.7.11" : mainCf.getOrDefault(a.get(1), "")).append('\n');
            case "-M" -> out.append(MASTER);
            case "-e" -> a.subList(1, a.size()).forEach(kv -> mainCf.put(kv.substring(0, kv.indexOf('=')),
                    kv.substring(kv.indexOf('=') + 1)));
            case "-X" -> a.subList(1, a.size()).forEach(mainCf::remove);
            default -> a.forEach(k -> out.append(k).append(" = ").append(mainCf.getOrDefault(k, "")).append('\n'));
        }
        return CommandResult.exited(0, out.toString());
    }

    private CommandResult postmap(List<String> a, String input) throws IOException {
        if (a.get(0).equals("-F") && a.get(1).equals("-i")) {
            // Incremental update of a copied database: apply the input lines to the copy.
            Path source = Path.of(a.get(3).substring(a.get(3).indexOf(':') + 1));
            Path db = source.resolveSibling(source.getFileName() + ".db");
            Map<String, SniMap.Entry> entries = new java.util.LinkedHashMap<>(SniMap.parse(Files.readString(db)));
            entries.putAll(SniMap.parse(input));
            Files.writeString(db, SniMap.render(entries));
            return CommandResult.exited(0, "");
        }
        if (a.get(0).equals("-d")) {
            Path source = Path.of(a.get(2).substring(a.get(2).indexOf(':') + 1));
            Path db = source.resolveSibling(source.getFileName() + ".db");
            Map<String, SniMap.Entry> entries = new java.util.LinkedHashMap<>(SniMap.parse(Files.readString(db)));
            input.lines().forEach(entries::remove);
            Files.writeString(db, SniMap.render(entries));
            return CommandResult.exited(0, "");
        }
        if (a.get(0).equals("-F")) {
            Path source = Path.of(a.get(1).substring(a.get(1).indexOf(':') + 1));
            Files.writeString(source.resolveSibling(source.getFileName() + ".db"), Files.readString(source));
            return CommandResult.exited(0, "");
        }
        // postmap -q - type:file, keys on stdin: "key TAB base64(files)" for each key present.
        Path source = Path.of(a.get(2).substring(a.get(2).indexOf(':') + 1));
        Map<String, SniMap.Entry> db = SniMap.parse(Files.readString(source.resolveSibling(source.getFileName()
                + ".db")));
        StringBuilder out = new StringBuilder();
        for (String key : input.lines().toList()) {
            SniMap.Entry e = db.get(key);
            if (e != null) {
                String files = Files.readString(e.keyFile()) + "\n" + Files.readString(e.chainFile());
                out.append(key).append('\t').append(java.util.Base64.getEncoder()
                        .encodeToString(files.getBytes(java.nio.charset.StandardCharsets.UTF_8))).append('\n');
            }
        }
        return CommandResult.exited(out.length() == 0 ? 1 : 0, out.toString());
    }

    @Override
    public synchronized ProbeResult probe(Endpoint endpoint, Optional<String> sni) throws ProbeException {
        probes++;
        try {
            Path file;
            Optional<SniMap.Entry> entry = Optional.empty();
            String maps = loaded.get(PostfixTarget.SNI_MAPS);
            if (sni.isPresent() && maps != null) {
                entry = SniMap.lookup(SniMap.parse(Files.readString(Path.of(maps.substring(maps.indexOf(':') + 1)
                        + ".db"))), sni.get());
            }
            if (entry.isPresent()) {
                file = entry.get().chainFile();
            } else if (loaded.containsKey(PostfixTarget.CHAIN_FILES)) {
                file = Path.of(loaded.get(PostfixTarget.CHAIN_FILES));
            } else {
                throw new ProbeException(endpoint + ": no certificate configured", null);
            }
            var leaf = Pem.readCertificates(Files.readAllBytes(file)).get(0);
            String sha = Fingerprints.sha256Hex(leaf);
            if (reloads == lieAtReload) {
                sha = forcedLeaf;
            }
            return new ProbeResult(leaf, sha);
        } catch (Exception e) {
            throw new ProbeException(endpoint + ": " + e.getMessage(), e);
        }
    }

    /** How many handshakes were asked for. */
    synchronized int probes() {
        return probes;
    }

    /** The commands as lines, with the paths and hashes that differ between runs replaced. */
    synchronized String transcript(Map<String, String> replacements) {
        StringBuilder out = new StringBuilder();
        for (Command c : commands) {
            String line = c.display();
            for (Map.Entry<String, String> r : replacements.entrySet()) {
                line = line.replace(r.getKey(), r.getValue());
            }
            out.append(line.replaceAll("sni-[0-9a-f]{16}", "sni-<hash>")).append('\n');
        }
        return out.toString();
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
