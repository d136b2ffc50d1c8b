package org.mailcert.agent.target.mail;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.mailcert.agent.target.Binding;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Chains;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.Pem;

/**
 * Versioned certificate files in one private directory (0700, files 0600). A file's name carries
 * the leaf's SHA-256, so a new certificate version never overwrites a file a server may still
 * read: the new files are written beside the old, configuration is switched, and the old files are
 * deleted only once the new ones are proven served ({@link #prune}). Writing is idempotent: a file
 * that exists with the right content is left alone. Not thread-safe.
 */
public final class CertFiles {
    /** File name suffixes of one certificate. */
    static final String KEY = ".key.pem";
    static final String FULLCHAIN = ".fullchain.pem";
    static final String KEY_AND_CHAIN = ".keychain.pem";

    private final Path dir;

    /** Files go into {@code dir}, which is created (0700) when first needed. */
    public CertFiles(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /**
     * The files of one certificate.
     *
     * @param key the private key alone (PKCS#8 PEM)
     * @param fullChain leaf then intermediates
     * @param keyAndChain key, leaf, intermediates in one file (Postfix {@code smtpd_tls_chain_files}, qmail)
     */
    public record Installed(Path key, Path fullChain, Path keyAndChain, String leafSha256) {
        /** All three paths. */
        public List<Path> paths() {
            return List.of(key, fullChain, keyAndChain);
        }
    }

    /** Where a binding's files go, without writing them. */
    public Installed pathsOf(Binding b) {
        String base = b.leafSha256().substring(0, 16);
        return new Installed(dir.resolve(base + KEY), dir.resolve(base + FULLCHAIN), dir.resolve(base + KEY_AND_CHAIN),
                b.leafSha256());
    }

    /**
     * Writes the binding's files unless they already hold exactly this material, then reads back
     * what was written and checks it as a server would ({@link #verify}). Files that already held
     * the material are not checked again: their bytes equal the binding's, which the agent checked
     * (key matches leaf) before any target saw it.
     *
     * @throws IOException if a file cannot be written or does not read back as a matching pair
     */
    public Installed install(Binding b) throws IOException {
        Installed paths = pathsOf(b);
        AtomicFiles.privateDirectory(dir);
        String key = b.keyPem();
        String chain = b.fullChainPem();
        boolean written = writeIfDifferent(paths.key(), key);
        written |= writeIfDifferent(paths.fullChain(), chain);
        written |= writeIfDifferent(paths.keyAndChain(), key + chain);
        if (written) {
            verify(paths);
        }
        return paths;
    }

    /**
     * Checks the files on disk: readable, the key matches the leaf, the chain is in order and the
     * leaf is the one the file name promises. This is what a server would load.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static void verify(Installed files) throws IOException {
        List<X509Certificate> chain = readChain(files.fullChain());
        PrivateKey key;
        try {
            key = MaterialReader.readPemKey(Files.readAllBytes(files.key()), null);
        } catch (BadMaterialException e) {
            throw new IOException(files.key() + ": " + e.getMessage(), e);
        }
        if (!Fingerprints.sha256Hex(chain.get(0)).equals(files.leafSha256())) {
            throw new IOException(files.fullChain() + ": holds a different certificate than expected");
        }
        if (!Keys.matches(key, chain.get(0))) {
            throw new IOException(files.key() + ": the key does not match the certificate in " + files.fullChain());
        }
        List<X509Certificate> combined = readChain(files.keyAndChain());
        if (!combined.equals(chain)) {
            throw new IOException(files.keyAndChain() + ": its chain differs from " + files.fullChain());
        }
        try {
            if (!Chains.order(chain).equals(chain)) {
                throw new IOException(files.fullChain() + ": the chain is not in order (leaf first, then its issuers)");
            }
        } catch (BadMaterialException e) {
            throw new IOException(files.fullChain() + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> readChain(Path file) throws IOException {
        try {
            List<X509Certificate> chain = Pem.readCertificates(Files.readAllBytes(file));
            if (chain.isEmpty()) {
                throw new IOException(file + ": no certificate in it");
            }
            return chain;
        } catch (BadMaterialException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every certificate file in the directory that is not in {@code keep}.
     *
     * @return the files deleted
     */
    public List<Path> prune(Set<Path> keep) throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return deleted;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                boolean ours = n.endsWith(KEY) || n.endsWith(FULLCHAIN) || n.endsWith(KEY_AND_CHAIN);
                if (ours && !keep.contains(f) && Files.deleteIfExists(f)) {
                    deleted.add(f);
                }
            }
        }
        if (!deleted.isEmpty()) {
            AtomicFiles.syncDirectory(dir);
        }
        return deleted;
    }

    private static boolean writeIfDifferent(Path file, String content) throws IOException {
        byte[] bytes = content.getBytes(US_ASCII);
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)
                && (!AtomicFiles.posix() || Files.getPosixFilePermissions(file).equals(AtomicFiles.OWNER_ONLY))) {
            return false;
        }
        AtomicFiles.write(file, bytes, AtomicFiles.OWNER_ONLY);
        return true;
    }
}
