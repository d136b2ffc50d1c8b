package org.mailcert.agent.target.postfix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.exec.RecordingCommandRunner;

/** Reading an SNI map back in one postmap run, and keeping each run's answer under the output limit. */
class PostfixToolsTest {
    @TempDir
    Path dir;

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
    }

    @Test
    void queriesAllKeysInOneRunAndDecodesTheStoredFiles() throws Exception {
        RecordingCommandRunner runner = new RecordingCommandRunner().thenReturn(CommandResult.exited(0,
                "mail.a.example\t" + b64("key\n\nchain\n") + "\n.b.example\t" + b64("k2\n") + "\n"));
        PostfixTools tools = new PostfixTools(runner, Path.of("/etc/postfix"), Duration.ofSeconds(5));
        Map<String, String> found = tools.queryFileMap(List.of("mail.a.example", ".b.example", "c.example"),
                "hash:/m/sni");
        assertEquals(Map.of("mail.a.example", "key\n\nchain\n", ".b.example", "k2\n"), found);
        assertEquals(1, runner.commands().size(), "one postmap for all keys");
        assertEquals("postmap -c /etc/postfix -q - hash:/m/sni", runner.commands().get(0).display());
        assertEquals("mail.a.example\n.b.example\nc.example\n", runner.commands().get(0).input());
    }

    @Test
    void noKeyFoundIsAnEmptyAnswerAndAGarbledLineIsAnError() throws Exception {
        RecordingCommandRunner runner = new RecordingCommandRunner().thenReturn(CommandResult.exited(1, ""))
                .thenReturn(CommandResult.exited(0, "mail.a.example no-tab-here\n"))
                .thenReturn(CommandResult.exited(0, "mail.a.example\t***\n"))
                .thenReturn(new CommandResult(2, "", "postmap: fatal: open database", false));
        PostfixTools tools = new PostfixTools(runner, Path.of("/etc/postfix"), Duration.ofSeconds(5));
        assertEquals(Map.of(), tools.queryFileMap(List.of("x.example"), "hash:/m/sni"));
        assertThrows(ToolException.class, () -> tools.queryFileMap(List.of("mail.a.example"), "hash:/m/sni"));
        assertThrows(ToolException.class, () -> tools.queryFileMap(List.of("mail.a.example"), "hash:/m/sni"));
        ToolException e = assertThrows(ToolException.class,
                () -> tools.queryFileMap(List.of("mail.a.example"), "hash:/m/sni"));
        assertTrue(e.getMessage().contains("open database"), e.getMessage());
    }

    @Test
    void batchesKeepEachAnswerWellUnderTheOutputLimit() throws Exception {
        Map<String, SniMap.Entry> entries = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Path key = Files.writeString(dir.resolve(i + ".key.pem"), "k".repeat(250));
            Path chain = Files.writeString(dir.resolve(i + ".fullchain.pem"), "c".repeat(3000));
            String k = "mail.d" + i + ".example";
            entries.put(k, new SniMap.Entry(k, key, chain));
            keys.add(k);
        }
        List<List<String>> batches = SniMapBuilder.batches(keys, entries);
        assertEquals(keys, batches.stream().flatMap(List::stream).toList(), "every key, in order");
        assertTrue(batches.size() > 1, "40 answers of 4.4 KB do not fit one run");
        for (List<String> b : batches) {
            assertTrue(b.size() * 4_400 < CommandRunner.OUTPUT_LIMIT, b.size() + " answers in one run");
        }
    }
}
