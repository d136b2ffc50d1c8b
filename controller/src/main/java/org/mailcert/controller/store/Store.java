package org.mailcert.controller.store;

import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;
import org.mailcert.controller.ControllerException;
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
 * The controller's durable state, in domain verbs. Reads see committed state. Every change goes
 * through {@link #write}, which commits all of a function's writes atomically (one batch, synced
 * to disk before it returns) at one new revision, or nothing at all.
 *
 * <p>Thread-safety: implementations are safe for concurrent use; writes are serialised, so a write
 * function can check a rule against what it reads and be sure nothing changed meanwhile.
 */
public interface Store extends AutoCloseable {

    /** The revision of the last committed change; 0 for an empty store. Never goes back. */
    long revision();

    Optional<Host> host(String fqdn);

    /** All hosts, sorted by FQDN. */
    List<Host> hosts();

    /** What the host's agent last reported; {@link HostStatus#unknown} if nothing yet. */
    HostStatus hostStatus(String fqdn);

    /** The newest version of a named certificate. */
    Optional<CertificateVersion> certificate(String name);

    Optional<CertificateVersion> certificate(String name, int version);

    /** Every version of a name, oldest first; empty if the name is unknown. */
    List<CertificateVersion> certificateVersions(String name);

    /** The newest version of every name, sorted by name. */
    List<CertificateVersion> latestCertificates();

    /** Decrypts the private key of one certificate version. */
    PrivateKey privateKey(String name, int version) throws ControllerException;

    Optional<Binding> binding(BindingKey key);

    /** All bindings, sorted by host, scope and domain. */
    List<Binding> bindings();

    /** The bindings of one host, sorted by scope and domain. */
    List<Binding> bindingsOfHost(String fqdn);

    /** The bindings that use a certificate name. */
    List<Binding> bindingsOfCertificate(String name);

    Optional<JoinToken> joinToken(String id);

    Optional<AdminToken> adminToken(String name);

    /** Finds the admin token whose secret hashes to {@code secretSha256}. */
    Optional<AdminToken> adminTokenByHash(byte[] secretSha256);

    /** All admin tokens, sorted by name. */
    List<AdminToken> adminTokens();

    /**
     * Events after {@code afterSeq}, oldest first: the newest {@code limit} of them, only those of
     * {@code host} when it is non-empty.
     */
    List<Event> events(long afterSeq, String host, int limit);

    /**
     * The oldest {@code limit} events after {@code afterSeq}, oldest first, only those of
     * {@code host} when it is non-empty: for paging forward through the log.
     */
    List<Event> eventsFrom(long afterSeq, String host, int limit);

    /** The sequence number of the newest event; 0 when there is none. */
    long lastEventSeq();

    /**
     * Deletes the oldest events: every event from the start of the log up to the last one that is older
     * than {@code olderThan} or not among the newest {@code keepNewest}. Only a prefix of the log goes (an
     * event whose time went back with the clock waits for the ones before it), the newest event always
     * stays, and sequence numbers are never reused.
     *
     * @return how many events were deleted
     * @throws ControllerException if RocksDB fails
     */
    long pruneEvents(java.time.Instant olderThan, long keepNewest) throws ControllerException;

    Optional<Issuer> issuer(String name);

    /** All ACME issuers, sorted by name. */
    List<Issuer> issuers();

    /**
     * Decrypts an issuer's secrets (account key pair, EAB HMAC key, TSIG secret).
     *
     * @throws ControllerException NOT_FOUND for an unknown issuer, INTERNAL if they cannot be opened
     */
    IssuerSecrets issuerSecrets(String name) throws ControllerException;

    /** The ACME record of a certificate name, if it is ordered by ACME. */
    Optional<AcmeOrder> acmeOrder(String certificate);

    /** Every ACME record, sorted by certificate name. */
    List<AcmeOrder> acmeOrders();

    /** A private key the controller keeps for itself (its CA, its TLS server key). */
    Optional<PrivateKey> controllerKey(String purpose) throws ControllerException;

    /**
     * Runs {@code function} under the write lock and commits what it wrote as one atomic, synced
     * batch. If it throws, nothing is written and the revision does not move.
     */
    <T> T write(WriteFunction<T> function) throws ControllerException;

    /**
     * Registers a callback run after every committed write, outside the write lock (to wake event
     * watchers and agent streams). Callbacks must be quick and must not throw.
     */
    void addCommitListener(Runnable listener);

    /** Releases the store; further calls fail. */
    @Override
    void close();

    /** A unit of change; see {@link #write}. */
    @FunctionalInterface
    interface WriteFunction<T> {
        T apply(Transaction tx) throws ControllerException;
    }
}
