package org.mailcert.controller.daemon;

import java.io.IOException;
import java.nio.file.Path;
import org.mailcert.common.files.AtomicFiles;

/** The files of a controller's data directory. */
record DataDir(Path root) {

    /** Creates the directory (owner-only) if needed. */
    static DataDir create(Path root) throws IOException {
        AtomicFiles.privateDirectory(root);
        return new DataDir(root.toAbsolutePath().normalize());
    }

    /** The RocksDB store. */
    Path store() {
        return root.resolve("store");
    }

    /** AES-256 key that seals every private key in the store (0600). */
    Path masterKey() {
        return root.resolve("master.key");
    }

    /** The controller CA certificate: what the CLI and agents trust. */
    Path caPem() {
        return root.resolve("ca.pem");
    }

    /** The controller's TLS server certificate (its key is sealed in the store). */
    Path serverPem() {
        return root.resolve("server.pem");
    }

    /** The first admin token (0600). */
    Path adminToken() {
        return root.resolve("admin.token");
    }
}
