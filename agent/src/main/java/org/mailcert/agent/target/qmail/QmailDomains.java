package org.mailcert.agent.target.qmail;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;

/**
 * The mail domains qmail accepts mail for: {@code control/rcpthosts} (one domain a line) and the
 * domain part of {@code control/virtualdomains} ({@code domain:prefix} or {@code user@domain:prefix}).
 * Entries for any subdomain ({@code .example.com}) name no one domain and are skipped, as are
 * names without a dot ({@code localhost}).
 */
final class QmailDomains {
    private final Path control;

    QmailDomains(Path control) {
        this.control = control;
    }

    /** The valid domains, sorted; what cannot be read goes to {@code problems}. */
    List<String> read(List<String> problems) {
        Set<String> domains = new TreeSet<>();
        readFile(control.resolve("rcpthosts"), false, domains, problems);
        readFile(control.resolve("virtualdomains"), true, domains, problems);
        return List.copyOf(domains);
    }

    private static void readFile(Path file, boolean virtual, Set<String> domains, List<String> problems) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, UTF_8);
        } catch (MalformedInputException e) {
            problems.add(file + " is not UTF-8 text");
            return;
        } catch (IOException e) {
            problems.add("cannot read " + file + ": " + e.getMessage());
            return;
        }
        for (String line : lines) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            if (virtual) {
                int colon = entry.indexOf(':');
                entry = colon < 0 ? entry : entry.substring(0, colon);
                entry = entry.substring(entry.indexOf('@') + 1);
            }
            if (entry.startsWith(".") || !entry.contains(".")) {
                continue;
            }
            try {
                domains.add(DnsNames.hostname(entry));
            } catch (InvalidNameException e) {
                problems.add(file.getFileName() + ": skipped " + e.getMessage());
            }
        }
    }
}
