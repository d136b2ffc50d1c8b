package org.mailcert.common.pki;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mailcert.common.pki.BadMaterialException.Reason;

/** Puts certificates in chain order: leaf first, each next one the issuer of the one before. */
public final class Chains {
    private static final String BROKEN = "the certificates do not form one chain: ";

    private Chains() {}

    /**
     * Orders the certificates leaf first, each next one the issuer of the previous (same DN and a
     * signature that verifies), dropping exact duplicates. The last one may be issued by a root
     * that is not included; any other gap, an unrelated certificate or a second leaf is refused.
     *
     * @throws BadMaterialException NO_CERTIFICATE for an empty list, CHAIN_BROKEN with the reason
     */
    public static List<X509Certificate> order(List<X509Certificate> certs)
            throws BadMaterialException {
        if (certs == null || certs.isEmpty()) {
            throw new BadMaterialException(Reason.NO_CERTIFICATE, "there is no certificate");
        }
        List<X509Certificate> unique = withoutDuplicates(certs);
        int n = unique.size();
        int[] issuerOf = new int[n];
        Arrays.fill(issuerOf, -1);
        boolean[] issuesAnother = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && issued(unique.get(i), unique.get(j))) {
                    if (issuerOf[i] < 0) {
                        issuerOf[i] = j;
                    }
                    issuesAnother[j] = true;
                }
            }
        }
        int leaf = leaf(unique, issuesAnother, issuerOf);
        List<X509Certificate> path = new ArrayList<>(n);
        boolean[] used = new boolean[n];
        for (int at = leaf; at >= 0 && !used[at]; at = issuerOf[at]) {
            used[at] = true;
            path.add(unique.get(at));
        }
        for (int i = 0; i < n; i++) {
            if (!used[i]) {
                String[] names = distinct(unique.get(i), unique.get(leaf));
                throw new BadMaterialException(Reason.CHAIN_BROKEN, BROKEN + names[0]
                        + " is not on the path of leaf " + names[1]
                        + " (an unrelated certificate, or an intermediate is missing)");
            }
        }
        return List.copyOf(path);
    }

    /**
     * Picks the one certificate that issues no other. Among several, end-entity certificates are
     * preferred over CAs, and then the one with the longest path up; a tie means two leaves.
     */
    private static int leaf(List<X509Certificate> certs, boolean[] issuesAnother, int[] issuerOf)
            throws BadMaterialException {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < certs.size(); i++) {
            if (!issuesAnother[i]) {
                candidates.add(i);
            }
        }
        if (candidates.isEmpty()) {
            throw new BadMaterialException(Reason.CHAIN_BROKEN,
                    BROKEN + "they issue each other in a loop, so none is the leaf");
        }
        List<Integer> endEntities = new ArrayList<>();
        for (int i : candidates) {
            if (certs.get(i).getBasicConstraints() < 0) {
                endEntities.add(i);
            }
        }
        List<Integer> pool = endEntities.isEmpty() ? candidates : endEntities;
        pool.sort(Comparator.comparingInt((Integer i) -> pathLength(i, issuerOf)).reversed());
        if (pool.size() > 1
                && pathLength(pool.get(0), issuerOf) == pathLength(pool.get(1), issuerOf)) {
            String[] names = distinct(certs.get(pool.get(0)), certs.get(pool.get(1)));
            throw new BadMaterialException(Reason.CHAIN_BROKEN, BROKEN + "two leaf certificates, "
                    + names[0] + " and " + names[1] + "; a file holds one leaf and its own chain");
        }
        return pool.get(0);
    }

    private static int pathLength(int from, int[] issuerOf) {
        int length = 0;
        for (int at = from; at >= 0 && length <= issuerOf.length; at = issuerOf[at]) {
            length++;
        }
        return length;
    }

    /** Describes two certificates, adding serials when their subjects read the same. */
    private static String[] distinct(X509Certificate a, X509Certificate b) {
        String first = Subjects.describe(a);
        String second = Subjects.describe(b);
        if (first.equals(second)) {
            first += " (serial " + a.getSerialNumber().toString(16) + ")";
            second += " (serial " + b.getSerialNumber().toString(16) + ")";
        }
        return new String[] {first, second};
    }

    /**
     * Tells whether the certificates are already in order by their names: each one's issuer is the
     * next one's subject, no certificate appears twice, and only the first is an end entity. This
     * checks no signature, so it is for material whose chain was validated already (the controller
     * does, with signatures and trust, when it is imported): it tells a server's file in the wrong
     * order or with a stray certificate apart from a good one in microseconds, where {@link #order}
     * verifies a signature per pair (about 1 ms each for ECDSA).
     */
    public static boolean inIssuerOrder(List<X509Certificate> chain) {
        if (chain == null || chain.isEmpty()) {
            return false;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            if (!seen.add(Fingerprints.sha256Hex(c)) || (i > 0 && c.getBasicConstraints() < 0)) {
                return false;
            }
            if (i + 1 < chain.size()
                    && !c.getIssuerX500Principal().equals(chain.get(i + 1).getSubjectX500Principal())) {
                return false;
            }
        }
        return true;
    }

    /** Tells whether {@code parent} issued {@code child}: matching DNs and a valid signature. */
    static boolean issued(X509Certificate child, X509Certificate parent) {
        if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
            return false;
        }
        try {
            child.verify(parent.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static List<X509Certificate> withoutDuplicates(List<X509Certificate> certs) {
        Set<String> seen = new HashSet<>();
        List<X509Certificate> unique = new ArrayList<>(certs.size());
        for (X509Certificate cert : certs) {
            if (seen.add(Fingerprints.sha256Hex(cert))) {
                unique.add(cert);
            }
        }
        return unique;
    }
}
