package org.mailcert.agent.target.keychain;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.mailcert.agent.target.Binding;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Chains;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Material;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.Pem;

/**
 * One PEM file with the private key, then the leaf, then the intermediates: what qmail's {@code
 * servercert.pem} and Courier's {@code TLS_CERTFILE} hold.
 */
public final class KeyChainPem {
    private KeyChainPem() {
    }

    /**
     * The file's bytes for a binding: key, leaf, intermediates. An EC key carries its public key,
     * without which GnuTLS (couriertls) refuses every handshake.
     */
    public static byte[] render(Binding b) {
        return (Pem.privateKeyWithPublicKey(b.key()) + b.fullChainPem()).getBytes(US_ASCII);
    }

    /**
     * Reads the file back as a server would load it and checks it: one key, at least one
     * certificate, the leaf is the expected one, the key matches it and the chain is in order (the
     * checks of {@code CertFiles.verify}, on the combined file).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static void verify(Path file, String leafSha256) throws IOException {
        Material m;
        try {
            m = MaterialReader.readPem(Files.readAllBytes(file), null);
        } catch (BadMaterialException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (m.key().isEmpty()) {
            throw new IOException(file + ": holds no private key");
        }
        List<X509Certificate> chain = m.chain();
        if (!Fingerprints.sha256Hex(chain.get(0)).equals(leafSha256)) {
            throw new IOException(file + ": holds a different certificate than expected");
        }
        if (!Keys.matches(m.key().get(), chain.get(0))) {
            throw new IOException(file + ": the key does not match the certificate");
        }
        try {
            if (!Chains.order(chain).equals(chain)) {
                throw new IOException(file + ": the chain is not in order (leaf first, then its issuers)");
            }
        } catch (BadMaterialException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of the file's first certificate; empty if the file is missing or unreadable. */
    public static Optional<String> leafSha256(Path file) {
        try {
            Material m = MaterialReader.readPem(Files.readAllBytes(file), null);
            return Optional.of(Fingerprints.sha256Hex(m.chain().get(0)));
        } catch (IOException | BadMaterialException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
