package org.mailcert.controller.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.Scope;

/** The key encodings sort the way the listings promise. */
class KeysTest {

    private static void assertBefore(byte[] a, byte[] b) {
        assertTrue(Arrays.compareUnsigned(a, b) < 0, Arrays.toString(a) + " should sort before " + Arrays.toString(b));
    }

    @Test
    void certificateVersionsSortNumericallyAndNamesDoNotMix() {
        assertBefore(Keys.certificate("web", 2), Keys.certificate("web", 10));
        assertBefore(Keys.certificate("web", 255), Keys.certificate("web", 256));
        assertBefore(Keys.certificate("web", Integer.MAX_VALUE), Keys.certificate("web-2", 0));
        assertEquals(300, Keys.certificateVersion(Keys.certificate("web", 300)));
        assertTrue(Keys.startsWith(Keys.certificate("web", 1), Keys.certificatePrefix("web")));
        assertTrue(!Keys.startsWith(Keys.certificate("webx", 1), Keys.certificatePrefix("web")));
        assertBefore(Keys.certificate("web", 0), Keys.prefixEnd(Keys.certificatePrefix("web")));
        assertBefore(Keys.prefixEnd(Keys.certificatePrefix("web")), Keys.certificate("web-", 0));
        assertThrows(IllegalArgumentException.class, () -> Keys.certificate("web", -1));
    }

    @Test
    void controllerKeysCannotCollideWithCertificateKeys() {
        assertEquals(Keys.CONTROLLER_KEY_PREFIX, Keys.controllerKey("ca")[0]);
        assertThrows(IllegalArgumentException.class, () -> Keys.certificatePrefix("\u0001controller:ca"));
    }

    @Test
    void bindingsSortByHostThenScopeThenDomain() {
        assertBefore(Keys.binding(new BindingKey("mx", Scope.WEBMAIL, "z")),
                Keys.binding(new BindingKey("mx.example", Scope.SERVER, "")));
        assertBefore(Keys.binding(new BindingKey("mx", Scope.SERVER, "")),
                Keys.binding(new BindingKey("mx", Scope.MAIL, "a")));
        assertBefore(Keys.binding(new BindingKey("mx", Scope.MAIL, "z")),
                Keys.binding(new BindingKey("mx", Scope.WEBMAIL, "a")));
        assertBefore(Keys.binding(new BindingKey("mx", Scope.MAIL, "a")),
                Keys.binding(new BindingKey("mx", Scope.MAIL, "a.b")));
        assertTrue(Keys.startsWith(Keys.binding(new BindingKey("mx", Scope.MAIL, "a")), Keys.bindingPrefix("mx")));
    }

    @Test
    void eventsSortBySeq() {
        assertBefore(Keys.event(255), Keys.event(256));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 1, 0}, Keys.event(256));
        assertEquals(256, Keys.longValue(Keys.event(256)));
    }

    @Test
    void emptyAndControlCharacterComponentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Keys.host(""));
        assertThrows(IllegalArgumentException.class, () -> Keys.host("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> Keys.adminToken("x\u007f"));
        assertArrayEquals("h\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8), Keys.host("h\u00e9"));
    }
}
