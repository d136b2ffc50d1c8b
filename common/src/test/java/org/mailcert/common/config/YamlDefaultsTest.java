package org.mailcert.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class YamlDefaultsTest {
    @TempDir
    Path dir;

    @Command(name = "demo")
    static class Demo {
        @Option(names = "--config") Path config;
        @Option(names = "--data-dir") String dataDir = "./var";
        @Option(names = "--name", split = ",") List<String> names = new ArrayList<>();
    }

    private Demo parse(String yaml, String... args) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, yaml);
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = f.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        Demo d = new Demo();
        CommandLine cmd = new CommandLine(d);
        YamlDefaults.install(cmd, all);
        cmd.parseArgs(all);
        return d;
    }

    @Test
    void valuesFromTheFileBecomeDefaults() throws Exception {
        Demo d = parse("data-dir: /srv/x\nname: [a.example, b.example]\n");
        assertEquals("/srv/x", d.dataDir);
        assertEquals(List.of("a.example", "b.example"), d.names);
    }

    @Test
    void theCommandLineWinsOverTheFile() throws Exception {
        assertEquals("/cli", parse("data-dir: /srv/x\n", "--data-dir", "/cli").dataDir);
    }

    @Test
    void anUnknownKeyIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> parse("data-dirr: /x\n"));
        assertTrue(e.getMessage().contains("unknown setting 'data-dirr'"), e.getMessage());
    }

    @Test
    void brokenYamlIsRefusedWithTheFileName() {
        var e = assertThrows(IllegalArgumentException.class, () -> parse("data-dir: [x\n"));
        assertTrue(e.getMessage().contains("is not valid YAML"), e.getMessage());
    }
}
