package org.mailcert.agent.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory's access list as {@code icacls DIR /save FILE} writes it: the DACL part of an SDDL string
 * ({@code D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)}). SDDL names principals by SID or a two-letter alias,
 * never by a localized account name, so the check works on any language of Windows.
 *
 * @param protectedFromInheritance whether the DACL has the {@code P} flag (no inherited entries)
 * @param entries the access entries in order
 */
record Dacl(boolean protectedFromInheritance, List<Ace> entries) {
    /** LocalSystem. */
    static final String SYSTEM = "S-1-5-18";
    /** BUILTIN\Administrators. */
    static final String ADMINISTRATORS = "S-1-5-32-544";
    /** SDDL's aliases of well-known SIDs that a hand-made ACL may name (MS-DTYP 2.4.2.4). */
    private static final Map<String, String> ALIASES = Map.ofEntries(Map.entry("SY", SYSTEM),
            Map.entry("BA", ADMINISTRATORS), Map.entry("BU", "S-1-5-32-545"), Map.entry("BG", "S-1-5-32-546"),
            Map.entry("PU", "S-1-5-32-547"), Map.entry("BO", "S-1-5-32-551"), Map.entry("RD", "S-1-5-32-555"),
            Map.entry("WD", "S-1-1-0"), Map.entry("AU", "S-1-5-11"), Map.entry("IU", "S-1-5-4"),
            Map.entry("NU", "S-1-5-2"), Map.entry("SU", "S-1-5-6"), Map.entry("AN", "S-1-5-7"),
            Map.entry("LS", "S-1-5-19"), Map.entry("NS", "S-1-5-20"), Map.entry("CO", "S-1-3-0"),
            Map.entry("CG", "S-1-3-1"), Map.entry("OW", "S-1-3-4"), Map.entry("AC", "S-1-15-2-1"));
    private static final Pattern DACL = Pattern.compile("D:([A-Z]*)((?:\\([^)]*\\))*)");
    private static final Pattern ACE = Pattern.compile("\\(([^)]*)\\)");

    /**
     * One access entry.
     *
     * @param type {@code A} allow, {@code D} deny, or another SDDL ACE type
     * @param flags inheritance flags ({@code OICI}, {@code ID}, ...)
     * @param rights the rights ({@code FA}, {@code 0x1200a9}, ...)
     * @param sid the principal: a SID ({@code S-1-5-21-...}) or an alias resolved to one where known
     */
    record Ace(String type, String flags, String rights, String sid) {
        /** Whether the entry grants access (allow or object-allow). */
        boolean grants() {
            return type.equals("A") || type.equals("OA") || type.equals("XA") || type.equals("ZA");
        }

        /** Whether it is full control inherited by files and subdirectories. */
        boolean fullControlForEverything() {
            String r = rights.toUpperCase(Locale.ROOT);
            return grants() && flags.contains("OI") && flags.contains("CI") && (r.equals("FA") || r.equals("0X1F01FF"));
        }
    }

    /**
     * Parses the first SDDL string in {@code text} (what {@code icacls /save} wrote: the file name on one line,
     * the SDDL on the next).
     *
     * @throws IllegalArgumentException if there is no DACL in it
     */
    static Dacl parse(String text) {
        Matcher m = DACL.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no DACL (D:...) in the saved ACL");
        }
        List<Ace> entries = new ArrayList<>();
        Matcher ace = ACE.matcher(m.group(2));
        while (ace.find()) {
            String[] f = ace.group(1).split(";", -1);
            if (f.length < 6) {
                throw new IllegalArgumentException("ACE (" + ace.group(1) + ") has fewer than six fields");
            }
            String sid = f[5].strip().toUpperCase(Locale.ROOT);
            entries.add(new Ace(f[0], f[1], f[2], ALIASES.getOrDefault(sid, sid)));
        }
        return new Dacl(m.group(1).contains("P"), List.copyOf(entries));
    }

    /** The principals other than SYSTEM and Administrators that some entry grants access, in order, once each. */
    List<String> otherGrantees() {
        return entries.stream().filter(Ace::grants).map(Ace::sid)
                .filter(s -> !s.equals(SYSTEM) && !s.equals(ADMINISTRATORS)).distinct().toList();
    }

    /** What is wrong with it for a directory only SYSTEM and Administrators may use; empty when nothing. */
    Optional<String> problem() {
        if (!protectedFromInheritance) {
            return Optional.of("it still inherits entries from its parent");
        }
        if (!otherGrantees().isEmpty()) {
            return Optional.of("it also grants " + String.join(", ", otherGrantees()));
        }
        for (String sid : List.of(SYSTEM, ADMINISTRATORS)) {
            if (entries.stream().noneMatch(a -> a.sid().equals(sid) && a.fullControlForEverything())) {
                return Optional.of(sid + " lacks full control (OI)(CI)F");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code sid} is a SID string icacls accepts as {@code *SID} (an unknown alias is not). */
    static boolean isSid(String sid) {
        return sid.matches("S-1(-\\d+)+");
    }
}
