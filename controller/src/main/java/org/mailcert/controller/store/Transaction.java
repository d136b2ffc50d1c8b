package org.mailcert.controller.store;

import java.security.PrivateKey;
import java.time.Instant;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.AdminToken;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.IssuerSecrets;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.JoinToken;

/**
 * The writes of one {@link Store#write} call, buffered until it returns. Reads go to the store
 * (committed state); a transaction does not see its own buffered writes.
 */
public interface Transaction {

    /**
     * The revision this transaction commits at. Records that carry a revision should be written
     * with it. It becomes the store's revision only if the transaction writes something other than
     * events.
     */
    long revision();

    /** The store's clock reading for this transaction; use it for created/used timestamps. */
    Instant now();

    void putHost(Host host);

    void deleteHost(String fqdn);

    /**
     * Records what a host's agent reported. Like events, this does not move the revision: reports
     * are observed state, not desired state.
     */
    void putHostStatus(HostStatus status);

    /** Stores a version and its private key, sealed with the certificate name and version as AAD. */
    void putCertificateVersion(CertificateVersion version, PrivateKey key);

    /** Deletes every version of a name and their keys. */
    void deleteCertificate(String name);

    void putBinding(Binding binding);

    void deleteBinding(BindingKey key);

    void putJoinToken(JoinToken token);

    void putAdminToken(AdminToken token);

    void deleteAdminToken(String name);

    /**
     * Appends an event. The store fills in sequence and time ({@link #now()}) now, and at commit the
     * revision: this transaction's if it changes anything besides events, else 0.
     */
    Event appendEvent(Event draft);

    /** Stores an issuer with its secrets, sealed with the issuer name and the secret's role as AAD. */
    void putIssuer(Issuer issuer, IssuerSecrets secrets);

    /**
     * Stores the ACME record of a certificate name. Like events, this does not move the revision:
     * attempts and schedules are not desired state.
     */
    void putAcmeOrder(AcmeOrder order);

    /** Removes the ACME record of a certificate name (it is no longer renewed). */
    void deleteAcmeOrder(String certificate);

    /** Stores one of the controller's own private keys, sealed with {@code purpose} as AAD. */
    void putControllerKey(String purpose, PrivateKey key);
}
