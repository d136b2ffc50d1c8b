package org.mailcert.controller.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.AdminToken;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.CertificateSource;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.HostFacts;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.JoinToken;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.SniSupport;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** Sample records, a store opener and a whole-store snapshot for comparisons. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-03-04T05:06:07.089Z");
    static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    private Fixtures() {
    }

    /** Opens (creating) the store under {@code root}/store with the master key at {@code root}/master.key. */
    static RocksStore open(Path root) throws ControllerException {
        return RocksStore.open(root.resolve("store"), MasterKey.loadOrCreate(root.resolve("master.key")), CLOCK);
    }

    static Host host(String fqdn, long revision) {
        return new Host(fqdn, "id-" + fqdn, HostState.ENROLLED, T0, Map.of("site", "paris", "tier", "edge"),
                List.of("0a1b", "2c3d"), revision);
    }

    static HostStatus status(String fqdn) {
        return new HostStatus(fqdn, Optional.of(T0.plusSeconds(60)),
                new HostFacts("Debian 12", "0.1.0", Map.of("postfix", "3.7.11", "dovecot", "2.3.19"), SniSupport.YES),
                List.of("example.com", "example.org"), 7, "");
    }

    static CertificateVersion certificate(String name, int version, KeyPair keys, long revision) {
        return new CertificateVersion(name, version,
                List.of(Samples.selfSigned(keys, name + ".example"), Samples.selfSigned(keys, "issuer of " + name)),
                CertificateSource.IMPORTED_PEM, T0, revision);
    }

    static Binding binding(String host, Scope scope, String domain, String certificate, long revision) {
        return new Binding(new BindingKey(host, scope, domain), certificate, List.of("untrusted"), T0, revision);
    }

    static AdminToken adminToken(String name, Role role) {
        return new AdminToken(name, sha(name), role, T0);
    }

    static JoinToken joinToken(String id, String host, Optional<Instant> used) {
        return new JoinToken(id, sha(id), host, T0, T0.plusSeconds(3600), used, "admin:root");
    }

    /** A stand-in for a secret's SHA-256: 32 bytes derived from {@code seed}. */
    static byte[] sha(String seed) {
        byte[] out = new byte[32];
        byte[] s = seed.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (s[i % s.length] + i);
        }
        return out;
    }

    static Event draft(String kind, String host) {
        return Event.draft("admin:root", kind, host, "subject", "message");
    }

    /** Everything the store can list, as text, including sealed keys' plaintext and byte fields. */
    static String snapshot(Store store, List<String> joinTokenIds) throws ControllerException {
        HexFormat hex = HexFormat.of();
        List<String> lines = new ArrayList<>();
        lines.add("revision " + store.revision());
        lines.add("lastEventSeq " + store.lastEventSeq());
        store.hosts().forEach(h -> lines.add(h.toString()));
        for (CertificateVersion latest : store.latestCertificates()) {
            for (CertificateVersion v : store.certificateVersions(latest.name())) {
                lines.add(v.name() + " " + v.version() + " " + v.revision() + " " + v.created() + " "
                        + v.leaf().getSerialNumber() + " key "
                        + hex.formatHex(store.privateKey(v.name(), v.version()).getEncoded()));
            }
        }
        store.bindings().forEach(b -> lines.add(b.toString()));
        // Token records hold byte arrays, whose toString is an identity: spell them out.
        store.adminTokens().forEach(t -> lines.add(String.join(" ", "admin token", t.name(),
                hex.formatHex(t.secretSha256()), t.role().name(), t.created().toString())));
        for (String id : joinTokenIds) {
            store.joinToken(id).ifPresent(t -> lines.add(String.join(" ", "join token", t.id(),
                    hex.formatHex(t.secretSha256()), t.host(), t.created().toString(), t.expires().toString(),
                    t.used().toString(), t.createdBy())));
        }
        store.events(0, "", Integer.MAX_VALUE).forEach(e -> lines.add(e.toString()));
        Optional<java.security.PrivateKey> ca = store.controllerKey("ca");
        lines.add("ca " + ca.map(k -> hex.formatHex(k.getEncoded())).orElse("-"));
        return String.join("\n", lines);
    }

    /** Runs {@code body} on the store's RocksDB directly (the store must be closed). */
    static void withRawDb(Path storeDir, RawDbBody body) throws RocksDBException {
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (String name : RocksStore.COLUMN_FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                RocksDB db = RocksDB.open(options, storeDir.toString(), descriptors, handles)) {
            try {
                body.run(db, handles);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    /** Code run against a raw RocksDB; handles are in {@link RocksStore#COLUMN_FAMILIES} order. */
    @FunctionalInterface
    interface RawDbBody {
        void run(RocksDB db, List<ColumnFamilyHandle> handles) throws RocksDBException;
    }

    static ColumnFamilyHandle handle(List<ColumnFamilyHandle> handles, String name) {
        return handles.get(RocksStore.COLUMN_FAMILIES.indexOf(name));
    }
}
