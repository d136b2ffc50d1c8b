package org.mailcert.agent.target.courier;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;

/**
 * The mail domains Courier accepts mail for: {@code hosteddomains} and {@code locals}, each a file
 * or a directory of files (as {@code makehosteddomains} reads them), one domain a line, an alias
 * line {@code alias<TAB>domain} giving both. Comments, {@code !} exclusions and {@code .domain}
 * subdomain entries are skipped, as are names without a dot ({@code localhost}).
 */
final class CourierDomains {
    private final Path configDir;

    CourierDomains(Path configDir) {
        this.configDir = configDir;
    }

    /** The valid domains, sorted; what cannot be read goes to {@code problems}. */
    List<String> read(List<String> problems) {
        Set<String> domains = new TreeSet<>();
        for (String name : List.of("hosteddomains", "locals")) {
            for (Path file : files(configDir.resolve(name), problems)) {
                readFile(file, domains, problems);
            }
        }
        return List.copyOf(domains);
    }

    private static List<Path> files(Path path, List<String> problems) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(path)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            problems.add("cannot list " + path + ": " + e.getMessage());
            return List.of();
        }
    }

    private static void readFile(Path file, Set<String> domains, List<String> problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, UTF_8);
        } catch (IOException e) {
            problems.add("cannot read " + file + ": " + e.getMessage());
            return;
        }
        for (String line : lines) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#") || entry.startsWith("!")) {
                continue;
            }
            List<String> names = new ArrayList<>(List.of(entry.split("\\s+")));
            for (String n : names) {
                if (n.startsWith(".") || !n.contains(".")) {
                    continue;
                }
                try {
                    domains.add(DnsNames.hostname(n));
                } catch (InvalidNameException e) {
                    problems.add(file.getFileName() + ": skipped " + e.getMessage());
                }
            }
        }
    }
}
