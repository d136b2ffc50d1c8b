package org.mailcert.controller.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.DnsSolverConfig;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.IssuerSecrets;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;

/** Private keys: round trips, the master key, associated data, and nothing in the clear on disk. */
class RocksStoreSealingTest {
    @TempDir
    Path tmp;

    private static final PrivateKey RSA = Samples.rsa().getPrivate();
    private static final PrivateKey EC = Samples.ec().getPrivate();
    private static final PrivateKey EC2 = Samples.ec2().getPrivate();

    private void writeKeys(Store store) throws ControllerException {
        store.write(tx -> {
            tx.putCertificateVersion(Fixtures.certificate("web", 1, Samples.rsa(), tx.revision()), RSA);
            tx.putCertificateVersion(Fixtures.certificate("web", 2, Samples.ec(), tx.revision()), EC);
            tx.putCertificateVersion(Fixtures.certificate("mail", 1, Samples.ec2(), tx.revision()), EC2);
            tx.putControllerKey("ca", EC2);
            return null;
        });
    }

    @Test
    void rsaEcAndControllerKeysRoundTripAcrossReopen() throws Exception {
        try (RocksStore store = Fixtures.open(tmp)) {
            writeKeys(store);
        }
        try (RocksStore store = Fixtures.open(tmp)) {
            PrivateKey rsa = store.privateKey("web", 1);
            assertEquals("RSA", rsa.getAlgorithm());
            assertArrayEquals(RSA.getEncoded(), rsa.getEncoded());
            PrivateKey ec = store.privateKey("web", 2);
            assertEquals("EC", ec.getAlgorithm());
            assertArrayEquals(EC.getEncoded(), ec.getEncoded());
            assertArrayEquals(EC2.getEncoded(), store.controllerKey("ca").orElseThrow().getEncoded());
            assertEquals(Optional.empty(), store.controllerKey("tls"));
            ControllerException missing = assertThrows(ControllerException.class, () -> store.privateKey("web", 3));
            assertEquals(ControllerException.Kind.NOT_FOUND, missing.kind());
        }
    }

    @Test
    void aDifferentMasterKeyIsRefusedAtOpenAndDamagesNothing() throws Exception {
        String before;
        try (RocksStore store = Fixtures.open(tmp)) {
            writeKeys(store);
            before = Fixtures.snapshot(store, List.of());
        }
        MasterKey other = MasterKey.loadOrCreate(tmp.resolve("other.key"));
        ControllerException e = assertThrows(ControllerException.class,
                () -> RocksStore.open(tmp.resolve("store"), other, Fixtures.CLOCK));
        assertEquals(ControllerException.Kind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("is not the key the store was created with"), e.getMessage());
        try (RocksStore store = Fixtures.open(tmp)) {
            assertEquals(before, Fixtures.snapshot(store, List.of()));
            assertArrayEquals(EC2.getEncoded(), store.controllerKey("ca").orElseThrow().getEncoded());
        }
    }


    @Test
    void aSealedKeyMovedToAnotherRecordFailsItsAssociatedDataCheck() throws Exception {
        try (RocksStore store = Fixtures.open(tmp)) {
            writeKeys(store);
        }
        Fixtures.withRawDb(tmp.resolve("store"), (db, handles) -> {
            ColumnFamilyHandle keys = Fixtures.handle(handles, RocksStore.CF_KEYS);
            byte[] web1 = Keys.certificate("web", 1);
            byte[] web2 = Keys.certificate("web", 2);
            byte[] sealed1 = db.get(keys, web1);
            byte[] sealed2 = db.get(keys, web2);
            db.put(keys, web1, sealed2);
            db.put(keys, web2, sealed1);
            db.put(keys, Keys.controllerKey("ca"), db.get(keys, Keys.certificate("mail", 1)));
        });
        try (RocksStore store = Fixtures.open(tmp)) {
            for (int version : new int[] {1, 2}) {
                ControllerException e = assertThrows(ControllerException.class, () -> store.privateKey("web", version));
                assertEquals(ControllerException.Kind.INTERNAL, e.kind());
                assertTrue(e.getMessage().endsWith("wrong master key or tampered store"), e.getMessage());
            }
            assertThrows(ControllerException.class, () -> store.controllerKey("ca"));
            assertArrayEquals(EC2.getEncoded(), store.privateKey("mail", 1).getEncoded());
        }
    }

    @Test
    void noFileUnderTheStoreHoldsAKeyInTheClear() throws Exception {
        try (RocksStore store = Fixtures.open(tmp)) {
            writeKeys(store);
        }
        List<byte[]> secrets = List.of(RSA.getEncoded(), EC.getEncoded(), EC2.getEncoded());
        assertNoSecrets(tmp.resolve("store"), secrets);

        // Once more after the memtables are flushed to SST files and compacted.
        Fixtures.withRawDb(tmp.resolve("store"), (db, handles) -> {
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush, handles);
            }
            db.compactRange(Fixtures.handle(handles, RocksStore.CF_KEYS));
        });
        assertTrue(hasSstFile(tmp.resolve("store")), "the flush wrote SST files");
        assertNoSecrets(tmp.resolve("store"), secrets);
    }

    @Test
    void issuerSecretsRoundTripAcrossReopenAndAreNeverOnDiskInTheClear() throws Exception {
        byte[] eab = new byte[64];
        byte[] tsig = new byte[64];
        Arrays.fill(eab, (byte) 0x5a);
        for (int i = 0; i < tsig.length; i++) {
            tsig[i] = (byte) (i * 7 + 3);
        }
        java.security.KeyPair account = Samples.ec();
        Issuer issuer = new Issuer("le", "https://acme.test/dir", "a@example.com", "", "kid", new DnsSolverConfig.Rfc2136(
                "ns1.example.net:53", "k", "hmac-sha256", ""), "", Issuer.UNREGISTERED, java.time.Instant.EPOCH,
                List.of("classic"), true);
        try (RocksStore store = Fixtures.open(tmp)) {
            long revision = store.revision();
            store.write(tx -> {
                tx.putIssuer(issuer, new IssuerSecrets(account, Optional.of(eab), Optional.of(tsig)));
                return null;
            });
            assertEquals(revision + 1, store.revision());
            AcmeOrder order = new AcmeOrder("wild", "le", List.of("*.example.com"), "ec256", "", Optional.empty(), "",
                    "", "", 0, java.time.Instant.EPOCH, "requested");
            store.write(tx -> {
                tx.putAcmeOrder(order);
                return null;
            });
            assertEquals(revision + 1, store.revision(), "an ACME record is not desired state");
            assertEquals(List.of(order), store.acmeOrders());
        }
        try (RocksStore store = Fixtures.open(tmp)) {
            assertEquals(Optional.of(issuer), store.issuer("le"));
            IssuerSecrets back = store.issuerSecrets("le");
            assertArrayEquals(eab, back.eabHmac().orElseThrow());
            assertArrayEquals(tsig, back.tsigSecret().orElseThrow());
            assertArrayEquals(account.getPrivate().getEncoded(), back.accountKey().getPrivate().getEncoded());
            assertArrayEquals(account.getPublic().getEncoded(), back.accountKey().getPublic().getEncoded());
            assertEquals(ControllerException.Kind.NOT_FOUND,
                    assertThrows(ControllerException.class, () -> store.issuerSecrets("other")).kind());
        }
        assertNoSecrets(tmp.resolve("store"), List.of(eab, tsig, account.getPrivate().getEncoded()));
    }

    private static void assertNoSecrets(Path dir, List<byte[]> secrets) throws IOException {
        byte[] marker = "PRIVATE KEY".getBytes(StandardCharsets.US_ASCII);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty());
        for (Path file : files) {
            byte[] content = Files.readAllBytes(file);
            assertFalse(contains(content, marker), file + " contains PRIVATE KEY");
            for (byte[] secret : secrets) {
                assertFalse(contains(content, secret), file + " contains a PKCS#8 key");
                // A slice from the middle, in case a record were split or prefixed.
                byte[] slice = Arrays.copyOfRange(secret, secret.length / 2, secret.length / 2 + 24);
                assertFalse(contains(content, slice),
                        file + " contains part of a PKCS#8 key: " + HexFormat.of().formatHex(slice));
            }
        }
    }

    private static boolean hasSstFile(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.anyMatch(p -> p.getFileName().toString().endsWith(".sst"));
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
