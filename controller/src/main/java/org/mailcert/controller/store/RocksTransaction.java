package org.mailcert.controller.store;

import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Buffers the writes of one {@link RocksStore#write} call in a RocksDB {@link WriteBatch}. Events
 * are held apart and added at commit, once it is known whether their revision is this
 * transaction's or 0. Methods are synchronized so a transaction leaked to another thread cannot
 * touch the native batch after it is freed; they fail once the write function has returned.
 */
final class RocksTransaction implements Transaction, AutoCloseable {
    private final RocksStore.ColumnFamilies cf;
    private final KeySealer sealer;
    private final long revision;
    private final Instant now;
    private final long firstEventSeq;
    private final WriteBatch batch = new WriteBatch();
    private final List<Event> events = new ArrayList<>();
    private boolean changed;
    /** Observed state (host status) was written: worth a commit, but not a new revision. */
    private boolean observed;
    /** Host statuses written (a value) or deleted (empty), for the store's decoded cache after commit. */
    private final Map<String, Optional<HostStatus>> statuses = new LinkedHashMap<>();
    private boolean open = true;
    private boolean freed;
    private RocksDBException failure;

    /**
     * @param revision      the committed revision + 1
     * @param now           the transaction's time, already truncated to what the store keeps
     * @param firstEventSeq the sequence number of the first event this transaction appends
     */
    RocksTransaction(RocksStore.ColumnFamilies cf, KeySealer sealer, long revision, Instant now, long firstEventSeq) {
        this.cf = cf;
        this.sealer = sealer;
        this.revision = revision;
        this.now = now;
        this.firstEventSeq = firstEventSeq;
    }

    @Override
    public long revision() {
        return revision;
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public synchronized void putHost(Host host) {
        put(cf.hosts(), Keys.host(host.fqdn()), RecordMapper.encode(host));
    }

    @Override
    public synchronized void deleteHost(String fqdn) {
        delete(cf.hosts(), Keys.host(fqdn));
        delete(cf.hostStatus(), Keys.host(fqdn));
        statuses.put(fqdn, Optional.empty());
    }

    @Override
    public synchronized void putHostStatus(HostStatus status) {
        checkOpen();
        try {
            batch.put(cf.hostStatus(), Keys.host(status.fqdn()), RecordMapper.encode(status));
        } catch (RocksDBException e) {
            fail(e);
        }
        statuses.put(status.fqdn(), Optional.of(status));
        observed = true;
    }

    /** The host statuses this transaction wrote or deleted, by host. */
    synchronized Map<String, Optional<HostStatus>> statuses() {
        return Map.copyOf(statuses);
    }

    @Override
    public synchronized void putCertificateVersion(CertificateVersion version, PrivateKey key) {
        Objects.requireNonNull(key, "key");
        byte[] k = Keys.certificate(version.name(), version.version());
        byte[] value = RecordMapper.encode(version);
        byte[] sealed = sealer.seal(key, KeySealer.certificateAad(version.name(), version.version())).toByteArray();
        put(cf.certificates(), k, value);
        put(cf.keys(), k, sealed);
    }

    /** Deletes the range name + 0x00 .. name + 0x01, which also covers versions put earlier in this batch. */
    @Override
    public synchronized void deleteCertificate(String name) {
        byte[] prefix = Keys.certificatePrefix(name);
        byte[] end = Keys.prefixEnd(prefix);
        checkOpen();
        try {
            batch.deleteRange(cf.certificates(), prefix, end);
            batch.deleteRange(cf.keys(), prefix, end);
        } catch (RocksDBException e) {
            fail(e);
        }
        changed = true;
    }

    @Override
    public synchronized void putBinding(Binding binding) {
        put(cf.bindings(), Keys.binding(binding.key()), RecordMapper.encode(binding));
    }

    @Override
    public synchronized void deleteBinding(BindingKey key) {
        delete(cf.bindings(), Keys.binding(key));
    }

    @Override
    public synchronized void putJoinToken(JoinToken token) {
        put(cf.tokens(), Keys.joinToken(token.id()), RecordMapper.encode(token));
    }

    @Override
    public synchronized void putAdminToken(AdminToken token) {
        put(cf.adminTokens(), Keys.adminToken(token.name()), RecordMapper.encode(token));
    }

    @Override
    public synchronized void deleteAdminToken(String name) {
        delete(cf.adminTokens(), Keys.adminToken(name));
    }

    /** Returns the event with its sequence number and time; its revision (set at commit) reads 0. */
    @Override
    public synchronized Event appendEvent(Event draft) {
        checkOpen();
        Event event = new Event(firstEventSeq + events.size(), now, Objects.requireNonNull(draft.actor(), "actor"),
                Objects.requireNonNull(draft.kind(), "kind"), Objects.requireNonNull(draft.host(), "host"),
                Objects.requireNonNull(draft.subject(), "subject"), Objects.requireNonNull(draft.message(), "message"),
                0);
        events.add(event);
        return event;
    }

    @Override
    public synchronized void putIssuer(Issuer issuer, IssuerSecrets secrets) {
        String name = issuer.name();
        put(cf.issuers(), Keys.issuer(name), RecordMapper.encode(issuer,
                sealer.sealPair(secrets.accountKey(), KeySealer.issuerAad(name, "account")),
                secrets.eabHmac().map(k -> sealer.sealBytes(k, KeySealer.issuerAad(name, "eab"))),
                secrets.tsigSecret().map(k -> sealer.sealBytes(k, KeySealer.issuerAad(name, "tsig")))));
    }

    @Override
    public synchronized void putAcmeOrder(AcmeOrder order) {
        checkOpen();
        try {
            batch.put(cf.acmeOrders(), Keys.acmeOrder(order.name()), RecordMapper.encode(order));
        } catch (RocksDBException e) {
            fail(e);
        }
        observed = true;
    }

    @Override
    public synchronized void deleteAcmeOrder(String certificate) {
        delete(cf.acmeOrders(), Keys.acmeOrder(certificate));
    }

    @Override
    public synchronized void putControllerKey(String purpose, PrivateKey key) {
        Objects.requireNonNull(key, "key");
        byte[] k = Keys.controllerKey(purpose);
        put(cf.keys(), k, sealer.seal(key, KeySealer.controllerAad(purpose)).toByteArray());
    }

    /**
     * Ends the caller's use and completes the batch: events with their revision, the event counter,
     * and the revision if anything besides events changed.
     *
     * @return false if there is nothing to write
     */
    synchronized boolean prepareCommit() throws ControllerException {
        checkOpen();
        open = false;
        if (failure != null) {
            throw new ControllerException(ControllerException.Kind.INTERNAL,
                    "cannot buffer a store write: " + failure.getMessage(), failure);
        }
        if (!changed && !observed && events.isEmpty()) {
            return false;
        }
        long eventRevision = changed ? revision : 0;
        try {
            for (Event e : events) {
                Event stored = new Event(e.seq(), e.time(), e.actor(), e.kind(), e.host(), e.subject(), e.message(),
                        eventRevision);
                batch.put(cf.events(), Keys.event(e.seq()), RecordMapper.encode(stored));
            }
            if (!events.isEmpty()) {
                batch.put(cf.meta(), Keys.META_EVENT_SEQ, Keys.longBytes(lastEventSeq()));
            }
            if (changed) {
                batch.put(cf.meta(), Keys.META_REVISION, Keys.longBytes(revision));
            }
        } catch (RocksDBException e) {
            throw new ControllerException(ControllerException.Kind.INTERNAL,
                    "cannot buffer a store write: " + e.getMessage(), e);
        }
        return true;
    }

    /** The batch to write; valid between {@link #prepareCommit} and {@link #close}. */
    WriteBatch batch() {
        return batch;
    }

    /** The store's revision once this transaction is committed. */
    long committedRevision() {
        return changed ? revision : revision - 1;
    }

    /** The store's last event sequence number once this transaction is committed. */
    long lastEventSeq() {
        return firstEventSeq + events.size() - 1;
    }

    /** Frees the native batch; the transaction is unusable afterwards. */
    @Override
    public synchronized void close() {
        open = false;
        if (!freed) {
            freed = true;
            batch.close();
        }
    }

    private void put(ColumnFamilyHandle family, byte[] key, byte[] value) {
        checkOpen();
        try {
            batch.put(family, key, value);
        } catch (RocksDBException e) {
            fail(e);
        }
        changed = true;
    }

    private void delete(ColumnFamilyHandle family, byte[] key) {
        checkOpen();
        try {
            batch.delete(family, key);
        } catch (RocksDBException e) {
            fail(e);
        }
        changed = true;
    }

    /** Remembers a batch failure so the commit fails even if the write function swallows it. */
    private void fail(RocksDBException e) {
        failure = e;
        throw new IllegalStateException("cannot buffer a store write: " + e.getMessage(), e);
    }

    private void checkOpen() {
        if (!open) {
            throw new IllegalStateException("this transaction has ended: use it only inside its write function");
        }
    }
}
