package org.mailcert.agent.target.mail;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.ProvenMaterial;
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
 * deleted only once the new ones are proven served ({@link #prune}).
 *
 * <p>Writing is idempotent: a file that exists with the right content and mode is left alone. A
 * file this instance wrote or checked is remembered with its stamp (inode, modification time,
 * size, mode), so an unchanged file is not read again on every apply (15,000 reads per change at
 * 5,000 names). Written files are atomic for readers but flushed to disk together by {@link #flush},
 * which the caller runs before any configuration refers to them.
 *
 * <p>What is written is the binding's material, proven once per agent process ({@link
 * ProvenMaterial}: the key belongs to the leaf, the chain is in order); each written file is read
 * back and compared byte for byte, which proves the file holds exactly that proven material and is
 * readable. {@link #verify} repeats the cryptographic checks on files that changed behind the
 * agent's back. Not thread-safe.
 */
public final class CertFiles {
    /** File name suffixes of one certificate. */
    static final String KEY = ".key.pem";
    static final String FULLCHAIN = ".fullchain.pem";
    static final String KEY_AND_CHAIN = ".keychain.pem";

    /** The files a target needs of a certificate. */
    public enum Form {
        /** The private key alone (PKCS#8 PEM). */
        KEY,
        /** Leaf then intermediates. */
        FULLCHAIN,
        /** Key, leaf, intermediates in one file (Postfix {@code smtpd_tls_chain_files}, qmail). */
        KEY_AND_CHAIN
    }

    /** A file known to hold content of this length and hash since it had this stamp. */
    private record Known(FileStamp stamp, int length, int hash) {
    }

    private final Path dir;
    private final Map<Path, Known> known = new HashMap<>();
    private final Set<Path> unflushed = new LinkedHashSet<>();
    private boolean dirReady;

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

        /** The path of one form. */
        public Path path(Form form) {
            return switch (form) {
                case KEY -> key;
                case FULLCHAIN -> fullChain;
                case KEY_AND_CHAIN -> keyAndChain;
            };
        }
    }

    /** Where a binding's files go, without writing them. */
    public Installed pathsOf(Binding b) {
        String base = b.leafSha256().substring(0, 16);
        return new Installed(dir.resolve(base + KEY), dir.resolve(base + FULLCHAIN), dir.resolve(base + KEY_AND_CHAIN),
                b.leafSha256());
    }

    /** Writes all three forms; see {@link #install(Binding, Set)}. */
    public Installed install(Binding b) throws IOException {
        return install(b, EnumSet.allOf(Form.class));
    }

    /** What installing did to one file. */
    public enum Write {
        /** It already held exactly this material. */
        UNCHANGED,
        /** It held something else and was replaced. */
        REPLACED,
        /** It did not exist. */
        CREATED
    }

    /**
     * A binding's files after {@link #installReporting}.
     *
     * @param paths where they are
     * @param writes what installing did to each file of the forms asked for
     * @param stamps each of those files' stamp once installed
     */
    public record Written(Installed paths, Map<Path, Write> writes, Map<Path, FileStamp> stamps) {
        /** Whether any file was created or replaced. */
        public boolean changed() {
            return writes.values().stream().anyMatch(w -> w != Write.UNCHANGED);
        }
    }

    /**
     * Writes the given forms of the binding's files unless they already hold exactly this material,
     * reading back each file written. The writes are not yet durable: call {@link #flush} before
     * configuration refers to them.
     *
     * @throws IOException if a file cannot be written or does not read back as written
     */
    public Installed install(Binding b, Set<Form> forms) throws IOException {
        return installReporting(b, forms).paths();
    }

    /**
     * {@link #install} that also tells what it did to each file and the files' stamps afterwards, so
     * a caller needs no stat of its own before and after (thousands of them per apply).
     *
     * @throws IOException if a file cannot be written or does not read back as written
     */
    public Written installReporting(Binding b, Set<Form> forms) throws IOException {
        Installed paths = pathsOf(b);
        Optional<String> problem = ProvenMaterial.problem(b);
        if (problem.isPresent()) {
            throw new IOException("refusing to write " + paths.key().getFileName().toString().replace(KEY, "")
                    + ".*: " + problem.get());
        }
        if (!dirReady || !Files.isDirectory(dir)) {
            AtomicFiles.privateDirectory(dir);
            dirReady = true;
        }
        String key = b.keyPem();
        String chain = b.fullChainPem();
        Map<Path, Write> writes = new LinkedHashMap<>();
        Map<Path, FileStamp> stamps = new LinkedHashMap<>();
        for (Form f : forms) {
            String content = switch (f) {
                case KEY -> key;
                case FULLCHAIN -> chain;
                case KEY_AND_CHAIN -> key + chain;
            };
            Path file = paths.path(f);
            writes.put(file, writeIfDifferent(file, content.getBytes(US_ASCII)));
            stamps.put(file, known.get(file).stamp());
        }
        return new Written(paths, writes, stamps);
    }

    /** Flushes every file written since the last flush to disk, with its directory. */
    public void flush() throws IOException {
        if (unflushed.isEmpty()) {
            return;
        }
        List<Path> existing = unflushed.stream().filter(Files::isRegularFile).toList();
        AtomicFiles.force(existing);
        unflushed.clear();
    }

    /**
     * Checks the files on disk: readable, the key matches the leaf, the chain is in order and the
     * leaf is the one the file name promises. This is what a server would load. The key-and-chain
     * file is checked only if it exists.
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
        if (Files.exists(files.keyAndChain())) {
            List<X509Certificate> combined = readChain(files.keyAndChain());
            if (!combined.equals(chain)) {
                throw new IOException(files.keyAndChain() + ": its chain differs from " + files.fullChain());
            }
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
                    known.remove(f);
                }
            }
        }
        if (!deleted.isEmpty()) {
            AtomicFiles.syncDirectory(dir);
        }
        return deleted;
    }

    private Write writeIfDifferent(Path file, byte[] bytes) throws IOException {
        int hash = Arrays.hashCode(bytes);
        Optional<BasicFileAttributes> attributes = AtomicFiles.attributes(file);
        Optional<FileStamp> stamp = attributes.filter(CertFiles::isPrivateFile).map(FileStamp::of);
        Known k = known.get(file);
        if (stamp.isPresent() && k != null && k.stamp().equals(stamp.get()) && k.length() == bytes.length
                && k.hash() == hash) {
            return Write.UNCHANGED;
        }
        if (stamp.isPresent() && Arrays.equals(Files.readAllBytes(file), bytes)) {
            known.put(file, new Known(stamp.get(), bytes.length, hash));
            return Write.UNCHANGED;
        }
        Write write = attributes.isPresent() ? Write.REPLACED : Write.CREATED;
        known.remove(file);
        AtomicFiles.writeUnflushed(file, bytes, AtomicFiles.OWNER_ONLY);
        unflushed.add(file);
        if (!Arrays.equals(Files.readAllBytes(file), bytes)) {
            throw new IOException(file + ": does not read back as written");
        }
        Optional<FileStamp> written = stampIfPrivate(file);
        if (written.isEmpty()) {
            throw new IOException(file + ": not owner-only (0600) after writing it");
        }
        known.put(file, new Known(written.get(), bytes.length, hash));
        return write;
    }

    /** A regular file (not a link) that, where modes exist, only its owner can read and write. */
    private static boolean isPrivateFile(BasicFileAttributes a) {
        return a.isRegularFile()
                && (!(a instanceof PosixFileAttributes p) || p.permissions().equals(AtomicFiles.OWNER_ONLY));
    }

    /** The file's stamp if it is a regular file with mode 0600 (any mode where POSIX does not apply). */
    private static Optional<FileStamp> stampIfPrivate(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        if (AtomicFiles.posix() && !Files.getPosixFilePermissions(file).equals(AtomicFiles.OWNER_ONLY)) {
            return Optional.empty();
        }
        return FileStamp.of(file);
    }
}
