package org.mailcert.controller.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.AdminToken;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.IssuerSecrets;
import org.mailcert.proto.v1.StoredIssuer;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.JoinToken;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on RocksDB: one column family per record kind, values in the
 * {@code store.proto} messages, private keys sealed under a {@link MasterKey}. The key layout is
 * described in the package documentation.
 *
 * <p>Writes are serialised by one lock; each commits as one {@code WriteBatch} with a synced WAL,
 * so an acknowledged write survives a crash or power loss. Reads go straight to RocksDB and see
 * committed state only. Times are kept to the millisecond; {@link Transaction#now()} is truncated
 * to match, so records stamped with it read back equal.
 *
 * <p>Thread-safe. {@link #close()} waits for calls in progress; later calls throw
 * {@link IllegalStateException}. Read failures (I/O errors, damaged records) throw
 * {@link StoreReadException}.
 */
public final class RocksStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(RocksStore.class);

    /** Layout version kept in {@code meta}; bump when old stores can no longer be read as they are. */
    static final long SCHEMA = 1;
    private static final String MASTER_KEY_CHECK_AAD = "master-key-check";

    static final String CF_HOSTS = "hosts";
    static final String CF_CERTIFICATES = "certificates";
    static final String CF_KEYS = "keys";
    static final String CF_BINDINGS = "bindings";
    static final String CF_TOKENS = "tokens";
    static final String CF_ADMIN_TOKENS = "admin_tokens";
    static final String CF_EVENTS = "events";
    static final String CF_META = "meta";
    static final String CF_HOST_STATUS = "host_status";
    static final String CF_ISSUERS = "issuers";
    static final String CF_ACME_ORDERS = "acme_orders";
    /** Every column family, {@code default} first (RocksDB requires it; it holds nothing). */
    static final List<String> COLUMN_FAMILIES = List.of("default", CF_HOSTS, CF_CERTIFICATES, CF_KEYS, CF_BINDINGS,
            CF_TOKENS, CF_ADMIN_TOKENS, CF_EVENTS, CF_META, CF_HOST_STATUS, CF_ISSUERS, CF_ACME_ORDERS);

    private static final int DEFAULT_EVENT_LIMIT = 100;
    private static final long BLOCK_CACHE_BYTES = 8L << 20;
    private static final long WRITE_BUFFER_BYTES = 4L << 20;
    private static final long ALL_WRITE_BUFFERS_BYTES = 16L << 20;
    private static final long MAX_WAL_BYTES = 32L << 20;

    /** The handles of the column families that hold records. */
    record ColumnFamilies(ColumnFamilyHandle hosts, ColumnFamilyHandle certificates, ColumnFamilyHandle keys,
            ColumnFamilyHandle bindings, ColumnFamilyHandle tokens, ColumnFamilyHandle adminTokens,
            ColumnFamilyHandle events, ColumnFamilyHandle meta, ColumnFamilyHandle hostStatus,
            ColumnFamilyHandle issuers, ColumnFamilyHandle acmeOrders) {
    }

    private final Path dir;
    private final Clock clock;
    private final KeySealer sealer;
    private final NativeResources resources;
    private final RocksDB db;
    private final ColumnFamilies cf;
    private final WriteOptions syncWrite;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Decoded host statuses, by host ({@link #hostStatus}). */
    private final Map<String, HostStatus> statusCache = new java.util.concurrent.ConcurrentHashMap<>();
    /** Serialises writes; held while a write function runs and its batch commits. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Read side held by every call that touches RocksDB; write side by {@link #close()}. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile long revision;
    private volatile long lastEventSeq;

    private RocksStore(Path dir, Clock clock, KeySealer sealer, NativeResources resources, long revision,
            long lastEventSeq) {
        this.dir = dir;
        this.clock = clock;
        this.sealer = sealer;
        this.resources = resources;
        this.db = resources.db;
        this.cf = resources.families();
        this.syncWrite = resources.syncWrite;
        this.revision = revision;
        this.lastEventSeq = lastEventSeq;
    }

    /**
     * Opens the store in {@code dataDir}, creating the directory (mode 0700) and the database if
     * missing.
     *
     * @throws ControllerException INTERNAL if another process has the store open, it is corrupt or
     *     unreadable, or was written by a newer mailcert
     */
    public static RocksStore open(Path dataDir, MasterKey masterKey, Clock clock) throws ControllerException {
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(clock, "clock");
        Path dir = dataDir.toAbsolutePath();
        createDirectory(dir);
        try {
            RocksDB.loadLibrary();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw internal("cannot load the RocksDB native library: " + e.getMessage(), e);
        }
        NativeResources resources = new NativeResources();
        try {
            resources.open(dir);
            long revision = readCounter(resources, dir, Keys.META_REVISION);
            long lastEventSeq = readCounter(resources, dir, Keys.META_EVENT_SEQ);
            checkSchema(resources, dir);
            KeySealer sealer = new KeySealer(masterKey, new SecureRandom());
            checkMasterKey(resources, dir, sealer, masterKey);
            LOG.info("opened store {} at revision {}, last event {}", dir, revision, lastEventSeq);
            return new RocksStore(dir, clock, sealer, resources, revision, lastEventSeq);
        } catch (RocksDBException e) {
            resources.close(dir);
            throw openFailure(dir, e);
        } catch (ControllerException | RuntimeException e) {
            resources.close(dir);
            throw e;
        }
    }

    @Override
    public long revision() {
        ensureOpen();
        return revision;
    }

    @Override
    public long lastEventSeq() {
        ensureOpen();
        return lastEventSeq;
    }

    @Override
    public Optional<Host> host(String fqdn) {
        if (!Keys.isValid(fqdn)) {
            return Optional.empty();
        }
        return get(cf.hosts(), Keys.host(fqdn)).map(RecordMapper::decodeHost);
    }

    @Override
    public List<Host> hosts() {
        return scan(cf.hosts(), new byte[0], RecordMapper::decodeHost);
    }

    /**
     * A host's status, decoded once and then kept: a host's last drift report can hold thousands of
     * bindings' conditions, and Acks, views and metrics read the status far more often than agents
     * write it. A read that races a commit may cache what it read only if the commit has not cached
     * its newer value yet ({@code putIfAbsent}); the commit always overwrites.
     */
    @Override
    public HostStatus hostStatus(String fqdn) {
        HostStatus cached = statusCache.get(fqdn);
        if (cached != null) {
            return cached;
        }
        Optional<HostStatus> stored = get(cf.hostStatus(), Keys.host(fqdn)).map(RecordMapper::decodeHostStatus);
        if (stored.isEmpty()) {
            return HostStatus.unknown(fqdn);
        }
        HostStatus raced = statusCache.putIfAbsent(fqdn, stored.get());
        return raced != null ? raced : stored.get();
    }

    @Override
    public Optional<CertificateVersion> certificate(String name) {
        if (!Keys.isValid(name)) {
            return Optional.empty();
        }
        byte[] prefix = Keys.certificatePrefix(name);
        byte[] last = Keys.certificate(name, Integer.MAX_VALUE);
        byte[] value = read(() -> {
            try (RocksIterator it = db.newIterator(cf.certificates())) {
                it.seekForPrev(last);
                if (it.isValid() && Keys.startsWith(it.key(), prefix)) {
                    return it.value();
                }
                it.status();
                return null;
            }
        });
        return Optional.ofNullable(value).map(RecordMapper::decodeCertificateVersion);
    }

    @Override
    public Optional<CertificateVersion> certificate(String name, int version) {
        if (!Keys.isValid(name) || version < 0) {
            return Optional.empty();
        }
        return get(cf.certificates(), Keys.certificate(name, version)).map(RecordMapper::decodeCertificateVersion);
    }

    @Override
    public List<CertificateVersion> certificateVersions(String name) {
        if (!Keys.isValid(name)) {
            return List.of();
        }
        return scan(cf.certificates(), Keys.certificatePrefix(name), RecordMapper::decodeCertificateVersion);
    }

    /** Walks every version key and decodes only the last of each name. */
    @Override
    public List<CertificateVersion> latestCertificates() {
        List<byte[]> newest = read(() -> {
            List<byte[]> values = new ArrayList<>();
            try (RocksIterator it = db.newIterator(cf.certificates())) {
                byte[] namePrefix = null;
                byte[] value = null;
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (namePrefix != null && !Keys.startsWith(key, namePrefix)) {
                        values.add(value);
                    }
                    namePrefix = Arrays.copyOf(key, key.length - Integer.BYTES);
                    value = it.value();
                }
                it.status();
                if (value != null) {
                    values.add(value);
                }
            }
            return values;
        });
        return newest.stream().map(RecordMapper::decodeCertificateVersion).toList();
    }

    @Override
    public PrivateKey privateKey(String name, int version) throws ControllerException {
        String what = "the private key of certificate " + name + " version " + version;
        if (!Keys.isValid(name) || version < 0) {
            throw ControllerException.notFound("there is no " + what);
        }
        byte[] sealed = get(cf.keys(), Keys.certificate(name, version))
                .orElseThrow(() -> ControllerException.notFound("there is no " + what));
        return sealer.unseal(RecordMapper.decodeSealedKey(sealed), KeySealer.certificateAad(name, version), what);
    }

    @Override
    public Optional<Issuer> issuer(String name) {
        if (!Keys.isValid(name)) {
            return Optional.empty();
        }
        return get(cf.issuers(), Keys.issuer(name)).map(RecordMapper::decodeIssuer);
    }

    @Override
    public List<Issuer> issuers() {
        return scan(cf.issuers(), new byte[0], RecordMapper::decodeIssuer);
    }

    @Override
    public IssuerSecrets issuerSecrets(String name) throws ControllerException {
        byte[] value = (Keys.isValid(name) ? get(cf.issuers(), Keys.issuer(name)) : Optional.<byte[]>empty())
                .orElseThrow(() -> ControllerException.notFound("no issuer named " + name));
        StoredIssuer s = RecordMapper.decodeStoredIssuer(value);
        java.security.KeyPair account = sealer.unsealPair(s.getAccountKey(), KeySealer.issuerAad(name, "account"),
                "the account key of issuer " + name);
        Optional<byte[]> eab = s.hasEabHmac()
                ? Optional.of(sealer.unsealBytes(s.getEabHmac(), KeySealer.issuerAad(name, "eab"),
                        "the EAB key of issuer " + name))
                : Optional.empty();
        Optional<byte[]> tsig = s.getDns().hasRfc2136() && s.getDns().getRfc2136().hasTsigSecret()
                ? Optional.of(sealer.unsealBytes(s.getDns().getRfc2136().getTsigSecret(),
                        KeySealer.issuerAad(name, "tsig"), "the TSIG secret of issuer " + name))
                : Optional.empty();
        return new IssuerSecrets(account, eab, tsig);
    }

    @Override
    public Optional<AcmeOrder> acmeOrder(String certificate) {
        if (!Keys.isValid(certificate)) {
            return Optional.empty();
        }
        return get(cf.acmeOrders(), Keys.acmeOrder(certificate)).map(RecordMapper::decodeAcmeOrder);
    }

    @Override
    public List<AcmeOrder> acmeOrders() {
        return scan(cf.acmeOrders(), new byte[0], RecordMapper::decodeAcmeOrder);
    }

    @Override
    public Optional<PrivateKey> controllerKey(String purpose) throws ControllerException {
        if (!Keys.isValid(purpose)) {
            return Optional.empty();
        }
        Optional<byte[]> sealed = get(cf.keys(), Keys.controllerKey(purpose));
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(sealer.unseal(RecordMapper.decodeSealedKey(sealed.get()), KeySealer.controllerAad(purpose),
                "the controller's " + purpose + " key"));
    }

    @Override
    public Optional<Binding> binding(BindingKey key) {
        if (!Keys.isValid(key.host()) || !(key.domain().isEmpty() || Keys.isValid(key.domain()))) {
            return Optional.empty();
        }
        return get(cf.bindings(), Keys.binding(key)).map(RecordMapper::decodeBinding);
    }

    @Override
    public List<Binding> bindings() {
        return scan(cf.bindings(), new byte[0], RecordMapper::decodeBinding);
    }

    @Override
    public List<Binding> bindingsOfHost(String fqdn) {
        if (!Keys.isValid(fqdn)) {
            return List.of();
        }
        return scan(cf.bindings(), Keys.bindingPrefix(fqdn), RecordMapper::decodeBinding);
    }

    /** Sorted like {@link #bindings()}. Scans every binding: there is no index by certificate yet. */
    @Override
    public List<Binding> bindingsOfCertificate(String name) {
        return bindings().stream().filter(b -> b.certificate().equals(name)).toList();
    }

    @Override
    public Optional<JoinToken> joinToken(String id) {
        if (!Keys.isValid(id)) {
            return Optional.empty();
        }
        return get(cf.tokens(), Keys.joinToken(id)).map(RecordMapper::decodeJoinToken);
    }

    @Override
    public Optional<AdminToken> adminToken(String name) {
        if (!Keys.isValid(name)) {
            return Optional.empty();
        }
        return get(cf.adminTokens(), Keys.adminToken(name)).map(RecordMapper::decodeAdminToken);
    }

    /** Scans every admin token (there are few), comparing hashes in constant time. */
    @Override
    public Optional<AdminToken> adminTokenByHash(byte[] secretSha256) {
        Objects.requireNonNull(secretSha256, "secretSha256");
        return adminTokens().stream().filter(t -> MessageDigest.isEqual(t.secretSha256(), secretSha256)).findFirst();
    }

    @Override
    public List<AdminToken> adminTokens() {
        return scan(cf.adminTokens(), new byte[0], RecordMapper::decodeAdminToken);
    }

    /**
     * Walks back from the newest event. With a host filter this reads every event after
     * {@code afterSeq} in the worst case; there is no index by host yet.
     */
    @Override
    public List<Event> events(long afterSeq, String host, int limit) {
        int max = limit <= 0 ? DEFAULT_EVENT_LIMIT : limit;
        boolean anyHost = host == null || host.isEmpty();
        List<Event> out = read(() -> {
            List<Event> newestFirst = new ArrayList<>();
            try (RocksIterator it = db.newIterator(cf.events())) {
                for (it.seekToLast(); it.isValid() && newestFirst.size() < max; it.prev()) {
                    if (Keys.longValue(it.key()) <= afterSeq) {
                        break;
                    }
                    Event e = RecordMapper.decodeEvent(it.value());
                    if (anyHost || host.equals(e.host())) {
                        newestFirst.add(e);
                    }
                }
                it.status();
            }
            return newestFirst;
        });
        Collections.reverse(out);
        return out;
    }

    @Override
    public List<Event> eventsFrom(long afterSeq, String host, int limit) {
        int max = limit <= 0 ? DEFAULT_EVENT_LIMIT : limit;
        boolean anyHost = host == null || host.isEmpty();
        return read(() -> {
            List<Event> out = new ArrayList<>();
            try (RocksIterator it = db.newIterator(cf.events())) {
                for (it.seek(Keys.event(afterSeq + 1)); it.isValid() && out.size() < max; it.next()) {
                    Event e = RecordMapper.decodeEvent(it.value());
                    if (anyHost || host.equals(e.host())) {
                        out.add(e);
                    }
                }
                it.status();
            }
            return out;
        });
    }

    /**
     * Finds the prefix to delete with one forward scan and drops it with a synced range delete, under
     * the write lock so that no event is appended meanwhile; RocksDB reclaims the space in compaction.
     */
    @Override
    public long pruneEvents(Instant olderThan, long keepNewest) throws ControllerException {
        Objects.requireNonNull(olderThan, "olderThan");
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            writeLock.lock();
            try {
                long keepFrom = lastEventSeq - Math.max(1, keepNewest) + 1;
                long first = -1;
                long last = -1;
                long count = 0;
                try (RocksIterator it = db.newIterator(cf.events())) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        long seq = Keys.longValue(it.key());
                        if (seq >= keepFrom && !RecordMapper.decodeEvent(it.value()).time().isBefore(olderThan)) {
                            break;
                        }
                        if (seq == lastEventSeq) {
                            break;
                        }
                        first = first < 0 ? seq : first;
                        last = seq;
                        count++;
                    }
                    it.status();
                }
                if (count > 0) {
                    db.deleteRange(cf.events(), syncWrite, Keys.event(first), Keys.event(last + 1));
                    LOG.info("pruned {} events (sequence {} to {}) from store {}", count, first, last, dir);
                }
                return count;
            } catch (RocksDBException e) {
                throw internal("cannot prune events in store " + dir + ": " + e.getMessage(), e);
            } finally {
                writeLock.unlock();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public <T> T write(WriteFunction<T> function) throws ControllerException {
        Objects.requireNonNull(function, "function");
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("Store.write called inside a write function; use its Transaction");
        }
        T result;
        boolean committed;
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            writeLock.lock();
            try (RocksTransaction tx = new RocksTransaction(cf, sealer, revision + 1,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS), lastEventSeq + 1)) {
                result = function.apply(tx);
                committed = commit(tx);
            } finally {
                writeLock.unlock();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        if (committed) {
            notifyListeners();
        }
        return result;
    }

    @Override
    public void addCommitListener(Runnable listener) {
        ensureOpen();
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Waits for calls in progress, then frees RocksDB. Idempotent. */
    @Override
    public void close() {
        if (lifecycle.getReadHoldCount() > 0) {
            throw new IllegalStateException("cannot close the store from inside one of its calls");
        }
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            resources.close(dir);
            LOG.info("closed store {} at revision {}", dir, revision);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "RocksStore[" + dir + "]";
    }

    /** Commits under the write lock; counters move only once RocksDB has taken the batch. */
    private boolean commit(RocksTransaction tx) throws ControllerException {
        if (!tx.prepareCommit()) {
            return false;
        }
        try {
            db.write(syncWrite, tx.batch());
        } catch (RocksDBException e) {
            throw internal("cannot commit to store " + dir + ": " + e.getMessage(), e);
        }
        revision = tx.committedRevision();
        lastEventSeq = tx.lastEventSeq();
        tx.statuses().forEach((fqdn, status) -> {
            if (status.isPresent()) {
                statusCache.put(fqdn, status.get());
            } else {
                statusCache.remove(fqdn);
            }
        });
        LOG.debug("committed revision {}, last event {}", revision, lastEventSeq);
        return true;
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("commit listener {} failed", listener, e);
            }
        }
    }

    private Optional<byte[]> get(ColumnFamilyHandle family, byte[] key) {
        return Optional.ofNullable(read(() -> db.get(family, key)));
    }

    /** Decodes every value whose key starts with {@code prefix} (everything if it is empty), in key order. */
    private <T> List<T> scan(ColumnFamilyHandle family, byte[] prefix, Function<byte[], T> decode) {
        List<byte[]> values = read(() -> {
            List<byte[]> out = new ArrayList<>();
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                    out.add(it.value());
                }
                it.status();
            }
            return out;
        });
        return values.stream().map(decode).toList();
    }

    /** Runs a RocksDB read while holding off {@link #close()}; translates its failure. */
    private <T> T read(RocksRead<T> read) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            return read.run();
        } catch (RocksDBException e) {
            throw readFailure(e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw closedError();
        }
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("store " + dir + " is closed");
    }

    private StoreReadException readFailure(RocksDBException e) {
        return new StoreReadException("cannot read store " + dir + ": " + e.getMessage(), e);
    }

    private static void createDirectory(Path dir) throws ControllerException {
        try {
            if (!Files.isDirectory(dir)) {
                if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
        } catch (AccessDeniedException e) {
            throw internal("cannot create store directory " + dir + ": permission denied on " + e.getFile(), e);
        } catch (IOException e) {
            throw internal("cannot create store directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long readCounter(NativeResources r, Path dir, byte[] key)
            throws RocksDBException, ControllerException {
        byte[] value = r.db.get(r.families().meta(), key);
        if (value == null) {
            return 0;
        }
        if (value.length != Long.BYTES) {
            throw internal("store " + dir + " is corrupt: meta " + new String(key, StandardCharsets.UTF_8) + " has "
                    + value.length + " bytes; restore it from backup", null);
        }
        return Keys.longValue(value);
    }

    /** Refuses a layout newer than this code; stamps a new store with {@link #SCHEMA}. */
    private static void checkSchema(NativeResources r, Path dir) throws RocksDBException, ControllerException {
        long schema = readCounter(r, dir, Keys.META_SCHEMA);
        if (schema == 0) {
            r.db.put(r.families().meta(), r.syncWrite, Keys.META_SCHEMA, Keys.longBytes(SCHEMA));
        } else if (schema != SCHEMA) {
            throw internal("store " + dir + " has layout version " + schema + " but this mailcert reads version "
                    + SCHEMA + "; use the mailcert release that wrote it", null);
        }
    }

    /**
     * Proves the master key is the one this store was sealed with: a new store gets a sealed
     * throw-away key as a check value; an existing store must unseal it. Without this, a lost or
     * swapped master.key would only show when a key is next read, and new keys would be sealed
     * under a different master key than old ones.
     */
    private static void checkMasterKey(NativeResources r, Path dir, KeySealer sealer, MasterKey masterKey)
            throws RocksDBException, ControllerException {
        byte[] check = r.db.get(r.families().meta(), Keys.META_MASTER_KEY_CHECK);
        if (check == null) {
            var probe = org.mailcert.common.pki.Keys.generate(org.mailcert.common.pki.Keys.KeyType.EC256).getPrivate();
            r.db.put(r.families().meta(), r.syncWrite, Keys.META_MASTER_KEY_CHECK,
                    sealer.seal(probe, MASTER_KEY_CHECK_AAD).toByteArray());
            return;
        }
        try {
            sealer.unseal(RecordMapper.decodeSealedKey(check), MASTER_KEY_CHECK_AAD, "the master key check value");
        } catch (ControllerException e) {
            throw internal("master key " + masterKey.file() + " does not open store " + dir
                    + ": it is not the key the store was created with; restore master.key from the backup made with"
                    + " this store", null);
        }
    }

    private static ControllerException openFailure(Path dir, RocksDBException e) {
        String msg = String.valueOf(e.getMessage());
        Status status = e.getStatus();
        if (msg.contains("LOCK:") || msg.contains("lock hold by current process")) {
            return internal("store " + dir + " is in use by another process (is another mailcert-controller running"
                    + " with this data directory?)", e);
        }
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return internal("store " + dir + " is corrupt (" + msg + "); restore it from backup", e);
        }
        if (msg.contains("Permission denied")) {
            return internal("cannot open store " + dir + ": permission denied; run the controller as the owner of "
                    + dir, e);
        }
        if (msg.contains("Column families not opened") || msg.contains("Column family not found")) {
            return internal("store " + dir + " has column families this mailcert does not know (written by a newer"
                    + " release?): " + msg, e);
        }
        return internal("cannot open store " + dir + ": " + msg, e);
    }

    private static ControllerException internal(String message, Throwable cause) {
        return new ControllerException(ControllerException.Kind.INTERNAL, message, cause);
    }

    /** A read against the open database. */
    @FunctionalInterface
    private interface RocksRead<T> {
        T run() throws RocksDBException;
    }

    /** The native objects of an open database, closed in reverse order of creation. */
    private static final class NativeResources {
        private Cache blockCache;
        private ColumnFamilyOptions cfOptions;
        private DBOptions dbOptions;
        private WriteOptions syncWrite;
        private final List<ColumnFamilyHandle> handles = new ArrayList<>();
        private RocksDB db;
        private ColumnFamilies families;

        void open(Path dir) throws RocksDBException {
            blockCache = new LRUCache(BLOCK_CACHE_BYTES);
            cfOptions = new ColumnFamilyOptions()
                    .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache))
                    .setWriteBufferSize(WRITE_BUFFER_BYTES)
                    .setMaxWriteBufferNumber(2);
            dbOptions = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(2)
                    .setDbWriteBufferSize(ALL_WRITE_BUFFERS_BYTES)
                    // Rarely written column families would otherwise pin old WAL files.
                    .setMaxTotalWalSize(MAX_WAL_BYTES)
                    .setKeepLogFileNum(3)
                    .setMaxLogFileSize(4L << 20);
            syncWrite = new WriteOptions().setSync(true);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : COLUMN_FAMILIES) {
                descriptors.add(new ColumnFamilyDescriptor(Keys.utf8(name), cfOptions));
            }
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            families = new ColumnFamilies(handles.get(1), handles.get(2), handles.get(3), handles.get(4),
                    handles.get(5), handles.get(6), handles.get(7), handles.get(8), handles.get(9),
                    handles.get(10), handles.get(11));
        }

        ColumnFamilies families() {
            return families;
        }

        /** Column family handles, then the database, then the options they used. */
        void close(Path dir) {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            handles.clear();
            if (db != null) {
                try {
                    db.closeE();
                } catch (RocksDBException e) {
                    LOG.warn("closing store {} reported: {}", dir, e.getMessage());
                }
                db = null;
            }
            if (syncWrite != null) {
                syncWrite.close();
            }
            if (dbOptions != null) {
                dbOptions.close();
            }
            if (cfOptions != null) {
                cfOptions.close();
            }
            if (blockCache != null) {
                blockCache.close();
            }
        }
    }
}
