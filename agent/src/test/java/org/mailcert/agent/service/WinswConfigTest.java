package org.mailcert.agent.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The WinSW configuration. {@code golden/windows-service/mailcert-agent-service.xml} is the reference copy
 * for the default paths that install-agent.ps1 uses; this test renders it on every build.
 */
class WinswConfigTest {
    private static final String JAVA = "C:\\Program Files\\Eclipse Adoptium\\jre-17.0.13.11-hotspot\\bin\\java.exe";

    @Test
    void theDefaultPathsRenderTheReferenceConfiguration() throws Exception {
        WinswConfig config = new WinswConfig(JAVA, "C:\\Program Files\\mailcert-agent", "C:\\ProgramData\\mailcert-agent");
        Golden.assertMatches("windows-service", "mailcert-agent-service.xml", config.render());

        Document xml = parse(config.render());
        assertEquals(JAVA, text(xml, "executable"));
        assertEquals("-cp \"C:\\Program Files\\mailcert-agent\\mailcert-agent.jar\" org.mailcert.agent.cli.AgentMain run"
                + " --config \"C:\\ProgramData\\mailcert-agent\\config.yaml\"", text(xml, "arguments"));
        assertEquals(3, xml.getElementsByTagName("onfailure").getLength());
        assertEquals(1, xml.getElementsByTagName("delayedAutoStart").getLength());
        assertEquals(0, xml.getElementsByTagName("serviceaccount").getLength(), "LocalSystem is WinSW's default");
    }

    @Test
    void pathsWithSpacesAmpersandsAndQuotesAreEscaped() throws Exception {
        WinswConfig config = new WinswConfig("D:\\Tools & Co\\O'Brien's JRE\\bin\\java.exe",
                "D:\\Apps & Mail\\mailcert agent", "E:\\Data\\it's & more");
        Golden.assertMatches("windows-service", "mailcert-agent-service-hostile-paths.xml", config.render());

        Document xml = parse(config.render());
        assertEquals("D:\\Tools & Co\\O'Brien's JRE\\bin\\java.exe", text(xml, "executable"));
        assertEquals("E:\\Data\\it's & more\\logs", text(xml, "logpath"));
        assertTrue(text(xml, "arguments").startsWith("-cp \"D:\\Apps & Mail\\mailcert agent\\mailcert-agent.jar\" "));
    }

    @Test
    void pathsWinswOrTheCommandLineWouldChangeAreRefused() {
        for (String bad : new String[] {"C:\\%TEMP%\\x", "C:\\a\"b", "C:\\a\nb", " "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new WinswConfig(JAVA, bad, "C:\\ProgramData\\mailcert-agent"));
            assertTrue(e.getMessage().contains("must not be empty or contain %"), e.getMessage());
        }
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(UTF_8)));
    }

    private static String text(Document xml, String element) {
        NodeList nodes = xml.getElementsByTagName(element);
        assertEquals(1, nodes.getLength(), element);
        return nodes.item(0).getTextContent();
    }
}
