package org.mailcert.controller.cli;

import com.google.protobuf.ProtocolMessageEnum;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.Binding;
import org.mailcert.proto.v1.CertificateVersion;
import org.mailcert.proto.v1.DriftAction;
import org.mailcert.proto.v1.Role;
import org.mailcert.proto.v1.Scope;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How values look in tables: times, enum names, lists, certificate facts. */
final class Formats {
    private Formats() {
    }

    /** ISO-8601 UTC to the second, or {@code -} when unset. */
    static String time(Timestamp t) {
        if (t == null || (t.getSeconds() == 0 && t.getNanos() == 0)) {
            return Table.EMPTY;
        }
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(t.getSeconds()));
    }

    /**
     * A proto enum in lower case without its type prefix: {@code SCOPE_MAIL} is {@code mail},
     * {@code HOST_STATE_PENDING_ENROLLMENT} is {@code pending-enrollment}; unspecified is {@code -}.
     */
    static String name(ProtocolMessageEnum value) {
        String constant = ((Enum<?>) value).name();
        if (constant.equals("UNRECOGNIZED")) {
            return "unknown";
        }
        String prefix = value.getDescriptorForType().getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                .toUpperCase(Locale.ROOT) + "_";
        String bare = constant.startsWith(prefix) ? constant.substring(prefix.length()) : constant;
        if (bare.equals("UNSPECIFIED")) {
            return Table.EMPTY;
        }
        return bare.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A proto enum as words: {@code RUN_OUTCOME_CORRECTIVE_CHANGE} is {@code corrective change}. */
    static String words(ProtocolMessageEnum value) {
        return name(value).replace('-', ' ');
    }

    /** What the agent did about a drift item: repaired, would change, repair failed or reported. */
    static String action(DriftAction action) {
        return action == DriftAction.DRIFT_ACTION_UNSPECIFIED ? "reported" : words(action);
    }

    /** A window in the largest whole unit: {@code 30 days}, {@code 12 hours}, {@code 90 seconds}. */
    static String window(long seconds) {
        if (seconds > 0 && seconds % 86_400 == 0) {
            return count(seconds / 86_400, "day");
        }
        if (seconds > 0 && seconds % 3_600 == 0) {
            return count(seconds / 3_600, "hour");
        }
        if (seconds > 0 && seconds % 60 == 0) {
            return count(seconds / 60, "minute");
        }
        return count(seconds, "second");
    }

    /** Days left of a certificate: {@code 12}, or {@code -3 (expired)} once it has ended. */
    static String daysLeft(long days) {
        return days < 0 ? days + " (expired)" : Long.toString(days);
    }

    /** {@code 1 binding}, {@code 2 bindings}. */
    static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun + "s");
    }

    /** {@code yes} or {@code no}. */
    static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    /** Items joined with {@code ", "}, or {@code -}. */
    static String list(Collection<String> items) {
        return items.isEmpty() ? Table.EMPTY : String.join(", ", items);
    }

    /** Map entries as {@code key value} joined with {@code ", "}, sorted by key. */
    static String map(Map<String, String> entries, String separator) {
        if (entries.isEmpty()) {
            return Table.EMPTY;
        }
        return new TreeMap<>(entries).entrySet().stream()
                .map(e -> e.getKey() + separator + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** {@code trusted}, {@code self-signed} or {@code untrusted}. */
    static String trust(CertificateVersion v) {
        if (v.getTrusted()) {
            return "trusted";
        }
        return v.getSelfSigned() ? "self-signed" : "untrusted";
    }

    /** Trust with the reason when it is not trusted. */
    static String trustWithReason(CertificateVersion v) {
        return v.getTrusted() || v.getTrustProblem().isBlank() ? trust(v) : trust(v) + ": " + v.getTrustProblem();
    }

    /** {@code EC 256}, {@code RSA 2048}, or {@code -}. */
    static String key(CertificateVersion v) {
        if (v.getKeyType().isBlank()) {
            return Table.EMPTY;
        }
        return v.getKeyBits() > 0 ? v.getKeyType() + " " + v.getKeyBits() : v.getKeyType();
    }

    /** The common name of a distinguished name, or the whole name when it has none. */
    static String commonName(String dn) {
        for (String part : dn.split("(?<!\\\\),")) {
            String p = part.strip();
            if (p.regionMatches(true, 0, "CN=", 0, 3)) {
                return p.substring(3).replace("\\,", ",");
            }
        }
        return dn;
    }

    /** The binding's scope and domain: {@code server}, {@code mail example.com}. */
    static String scopeAndDomain(Binding b) {
        return b.getDomain().isBlank() ? name(b.getScope()) : name(b.getScope()) + " " + b.getDomain();
    }

    /** Warnings joined with {@code "; "}, or {@code -}. */
    static String warnings(Collection<String> warnings) {
        return warnings.isEmpty() ? Table.EMPTY : String.join("; ", warnings);
    }

    /** Parses the scope words people type: server, mail, webmail. */
    static Scope scope(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "server" -> Scope.SCOPE_SERVER;
            case "mail" -> Scope.SCOPE_MAIL;
            case "webmail" -> Scope.SCOPE_WEBMAIL;
            default -> throw new IllegalArgumentException(
                    "unknown scope '" + word + "'; use server, mail or webmail");
        };
    }

    /** Converts viewer, operator or admin. */
    static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "viewer" -> Role.ROLE_VIEWER;
                case "operator" -> Role.ROLE_OPERATOR;
                case "admin" -> Role.ROLE_ADMIN;
                default -> throw new TypeConversionException("'" + value + "' is not a role; use viewer, operator or admin");
            };
        }
    }
}
