package org.mailcert.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged agent runs on Windows with only a JRE: nothing on its class path needs a native
 * library. The only native code is inside gRPC's shaded Netty and optional: its epoll transport
 * (plain NIO where it cannot load) and netty-tcnative's BoringSSL (the JDK's TLS where it cannot
 * load). RocksDB, the controller's store, is not there.
 */
class AgentJarIT {
    private static final Path JAR = Path.of("target", "mailcert-agent.jar");

    @Test
    void theAgentsClassPathHoldsNoNativeCodeButNettysOptionalOnes() throws Exception {
        List<String> classPath;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            classPath = Arrays.asList(jar.getManifest().getMainAttributes().getValue("Class-Path").split(" "));
        }
        assertTrue(classPath.size() > 10, classPath.toString());
        List<String> natives = new ArrayList<>();
        for (String entry : classPath) {
            Path lib = JAR.getParent().resolve(entry);
            assertTrue(Files.isRegularFile(lib), lib + " is on the class path");
            assertFalse(entry.contains("rocksdb"), entry);
            try (JarFile jar = new JarFile(lib.toFile())) {
                jar.stream().map(ZipEntry::getName)
                        .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib")
                                || n.endsWith(".jnilib"))
                        .forEach(n -> natives.add(entry + "!" + n));
            }
        }
        assertEquals(List.of(), natives.stream().filter(n -> !n.startsWith("lib/grpc-netty-shaded-")
                || !(n.contains("netty_transport_native_epoll") || n.contains("netty_tcnative"))).toList(),
                "native code beside shaded Netty's optional epoll and tcnative: " + natives);
        assertTrue(natives.stream().anyMatch(n -> n.contains("netty_tcnative")), "the check sees inside the jars");
    }
}
