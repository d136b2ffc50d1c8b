package org.mailcert.agent.target.postfix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;

/**
 * The mail domains in Postfix's domain lists ({@code mydestination}, {@code
 * virtual_mailbox_domains}, {@code virtual_alias_domains}, already expanded with {@code postconf
 * -x}): plain names, {@code /file} patterns, {@code inline:{...}} and the keys of indexed tables
 * listed with {@code postmap -s}. Tables that cannot be listed (SQL, LDAP, regexp, ...) become a
 * problem line. Only valid host names are kept, lower case, sorted, without {@code localhost},
 * {@code localhost.*} and the server's own name ({@code myhostname}).
 */
final class MailDomains {
    /** The main.cf parameters that name the domains this host receives mail for. */
    static final String[] PARAMETERS = {"mydestination", "virtual_mailbox_domains", "virtual_alias_domains"};
    /**
     * The parameters read: the domain lists and {@code myhostname}, which Debian's {@code
     * mydestination} lists but which is the server's own name (served by the server-wide
     * certificate), not a mail domain that wants {@code mail.<domain>}.
     */
    static final String[] QUERIED = {"mydestination", "virtual_mailbox_domains", "virtual_alias_domains", "myhostname"};
    /** Table types whose keys {@code postmap -s} can list. */
    static final Set<String> LISTABLE = Set.of("hash", "btree", "lmdb", "cdb", "dbm", "sdbm", "texthash");

    /** Lists a table's keys and values ({@code postmap -s}). */
    interface TableLister {
        String list(String typedTable) throws ToolException, InterruptedException;
    }

    private MailDomains() {
    }

    /**
     * The domains named by the parameters' values.
     *
     * @param expanded parameter name to expanded value
     * @param lister lists indexed tables
     * @param problems where to add a line for each table or file that could not be read
     */
    static List<String> discover(Map<String, String> expanded, TableLister lister, List<String> problems)
            throws InterruptedException {
        Set<String> names = new TreeSet<>();
        for (String parameter : PARAMETERS) {
            for (String token : tokens(expanded.getOrDefault(parameter, ""))) {
                for (String candidate : candidates(parameter, token, lister, problems)) {
                    add(names, candidate);
                }
            }
        }
        String own = expanded.getOrDefault("myhostname", "").strip().toLowerCase(Locale.ROOT);
        names.remove(own);
        return List.copyOf(names);
    }

    private static List<String> candidates(String parameter, String token, TableLister lister, List<String> problems)
            throws InterruptedException {
        if (token.startsWith("/")) {
            try {
                return tokens(Files.readAllLines(Path.of(token), StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.strip().startsWith("#")).reduce("", (a, b) -> a + "\n" + b));
            } catch (IOException e) {
                problems.add(parameter + ": cannot read " + token + ": " + e.getMessage());
                return List.of();
            }
        }
        int colon = token.indexOf(':');
        if (colon <= 0 || !token.substring(0, colon).matches("[a-z0-9_]+")) {
            return List.of(token);
        }
        String type = token.substring(0, colon);
        if (type.equals("inline")) {
            String body = token.substring(colon + 1).replaceAll("^\\{|}$", "");
            return tokens(body).stream().map(e -> e.contains("=") ? e.substring(0, e.indexOf('=')).strip() : e)
                    .toList();
        }
        if (!LISTABLE.contains(type)) {
            problems.add(parameter + ": cannot list the names in " + token + " (" + type
                    + " table); its domains are not discovered");
            return List.of();
        }
        try {
            List<String> keys = new ArrayList<>();
            for (String line : lister.list(token).split("\\R")) {
                String[] f = line.strip().split("\\s+", 2);
                if (!f[0].isEmpty()) {
                    keys.add(f[0]);
                }
            }
            return keys;
        } catch (ToolException e) {
            problems.add(parameter + ": cannot list " + token + ": " + e.getMessage());
            return List.of();
        }
    }

    private static void add(Set<String> names, String candidate) {
        String name;
        try {
            name = DnsNames.hostname(candidate.toLowerCase(Locale.ROOT));
        } catch (InvalidNameException e) {
            return; // an address key (user@domain), a pattern or anything else that is not a domain
        }
        if (!name.equals("localhost") && !name.startsWith("localhost.")) {
            names.add(name);
        }
    }

    /** Splits a Postfix list on commas and white space, keeping {@code {...}} groups whole. */
    static List<String> tokens(String value) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        for (char c : value.toCharArray()) {
            if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
            }
            if (depth == 0 && (c == ',' || Character.isWhitespace(c))) {
                if (!current.isEmpty()) {
                    tokens.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            tokens.add(current.toString());
        }
        return tokens;
    }
}
