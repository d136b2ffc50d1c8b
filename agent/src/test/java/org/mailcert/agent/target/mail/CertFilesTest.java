package org.mailcert.agent.target.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.TestPki;

class CertFilesTest {
    @TempDir
    Path dir;

    final TestPki.Leaf leaf = TestBindings.leaf("mail.a.example.com");
    final TestPki.Leaf other = TestBindings.leaf("mail.b.example.com");
    final Binding a = TestBindings.binding("mail/a.example.com", "mail.a.example.com", leaf);

    @Test
    void writesOnlyTheAskedFormsOwnerOnlyAndReadableAsTheMaterial() throws Exception {
        CertFiles files = new CertFiles(dir.resolve("certs"));
        CertFiles.Installed i = files.install(a, EnumSet.of(CertFiles.Form.KEY, CertFiles.Form.FULLCHAIN));
        files.flush();
        assertEquals(a.keyPem(), Files.readString(i.key(), StandardCharsets.US_ASCII));
        assertEquals(a.fullChainPem(), Files.readString(i.fullChain(), StandardCharsets.US_ASCII));
        assertFalse(Files.exists(i.keyAndChain()), "the key-and-chain form was not asked for");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(i.key())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.dir())));
        CertFiles.verify(i);
    }

    @Test
    void anUnchangedFileIsNotWrittenAgainButOneChangedBehindTheAgentsBackIs() throws Exception {
        CertFiles files = new CertFiles(dir);
        CertFiles.Installed i = files.install(a);
        Optional<FileStamp> first = FileStamp.of(i.key());
        files.install(a);
        assertEquals(first, FileStamp.of(i.key()), "not rewritten");

        Files.writeString(i.key(), "edited by someone\n");
        files.install(a);
        assertEquals(a.keyPem(), Files.readString(i.key()));

        Files.setPosixFilePermissions(i.fullChain(), PosixFilePermissions.fromString("rw-r--r--"));
        files.install(a);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(i.fullChain())));
    }

    @Test
    void aFreshInstanceReadsExistingFilesInsteadOfRewritingThem() throws Exception {
        CertFiles.Installed i = new CertFiles(dir).install(a);
        Optional<FileStamp> first = FileStamp.of(i.fullChain());
        new CertFiles(dir).install(a);
        assertEquals(first, FileStamp.of(i.fullChain()));
    }

    @Test
    void aKeyThatDoesNotBelongToTheLeafIsRefusedBeforeAnythingIsWritten() throws IOException {
        Binding mismatched = new Binding(a.id(), Scope.MAIL, a.domain(), a.servedName(), a.certificate(), 1,
                a.leafSha256(), a.chain(), other.key());
        CertFiles files = new CertFiles(dir.resolve("certs"));
        IOException e = assertThrows(IOException.class, () -> files.install(mismatched));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertFalse(Files.exists(files.pathsOf(mismatched).key()));
    }

    @Test
    void aChainOutOfOrderIsRefused() {
        List<java.security.cert.X509Certificate> withRoot = leaf.chainWithRoot();
        Binding disordered = new Binding(a.id(), Scope.MAIL, a.domain(), a.servedName(), a.certificate(), 1,
                a.leafSha256(), List.of(withRoot.get(0), withRoot.get(2), withRoot.get(1)), leaf.key());
        IOException e = assertThrows(IOException.class, () -> new CertFiles(dir).install(disordered));
        assertTrue(e.getMessage().contains("not in order"), e.getMessage());
    }

    @Test
    void pruneDeletesOnlyCertificateFilesNotKept() throws Exception {
        CertFiles files = new CertFiles(dir);
        CertFiles.Installed keep = files.install(a);
        Binding b = TestBindings.binding("mail/b.example.com", "mail.b.example.com", other);
        CertFiles.Installed gone = files.install(b);
        Files.writeString(dir.resolve("unrelated.txt"), "x");
        List<Path> deleted = files.prune(java.util.Set.copyOf(keep.paths()));
        assertEquals(java.util.Set.copyOf(gone.paths()), java.util.Set.copyOf(deleted));
        assertTrue(Files.exists(dir.resolve("unrelated.txt")));
        // a pruned file is written again when wanted again, not taken as known
        CertFiles.Installed again = files.install(b);
        assertArrayEquals(b.keyPem().getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(again.key()));
    }
}
