package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An ACME issuer: a CA's directory, the account there and how DNS-01 is proven. Holds no secret:
 * the account key, the EAB HMAC key and the TSIG secret are {@link IssuerSecrets}, sealed apart.
 *
 * @param directoryCaPem PEM roots trusted for the directory's TLS besides the JDK's; empty for none
 * @param eabKid the External Account Binding key id; empty without EAB
 * @param accountUrl the account at the CA; empty until registered
 * @param accountState {@link #REGISTERED}, or why the last registration failed
 * @param profiles what the CA offers, learnt at registration; empty when unknown
 * @param ari whether the CA serves renewalInfo (RFC 9773)
 */
public record Issuer(String name, String directoryUrl, String email, String directoryCaPem, String eabKid,
        DnsSolverConfig dns, String accountUrl, String accountState, Instant created, List<String> profiles,
        boolean ari) {
    /** The account state of a registered issuer. */
    public static final String REGISTERED = "registered";
    /** The account state of an issuer not yet registered. */
    public static final String UNREGISTERED = "not registered yet";

    public Issuer {
        profiles = List.copyOf(profiles);
    }

    /** Whether the account is registered at the CA. */
    public boolean registered() {
        return !accountUrl.isEmpty() && REGISTERED.equals(accountState);
    }

    /** The EAB key id, if the issuer uses EAB. */
    public Optional<String> eab() {
        return eabKid.isEmpty() ? Optional.empty() : Optional.of(eabKid);
    }

    /** This issuer registered at {@code url}, offering {@code profiles} and ARI or not. */
    public Issuer registeredAt(String url, List<String> offered, boolean hasAri) {
        return new Issuer(name, directoryUrl, email, directoryCaPem, eabKid, dns, url, REGISTERED, created, offered,
                hasAri);
    }

    /** This issuer with its registration failed for {@code why}. */
    public Issuer registrationFailed(String why) {
        return new Issuer(name, directoryUrl, email, directoryCaPem, eabKid, dns, accountUrl, why, created, profiles,
                ari);
    }
}
