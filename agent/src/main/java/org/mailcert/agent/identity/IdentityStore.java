package org.mailcert.agent.identity;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.agent.identity.IdentityException.Reason;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The identity files in a data dir (layout in the package documentation). Every file is replaced
 * atomically; keys are 0600 and the directories 0700. A renewal first writes {@code next.key} and
 * {@code next.pem}; {@link #promoteNext()} moves them over {@code agent.key} and {@code agent.pem}
 * once a stream opened with them succeeded, and {@link #load()} finishes a promotion a crash
 * interrupted. Not thread-safe: one agent process per data dir.
 */
public final class IdentityStore {
    /** The settings file in the data dir. */
    public static final String SETTINGS = "agent.yaml";
    static final String KEY = "agent.key";
    static final String CERT = "agent.pem";
    static final String CA = "ca.pem";
    static final String NEXT_KEY = "next.key";
    static final String NEXT_CERT = "next.pem";
    private static final Logger LOG = LoggerFactory.getLogger(IdentityStore.class);

    private final Path dataDir;
    private final Path dir;

    /** Uses the identity under {@code dataDir}. */
    public IdentityStore(Path dataDir) {
        this.dataDir = dataDir;
        this.dir = dataDir.resolve("identity");
    }

    /** The data dir. */
    public Path dataDir() {
        return dataDir;
    }

    /** The identity directory. */
    public Path directory() {
        return dir;
    }

    /** Whether any part of an identity exists (settings, key or certificate). */
    public boolean exists() {
        return Files.exists(dataDir.resolve(SETTINGS)) || Files.exists(dir.resolve(KEY))
                || Files.exists(dir.resolve(CERT));
    }

    /**
     * Reads {@code agent.yaml}.
     *
     * @throws IdentityException MISSING when the agent has not enrolled, DAMAGED when it does not parse
     */
    public AgentSettings loadSettings() throws IdentityException {
        Path file = dataDir.resolve(SETTINGS);
        String text;
        try {
            text = Files.readString(file, UTF_8);
        } catch (NoSuchFileException e) {
            throw new IdentityException(Reason.MISSING, "no identity in " + dataDir
                    + "; enroll first: mailcert-agent enroll --controller HOST:PORT --token TOKEN --data-dir " + dataDir);
        } catch (IOException e) {
            throw damaged(file, e.getMessage(), e);
        }
        try {
            Object doc = new Load(LoadSettings.builder().build()).loadFromString(text);
            if (!(doc instanceof Map<?, ?> map)) {
                throw damaged(file, "not a mapping", null);
            }
            String host = value(map, "host", file);
            return new AgentSettings(ControllerAddress.parse(value(map, "controller", file)), host,
                    map.get("host-id") == null ? "" : String.valueOf(map.get("host-id")));
        } catch (YamlEngineException | IllegalArgumentException e) {
            throw damaged(file, e.getMessage(), e);
        }
    }

    /**
     * Reads the current identity, finishing a promotion of {@code next.*} that a crash interrupted.
     *
     * @throws IdentityException MISSING or DAMAGED
     */
    public Identity load() throws IdentityException {
        AgentSettings settings = loadSettings();
        X509Certificate ca = readCertificates(dir.resolve(CA)).get(0);
        PrivateKey key = readKey(dir.resolve(KEY));
        List<X509Certificate> chain = readCertificates(dir.resolve(CERT));
        if (!Keys.matches(key, chain.get(0))) {
            Path nextCert = dir.resolve(NEXT_CERT);
            if (Files.exists(nextCert) && !Files.exists(dir.resolve(NEXT_KEY))) {
                List<X509Certificate> next = readCertificates(nextCert);
                if (Keys.matches(key, next.get(0))) {
                    LOG.warn("host {}: finishing the switch to the renewed client certificate that was interrupted",
                            settings.host());
                    move(nextCert, dir.resolve(CERT));
                    return new Identity(settings, key, next, ca);
                }
            }
            throw damaged(dir.resolve(KEY), "the key does not belong to " + dir.resolve(CERT), null);
        }
        return new Identity(settings, key, chain, ca);
    }

    /** The current client certificate alone (no key needed), for {@code status}; empty if there is none. */
    public Optional<X509Certificate> loadCertificate() throws IdentityException {
        Path file = dir.resolve(CERT);
        return Files.exists(file) ? Optional.of(readCertificates(file).get(0)) : Optional.empty();
    }

    /**
     * Reads the renewed identity waiting for promotion; empty when there is none. A damaged or
     * half-written one is deleted (the agent renews again).
     */
    public Optional<Identity> loadNext() throws IdentityException {
        Path keyFile = dir.resolve(NEXT_KEY);
        Path certFile = dir.resolve(NEXT_CERT);
        if (!Files.exists(keyFile) || !Files.exists(certFile)) {
            return Optional.empty();
        }
        Identity current = load();
        try {
            PrivateKey key = readKey(keyFile);
            List<X509Certificate> chain = readCertificates(certFile);
            if (Keys.matches(key, chain.get(0))) {
                return Optional.of(new Identity(current.settings(), key, chain, current.ca()));
            }
            LOG.warn("host {}: discarding the renewed identity: {} does not belong to {}", current.host(), keyFile,
                    certFile);
        } catch (IdentityException e) {
            LOG.warn("host {}: discarding the renewed identity: {}", current.host(), e.getMessage());
        }
        discardNext();
        return Optional.empty();
    }

    /**
     * Stores a new identity from enrollment, replacing any old one (and any renewal in progress).
     *
     * @throws IdentityException DAMAGED if the files cannot be written
     */
    public void save(AgentSettings settings, PrivateKey key, List<X509Certificate> chain, X509Certificate ca)
            throws IdentityException {
        try {
            AtomicFiles.privateDirectory(dataDir);
            AtomicFiles.privateDirectory(dir);
            AtomicFiles.write(dir.resolve(CA), Pem.certificates(List.of(ca)).getBytes(US_ASCII), AtomicFiles.PUBLIC_READ);
            AtomicFiles.write(dir.resolve(KEY), Pem.privateKey(key).getBytes(US_ASCII), AtomicFiles.OWNER_ONLY);
            AtomicFiles.write(dir.resolve(CERT), Pem.certificates(chain).getBytes(US_ASCII), AtomicFiles.PUBLIC_READ);
            AtomicFiles.write(dataDir.resolve(SETTINGS), settingsYaml(settings).getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
            Files.deleteIfExists(dir.resolve(NEXT_KEY));
            Files.deleteIfExists(dir.resolve(NEXT_CERT));
            AtomicFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new IdentityException(Reason.DAMAGED, "cannot write the identity in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores a renewed key and certificate beside the current ones, to be promoted after a stream
     * opened with them succeeds.
     *
     * @throws IdentityException DAMAGED if the files cannot be written
     */
    public void saveNext(PrivateKey key, List<X509Certificate> chain) throws IdentityException {
        try {
            AtomicFiles.write(dir.resolve(NEXT_KEY), Pem.privateKey(key).getBytes(US_ASCII), AtomicFiles.OWNER_ONLY);
            AtomicFiles.write(dir.resolve(NEXT_CERT), Pem.certificates(chain).getBytes(US_ASCII), AtomicFiles.PUBLIC_READ);
        } catch (IOException e) {
            throw new IdentityException(Reason.DAMAGED, "cannot write the renewed identity in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Makes the renewed key and certificate the current ones: {@code next.key} then {@code next.pem}
     * are renamed over {@code agent.key} and {@code agent.pem}.
     *
     * @throws IdentityException DAMAGED if the renames fail
     */
    public void promoteNext() throws IdentityException {
        move(dir.resolve(NEXT_KEY), dir.resolve(KEY));
        move(dir.resolve(NEXT_CERT), dir.resolve(CERT));
    }

    /** Deletes a renewal in progress; failures are logged (a stale file is harmless). */
    public void discardNext() {
        try {
            Files.deleteIfExists(dir.resolve(NEXT_KEY));
            Files.deleteIfExists(dir.resolve(NEXT_CERT));
            AtomicFiles.syncDirectory(dir);
        } catch (IOException e) {
            LOG.warn("cannot delete the renewed identity files in {}: {}", dir, e.getMessage());
        }
    }

    private void move(Path from, Path to) throws IdentityException {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
            AtomicFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new IdentityException(Reason.DAMAGED, "cannot move " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static String settingsYaml(AgentSettings settings) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("controller", settings.controller().toString());
        map.put("host", settings.host());
        map.put("host-id", settings.hostId());
        return "# Written by `mailcert-agent enroll`; the controller address may be edited.\n"
                + new Dump(DumpSettings.builder().build()).dumpToString(map);
    }

    private static String value(Map<?, ?> map, String key, Path file) throws IdentityException {
        Object v = map.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            throw damaged(file, "'" + key + "' is missing", null);
        }
        return String.valueOf(v);
    }

    private static PrivateKey readKey(Path file) throws IdentityException {
        try {
            return MaterialReader.readPemKey(read(file), null);
        } catch (BadMaterialException e) {
            throw damaged(file, e.getMessage(), e);
        }
    }

    private static List<X509Certificate> readCertificates(Path file) throws IdentityException {
        try {
            return Pem.readCertificates(read(file));
        } catch (BadMaterialException e) {
            throw damaged(file, e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) throws IdentityException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw damaged(file, "the file is missing", e);
        } catch (IOException e) {
            throw damaged(file, e.getMessage(), e);
        }
    }

    private static IdentityException damaged(Path file, String what, Throwable cause) {
        return new IdentityException(Reason.DAMAGED, "the identity file " + file + " is unusable (" + what
                + "); enroll again with a new token: mailcert-agent enroll --force ...", cause);
    }
}
