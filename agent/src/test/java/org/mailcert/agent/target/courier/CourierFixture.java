package org.mailcert.agent.target.courier;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mailcert.agent.target.keychain.FileTree;

/**
 * Courier's configuration ({@code fixtures/courier}) in a directory owned {@code root:mail}, with an
 * old {@code imapd.pem} ({@code root:mail rw-r-----}) and {@code pop3d.pem} ({@code daemon:daemon
 * rw-------}), and two stand-ins for the couriertls binary beside it.
 *
 * @param withSni a couriertls that links against GnuTLS's SNI call
 * @param withoutSni one that does not
 */
record CourierFixture(Path withSni, Path withoutSni) {
    static CourierFixture install(Path dir) throws IOException {
        FileTree.copyFixture("courier", dir);
        FileTree.own(dir, "root", "mail", "rwxr-xr-x");
        Path imapd = dir.resolve("imapd.pem");
        Files.writeString(imapd, "old imapd\n");
        FileTree.own(imapd, "root", "mail", "rw-r-----");
        Path pop3d = dir.resolve("pop3d.pem");
        Files.writeString(pop3d, "old pop3d\n");
        FileTree.own(pop3d, "daemon", "daemon", "rw-------");
        Path bin = Files.createDirectories(dir.resolve("../bin-" + dir.getFileName()).normalize());
        return new CourierFixture(
                Files.write(bin.resolve("couriertls-gnutls"), "\u007fELF\0gnutls_server_name_get\0".getBytes(US_ASCII)),
                Files.write(bin.resolve("couriertls-old"), "\u007fELF\0gnutls_init\0".getBytes(US_ASCII)));
    }
}
