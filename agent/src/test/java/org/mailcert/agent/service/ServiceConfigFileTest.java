package org.mailcert.agent.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The service's config.yaml: written once, then only its target entry replaced. */
class ServiceConfigFileTest {
    @TempDir
    Path tmp;

    private static Map<?, ?> yaml(Path file) throws Exception {
        return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    @Test
    void aNewFileHoldsTheDataDirQuotedAndTheTargets() throws Exception {
        Path file = tmp.resolve("config.yaml");
        ServiceConfigFile.create(file, Path.of("/x/it's a: #dir"), List.of("mailenable", "iis"));
        assertEquals(Map.of("data-dir", "/x/it's a: #dir", "target", List.of("mailenable", "iis")), yaml(file));
        assertEquals("'C:\\ProgramData\\it''s'", ServiceConfigFile.quoted("C:\\ProgramData\\it's"));
    }

    @Test
    void replacingTheTargetsKeepsEverythingElse() throws Exception {
        Path file = Files.writeString(tmp.resolve("config.yaml"), "# mine\ndata-dir: 'D:\\agent'\ntarget:\n  - iis\n"
                + "  - mailenable\nprobe-address: 127.0.0.2\n");
        ServiceConfigFile.replaceTargets(file, List.of("mailenable"));
        assertEquals("# mine\ndata-dir: 'D:\\agent'\ntarget: [mailenable]\nprobe-address: 127.0.0.2\n",
                Files.readString(file));

        Files.writeString(file, "data-dir: 'D:\\agent'\n");
        ServiceConfigFile.replaceTargets(file, List.of("iis"));
        assertEquals("data-dir: 'D:\\agent'\ntarget: [iis]\n", Files.readString(file));
    }
}
