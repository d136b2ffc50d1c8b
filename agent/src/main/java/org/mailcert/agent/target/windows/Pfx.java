package org.mailcert.agent.target.windows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import org.mailcert.agent.target.Binding;

/**
 * A binding's key and chain as PKCS#12, made with the JDK's own keystore (no native code). The entry's
 * alias becomes the PKCS#12 friendlyName attribute. The JDK 17 default protects keys and certificates
 * with PBES2/AES-256 and an HMAC-SHA256 MAC, which Windows imports from Windows 10 1709 / Windows Server
 * 2016 build 1709 on (CertificateDsc's PfxImport documentation); older builds refuse the file.
 */
public final class Pfx {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Pfx() {
    }

    /** A fresh random password for one PFX (never logged, passed to PowerShell through the environment). */
    public static char[] password() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }

    /** The PKCS#12 bytes of the binding's key and chain under {@code friendlyName}. */
    public static byte[] of(Binding binding, String friendlyName, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(friendlyName, binding.key(), password, binding.chain().toArray(new Certificate[0]));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a PKCS#12 file with the JDK: " + e.getMessage(), e);
        }
    }
}
