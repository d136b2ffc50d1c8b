package org.mailcert.agent.target.keychain;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Material;
import org.mailcert.common.pki.MaterialReader;

/**
 * Describes a directory tree for golden files: one line per entry with owner, group and mode; PEM
 * files by what they hold (key, certificate subjects in order), since keys differ on every run;
 * other files by their text.
 */
public final class FileTree {
    private FileTree() {
    }

    /** The tree under {@code root}, sorted by path. */
    public static String describe(Path root) {
        StringBuilder out = new StringBuilder();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(root)) {
            paths = new ArrayList<>(s.filter(p -> !p.equals(root)).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path p : paths) {
            try {
                out.append(root.relativize(p)).append(Files.isDirectory(p) ? "/" : "").append("  ")
                        .append(Ownership.of(p).orElseThrow()).append(Files.isDirectory(p) ? "" : "  " + what(p))
                        .append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }

    /** {@code key + CN=a, CN=b} for a PEM file; its text (newlines as {@code |}) otherwise. */
    public static String what(Path file) throws IOException {
        String text = Files.readString(file, UTF_8);
        if (!text.contains("-----BEGIN")) {
            return "text: " + text.replace("\n", "|");
        }
        try {
            Material m = MaterialReader.readPem(text.getBytes(UTF_8), null);
            List<String> subjects = new ArrayList<>();
            for (X509Certificate c : m.chain()) {
                subjects.add(c.getSubjectX500Principal().getName());
            }
            return (m.key().isPresent() ? "key + " : "") + String.join(" < ", subjects)
                    + (text.startsWith("-----BEGIN PRIVATE KEY") ? " (key first)" : "");
        } catch (BadMaterialException e) {
            return "unreadable PEM: " + e.getMessage();
        }
    }

    /** Sets owner, group and mode ({@code rw-r-----}) of a path, as root may. */
    public static void own(Path path, String user, String group, String mode) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, lookup.lookupPrincipalByName(user));
        Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(lookup.lookupPrincipalByGroupName(group));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    }

    /**
     * Copies {@code fixtures/<name>/} from the test resources into {@code dest}, replacing {@code
     * @DIR@} in every file by {@code dest}'s absolute path.
     */
    public static void copyFixture(String name, Path dest) throws IOException {
        Path source;
        try {
            source = Path.of(FileTree.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        try (Stream<Path> s = Files.walk(source)) {
            for (Path p : s.sorted().toList()) {
                Path to = dest.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.writeString(to, Files.readString(p, UTF_8).replace("@DIR@", dest.toAbsolutePath().toString()),
                            UTF_8);
                    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}
