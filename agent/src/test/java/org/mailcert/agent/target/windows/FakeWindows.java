package org.mailcert.agent.target.windows;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.MaterialReader;

/**
 * A Windows host simulated for the Windows targets: a registry (32-bit view), services, the machine
 * store, IIS's webmail site bindings and HTTP.sys's SNI certificate bindings, answering {@code reg},
 * {@code sc}, {@code netsh} and the targets' PowerShell scripts with outputs in Windows' format (fixtures
 * under {@code fixtures/windows/}; the IIS and netsh ones are written after published examples, not
 * recorded on a Windows host), and probes that serve what MailEnable would (the store certificate whose
 * FriendlyName the registry names, or, with {@link #sniServed}, the one named like the SNI name) or what
 * IIS would ({@link #iisProbe}). Records every command for golden files. Thread-safe.
 */
public final class FakeWindows implements CommandRunner {
    /** What each command was, for golden files and secret checks. */
    private final List<Command> commands = new ArrayList<>();
    public final Map<String, String> registry = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    public final Map<String, Boolean> services = new LinkedHashMap<>();
    /** Thumbprint to FriendlyName. */
    public final Map<String, String> store = new LinkedHashMap<>();
    public final Map<String, X509Certificate> leaves = new LinkedHashMap<>();
    public final Set<String> failRestart = new HashSet<>();
    public boolean sniServed;
    /** Restart count: the n-th restart of a service in {@link #failRestart} fails only while positive. */
    public int failures = Integer.MAX_VALUE;
    /** IIS: what {@code Get-Website} prints (a fixture). */
    public String websites = fixture("get-website.json");
    /** IIS: the webmail site's bindings as protocol, bindingInformation, sslFlags. */
    public final List<List<String>> webBindings = new ArrayList<>(List.of(List.of("http", "*:80:", "0")));
    /** HTTP.sys: {@code host:port} to thumbprint, application id, store name. */
    public final Map<String, List<String>> sslCerts = new TreeMap<>();
    /** Names whose HTTPS handshake fails (the site does not answer for them). */
    public final Set<String> unreachable = new HashSet<>();
    /** Whether every PFX existed, was owner-only and decrypted with the password from the environment. */
    public final List<String> pfxChecks = new ArrayList<>();

    /** Puts a certificate into the store with its FriendlyName. */
    public synchronized void storeHas(X509Certificate leaf, String friendlyName) {
        String t = CertStore.thumbprint(leaf);
        store.put(t, friendlyName);
        leaves.put(t, leaf);
    }

    public synchronized List<Command> commands() {
        return List.copyOf(commands);
    }

    @Override
    public synchronized CommandResult run(Command c) {
        commands.add(c);
        List<String> a = c.arguments();
        return switch (a.get(0)) {
            case "reg" -> reg(a);
            case "sc" -> sc(a.get(2));
            case "powershell.exe" -> powershell(c.input(), c.environment());
            case "netsh" -> netsh(a);
            default -> new CommandResult(9009, "", "'" + a.get(0) + "' is not recognized", false);
        };
    }

    private CommandResult reg(List<String> a) {
        String key = a.get(2) + "\\" + a.get(4);
        switch (a.get(1)) {
            case "query" -> {
                String data = registry.get(key);
                if (data == null) {
                    return new CommandResult(1, "", fixture("reg-query-missing.txt"), false);
                }
                return CommandResult.exited(0, fixture("reg-query.txt").replace("@KEY@", a.get(2)
                        .replace("HKLM\\SOFTWARE\\", "")).replace("@VALUE@", a.get(4)).replace("@DATA@", data));
            }
            case "add" -> registry.put(key, a.get(a.indexOf("/d") + 1));
            case "delete" -> registry.remove(key);
            default -> throw new IllegalArgumentException(a.toString());
        }
        return CommandResult.exited(0, "The operation completed successfully.\r\n");
    }

    private CommandResult sc(String name) {
        Boolean running = services.get(name);
        if (running == null) {
            return CommandResult.exited(1060, fixture("sc-query-missing.txt").replace("@NAME@", name));
        }
        return CommandResult.exited(0, fixture(running ? "sc-query-running.txt" : "sc-query-stopped.txt")
                .replace("@NAME@", name));
    }

    private CommandResult powershell(String script, Map<String, String> env) {
        String thumb = env.get("MAILCERT_THUMBPRINT");
        if (script.contains("Get-Website")) {
            return CommandResult.exited(0, websites);
        } else if (script.contains("Get-WebBinding")) {
            return CommandResult.exited(0, webBindingsJson());
        } else if (script.contains("New-WebBinding")) {
            webBindings.add(List.of("https", "*:" + env.get("MAILCERT_PORT") + ":" + env.get("MAILCERT_HOST"), "1"));
        } else if (script.contains("Remove-WebBinding")) {
            webBindings.removeIf(b -> b.get(0).equals("https") && b.get(1).equals("*:" + env.get("MAILCERT_PORT") + ":"
                    + env.get("MAILCERT_HOST")));
        } else if (script.contains("InetStp")) {
            return CommandResult.exited(0, "Version 10.0\r\n");
        } else if (script.contains("Import-PfxCertificate")) {
            Path file = Path.of(env.get("MAILCERT_PFX_FILE"));
            try {
                pfxChecks.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                var m = MaterialReader.readPkcs12(Files.readAllBytes(file), env.get("MAILCERT_PFX_PASSWORD").toCharArray());
                X509Certificate leaf = m.chain().get(0);
                if (!CertStore.thumbprint(leaf).equals(thumb)) {
                    return new CommandResult(1, "", "the PFX did not yield certificate " + thumb, false);
                }
                storeHas(leaf, env.get("MAILCERT_FRIENDLY_NAME"));
            } catch (Exception e) {
                return new CommandResult(1, "", "cannot import: " + e.getMessage(), false);
            }
        } else if (script.contains("'present'")) {
            return CommandResult.exited(0, store.containsKey(thumb) ? "present\r\n" : "absent\r\n");
        } else if (script.contains("(replaced)")) {
            StringBuilder out = new StringBuilder();
            String name = env.get("MAILCERT_FRIENDLY_NAME");
            store.replaceAll((t, n) -> {
                if (n.equals(name) && !t.equals(thumb)) {
                    out.append(t).append("\r\n");
                    return n + " (replaced)";
                }
                return n;
            });
            return CommandResult.exited(0, out.toString());
        } else if (script.contains("Restart-Service")) {
            String s = env.get("MAILCERT_SERVICE");
            if (failRestart.contains(s) && failures-- > 0) {
                return new CommandResult(1, "", "Failed to start service '" + s + "'.", false);
            }
        } else if (script.contains("-DeleteKey")) {
            store.remove(thumb);
            leaves.remove(thumb);
        } else if (script.contains(").FriendlyName = $env:MAILCERT_FRIENDLY_NAME")) {
            store.put(thumb, env.get("MAILCERT_FRIENDLY_NAME"));
        }
        return CommandResult.exited(0, "");
    }

    /** {@code netsh http show|add|delete sslcert hostnameport=...} against {@link #sslCerts}. */
    private CommandResult netsh(List<String> a) {
        String hostPort = a.get(4).substring("hostnameport=".length());
        List<String> bound = sslCerts.get(hostPort);
        switch (a.get(2)) {
            case "show" -> {
                if (bound == null) {
                    return CommandResult.exited(1, fixture("netsh-show-sslcert-missing.txt"));
                }
                return CommandResult.exited(0, fixture("netsh-show-sslcert.txt").replace("@HOSTPORT@", hostPort)
                        .replace("@HASH@", bound.get(0).toLowerCase(java.util.Locale.ROOT)).replace("@APPID@", bound.get(1))
                        .replace("@STORE@", bound.get(2)));
            }
            case "add" -> {
                if (bound != null) {
                    return CommandResult.exited(1, "\r\nSSL Certificate add failed, Error: 183\r\nCannot create a file"
                            + " when that file already exists.\r\n\r\n");
                }
                sslCerts.put(hostPort, List.of(value(a, "certhash="), value(a, "appid="), value(a, "certstorename=")));
                return CommandResult.exited(0, "\r\nSSL Certificate successfully added\r\n\r\n");
            }
            case "delete" -> {
                if (bound == null) {
                    return CommandResult.exited(1, "\r\nSSL Certificate deletion failed, Error: 2\r\nThe system cannot"
                            + " find the file specified.\r\n\r\n");
                }
                sslCerts.remove(hostPort);
                return CommandResult.exited(0, "\r\nSSL Certificate successfully deleted\r\n\r\n");
            }
            default -> throw new IllegalArgumentException(a.toString());
        }
    }

    private static String value(List<String> arguments, String prefix) {
        return arguments.stream().filter(x -> x.startsWith(prefix)).map(x -> x.substring(prefix.length())).findFirst()
                .orElseThrow();
    }

    /** The webmail site's bindings as Windows PowerShell 5.1's {@code ConvertTo-Json} prints them. */
    public synchronized String webBindingsJson() {
        List<String> objects = new ArrayList<>();
        for (List<String> b : webBindings) {
            objects.add("    {\r\n        \"protocol\":  \"" + b.get(0) + "\",\r\n        \"bindingInformation\":  \""
                    + b.get(1) + "\",\r\n        \"sslFlags\":  " + b.get(2) + "\r\n    }");
        }
        return "[\r\n" + String.join(",\r\n", objects) + "\r\n]\r\n";
    }

    /**
     * A probe serving what this host's IIS would: for an SNI name with an https site binding, the certificate
     * HTTP.sys binds to {@code name:port}; nothing without SNI.
     */
    public TlsProbe iisProbe() {
        return (endpoint, sni) -> {
            synchronized (this) {
                String name = sni.orElseThrow(() -> new ProbeException(endpoint + ": no SNI, no site", null));
                boolean site = webBindings.stream().anyMatch(b -> b.get(0).equals("https") && b.get(1).equals("*:"
                        + endpoint.port() + ":" + name));
                List<String> bound = sslCerts.get(name + ":" + endpoint.port());
                if (unreachable.contains(name) || !site || bound == null || !leaves.containsKey(bound.get(0))) {
                    throw new ProbeException(endpoint + ": handshake for " + name + " failed", null);
                }
                X509Certificate leaf = leaves.get(bound.get(0));
                return new ProbeResult(leaf, Fingerprints.sha256Hex(leaf));
            }
        };
    }

    /** A probe serving what this host's MailEnable would. */
    public TlsProbe mailEnableProbe() {
        return (endpoint, sni) -> {
            synchronized (this) {
                Optional<String> name = sni.filter(n -> sniServed && store.containsValue(n))
                        .or(() -> Optional.ofNullable(registry.get("HKLM\\SOFTWARE\\Mail Enable\\Mail Enable\\Security"
                                + "\\Default SSL Certificate")));
                for (Map.Entry<String, String> e : store.entrySet()) {
                    if (name.isPresent() && e.getValue().equals(name.get())) {
                        X509Certificate leaf = leaves.get(e.getKey());
                        return new ProbeResult(leaf, Fingerprints.sha256Hex(leaf));
                    }
                }
                throw new ProbeException(endpoint + ": no certificate named " + name.orElse("(none)"), null);
            }
        };
    }

    /**
     * The commands as a golden file shows them: arguments, then each environment variable (the PFX
     * password as {@code <secret>}, the PFX path as {@code <pfx>}), then the script.
     */
    public synchronized String transcript() {
        return numberThumbprints(rawTranscript());
    }

    /** Thumbprints differ on every run (fresh test keys): each becomes {@code <T1>}, {@code <T2>}, ... by first use. */
    static String numberThumbprints(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b[0-9A-F]{40}\\b").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, labels.computeIfAbsent(m.group(), k -> "<T" + (labels.size() + 1) + ">"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String rawTranscript() {
        StringBuilder out = new StringBuilder();
        for (Command c : commands) {
            out.append("$ ").append(String.join(" ", c.arguments())).append('\n');
            new TreeMap<>(c.environment()).forEach((k, v) -> out.append("  env ").append(k).append('=')
                    .append(k.equals("MAILCERT_PFX_PASSWORD") ? "<secret>" : k.equals("MAILCERT_PFX_FILE") ? "<pfx>" : v)
                    .append('\n'));
            if (!c.input().isEmpty()) {
                c.input().lines().forEach(l -> out.append("  | ").append(l).append('\n'));
            }
        }
        return out.toString();
    }

    /**
     * Asserts that no PFX password was on any command line or in any script, that every PFX was owner-only,
     * and that no PFX file is left in {@code scratch}.
     */
    public synchronized void assertNoSecretLeft(Path scratch) throws IOException {
        for (Command c : commands) {
            String password = c.environment().get("MAILCERT_PFX_PASSWORD");
            if (password == null) {
                continue;
            }
            for (Command other : commands) {
                org.junit.jupiter.api.Assertions.assertFalse(other.arguments().stream().anyMatch(a -> a.contains(password))
                        || other.input().contains(password), other.display());
            }
        }
        pfxChecks.forEach(mode -> org.junit.jupiter.api.Assertions.assertEquals("rw-------", mode));
        if (Files.isDirectory(scratch)) {
            try (java.util.stream.Stream<Path> files = Files.list(scratch)) {
                org.junit.jupiter.api.Assertions.assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp"))
                        .toList(), "PFX files left");
            }
        }
    }

    /** A fixture under {@code fixtures/windows/}, as the fake answers with it. */
    public static String recorded(String name) {
        return fixture(name);
    }

    static String fixture(String name) {
        try (InputStream in = FakeWindows.class.getResourceAsStream("/fixtures/windows/" + name)) {
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
