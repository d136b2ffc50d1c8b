package org.mailcert.controller.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.testing.ControllerProcess;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.store.MasterKey;
import org.mailcert.controller.store.RocksStore;
import org.mailcert.proto.v1.ImportCertificateRequest;

/**
 * No private key is ever on the controller's disk in plaintext: after imports in every key format
 * (and a kill -9, so the WAL is left as it is), every file under the data dir is scanned for PEM
 * key headers and for the DER and raw forms of every key — imported ones and the controller's own.
 */
class NoPlaintextKeysIT {
    private static final char[] PASSWORD = "pfx-pass".toCharArray();

    @TempDir
    Path tmp;

    @Test
    void theDataDirHoldsNoPrivateKeyInPlaintext() throws Exception {
        Path dataDir = tmp.resolve("controller");
        TestPki pki = TestPki.rootCa("Scan Root");
        Map<String, byte[]> needles = new LinkedHashMap<>();
        try (ControllerProcess p = new ControllerProcess(dataDir).start()) {
            var admin = p.admin();
            TestPki.Leaf ec = pki.leaf("mail.example.com").ec().issue();
            TestPki.Leaf rsa = pki.leaf("mail.example.org").rsa().issue();
            TestPki.Leaf enc = pki.leaf("mail.example.net").issue();
            TestPki.Leaf pfx = pki.leaf("mail.example.edu").rsa().issue();
            admin.importCertificate(pem("ec-sec1", ec.chainPem(), ec.sec1KeyPem()));
            admin.importCertificate(pem("rsa-pkcs1", rsa.chainPem(), rsa.pkcs1KeyPem()));
            admin.importCertificate(pem("enc-pkcs8", enc.chainPem(), enc.encryptedKeyPem(PASSWORD))
                    .toBuilder().setPassword(new String(PASSWORD)).build());
            admin.importCertificate(ImportCertificateRequest.newBuilder().setName("pfx")
                    .setPkcs12(ByteString.copyFrom(pfx.pkcs12(PASSWORD))).setPassword(new String(PASSWORD)).build());
            addForms(needles, "ec", ec.key());
            addForms(needles, "rsa", rsa.key());
            addForms(needles, "enc", enc.key());
            addForms(needles, "pfx", pfx.key());
            needles.put("ec SEC1 DER", pemBody(ec.sec1KeyPem()));
            needles.put("rsa PKCS#1 DER", pemBody(rsa.pkcs1KeyPem()));
            p.kill9();
        }
        // The controller's own keys (CA, TLS server), read back through the store with the master key.
        try (RocksStore store = RocksStore.open(dataDir.resolve("store"), MasterKey.loadOrCreate(dataDir.resolve("master.key")),
                Clock.systemUTC())) {
            addForms(needles, "controller CA", store.controllerKey("ca").orElseThrow());
            addForms(needles, "controller TLS", store.controllerKey("server-tls").orElseThrow());
            assertEquals(4, store.latestCertificates().size());
        }

        List<Path> files;
        try (Stream<Path> s = Files.walk(dataDir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.size() > 5, "scanned too few files: " + files);
        List<String> found = new ArrayList<>();
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            if (indexOf(content, "PRIVATE KEY".getBytes(StandardCharsets.US_ASCII)) >= 0) {
                found.add(f + ": PEM private key header");
            }
            for (var n : needles.entrySet()) {
                if (indexOf(content, n.getValue()) >= 0) {
                    found.add(f + ": " + n.getKey());
                }
            }
        }
        if (!found.isEmpty()) {
            fail("plaintext key material on disk:\n" + String.join("\n", found));
        }
    }

    private static ImportCertificateRequest pem(String name, String chain, String key) {
        return ImportCertificateRequest.newBuilder().setName(name).setChainPem(ByteString.copyFromUtf8(chain))
                .setKeyPem(ByteString.copyFromUtf8(key)).build();
    }

    /** The PKCS#8 DER of a key and its raw secret number. */
    private static void addForms(Map<String, byte[]> needles, String what, PrivateKey key) {
        needles.put(what + " PKCS#8 DER", key.getEncoded());
        if (key instanceof ECPrivateKey ec) {
            needles.put(what + " EC scalar", unsigned(ec.getS(), 32));
        } else if (key instanceof RSAPrivateCrtKey rsa) {
            needles.put(what + " RSA private exponent", unsigned(rsa.getPrivateExponent(), 0));
            needles.put(what + " RSA prime p", unsigned(rsa.getPrimeP(), 0));
        }
    }

    private static byte[] unsigned(BigInteger n, int length) {
        byte[] b = n.toByteArray();
        if (b[0] == 0) {
            b = Arrays.copyOfRange(b, 1, b.length);
        }
        if (length > b.length) {
            byte[] padded = new byte[length];
            System.arraycopy(b, 0, padded, length - b.length, b.length);
            return padded;
        }
        return b;
    }

    private static byte[] pemBody(String pem) {
        String body = pem.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
