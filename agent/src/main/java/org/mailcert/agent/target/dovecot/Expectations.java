package org.mailcert.agent.target.dovecot;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mailcert.agent.target.mail.ProbeSample;
import org.mailcert.agent.target.mail.ServedCheck;

/**
 * What to probe when Dovecot moves from one include to another: the no-SNI default, every slot
 * whose certificate differs between the two (added, changed or removed; a {@link ProbeSample} of
 * them when there are very many, as on a first install of thousands of domains), and the first
 * few unchanged slots as a canary. The certificate expected for a name is resolved as Dovecot 2.3 does:
 * the exact {@code local_name}, else the wildcard one label up, else the server-wide default; a
 * name that would get no certificate mailcert knows (no default in the include) is not probed.
 */
final class Expectations {
    private Expectations() {
    }

    /**
     * The expectations for {@code now} being in force after {@code before}.
     *
     * @param before slot to served leaf of the include replaced ({@code ""} is the default)
     * @param now the same for the include in force
     * @param canaries how many unchanged slots to probe as well
     */
    static List<ServedCheck.Expectation> of(Map<String, IncludeFile.Listed> before,
            Map<String, IncludeFile.Listed> now, int canaries) {
        Set<String> slots = new LinkedHashSet<>();
        List<String> unchanged = new ArrayList<>();
        for (String slot : now.keySet()) {
            if (!slot.isEmpty() && same(before.get(slot), now.get(slot))) {
                unchanged.add(slot);
            } else if (!slot.isEmpty()) {
                slots.add(slot);
            }
        }
        for (String slot : before.keySet()) {
            if (!slot.isEmpty() && !now.containsKey(slot)) {
                slots.add(slot);
            }
        }
        List<String> proven = new ArrayList<>(ProbeSample.of(new ArrayList<>(slots),
                slot -> resolve(now, slot).map(IncludeFile.Listed::leafSha256).orElse(""), ProbeSample.MAX_PROVEN));
        proven.addAll(unchanged.subList(0, Math.min(canaries, unchanged.size())));
        List<ServedCheck.Expectation> expected = new ArrayList<>();
        Optional.ofNullable(now.get("")).ifPresent(
                d -> expected.add(new ServedCheck.Expectation(Optional.empty(), d.leafSha256(), d.bindingId())));
        for (String slot : proven) {
            String name = slot.startsWith("*.") ? "mailcert-probe." + slot.substring(2) : slot;
            resolve(now, name).ifPresent(l -> expected.add(
                    new ServedCheck.Expectation(Optional.of(name), l.leafSha256(), l.bindingId())));
        }
        return expected;
    }

    /** What Dovecot serves for {@code name} under {@code include}: exact, wildcard, default. */
    static Optional<IncludeFile.Listed> resolve(Map<String, IncludeFile.Listed> include, String name) {
        if (include.containsKey(name)) {
            return Optional.of(include.get(name));
        }
        int dot = name.indexOf('.');
        if (dot > 0 && include.containsKey("*" + name.substring(dot))) {
            return Optional.of(include.get("*" + name.substring(dot)));
        }
        return Optional.ofNullable(include.get(""));
    }

    private static boolean same(IncludeFile.Listed a, IncludeFile.Listed b) {
        return a != null && b != null && Objects.equals(a.leafSha256(), b.leafSha256());
    }
}
