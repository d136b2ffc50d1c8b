package org.mailcert.common.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.pki.BadMaterialException.Reason;

/**
 * Reads certificates and a private key from PEM text or a PKCS#12 file, as mail servers and
 * operators keep them. Nothing is ordered or checked beyond decoding; see {@link Chains} and
 * {@link Keys}.
 */
public final class MaterialReader {
    private static final String LEGACY_ENCRYPTION = "is encrypted in the legacy OpenSSL format"
            + " (Proc-Type: 4,ENCRYPTED), which is not supported; convert it with"
            + " 'openssl pkcs8 -topk8 -v2 aes256 -in old.key -out new.key'";

    private MaterialReader() {}

    /**
     * Reads every certificate and the one private key from PEM text.
     *
     * <p>Takes {@code CERTIFICATE} (also {@code X509 CERTIFICATE}, {@code TRUSTED CERTIFICATE}),
     * {@code PRIVATE KEY}, {@code ENCRYPTED PRIVATE KEY}, {@code RSA PRIVATE KEY} and {@code EC
     * PRIVATE KEY} (with an optional {@code EC PARAMETERS} block) blocks; other blocks and text
     * between blocks are ignored.
     *
     * @param password for an encrypted PKCS#8 key; may be null when the key is not encrypted
     * @throws BadMaterialException MALFORMED, TRUNCATED, NO_CERTIFICATE, MULTIPLE_KEYS,
     *     PASSWORD_REQUIRED, WRONG_PASSWORD or UNSUPPORTED_KEY
     */
    public static Material readPem(byte[] pem, char[] password) throws BadMaterialException {
        return read(pem, password, true);
    }

    /**
     * Reads the one private key of a PEM file that may hold no certificate (a separate key file).
     *
     * @throws BadMaterialException NO_KEY when there is no key, otherwise as {@link #readPem}
     */
    public static PrivateKey readPemKey(byte[] pem, char[] password) throws BadMaterialException {
        return read(pem, password, false).key().orElseThrow(() -> new BadMaterialException(
                Reason.NO_KEY, "the PEM holds no private key block"));
    }

    /** Reads only the certificates of PEM text, refusing text without any (see {@link Pem}). */
    static List<X509Certificate> readCertificates(byte[] pem) throws BadMaterialException {
        List<X509Certificate> certs = certificates(blocks(pem));
        if (certs.isEmpty()) {
            throw noCertificate();
        }
        return certs;
    }

    private static Material read(byte[] pem, char[] password, boolean certificateRequired)
            throws BadMaterialException {
        List<PemText.Block> blocks = blocks(pem);
        long keyBlocks = blocks.stream().filter(b -> isKey(b.label())).count();
        if (keyBlocks > 1) {
            throw new BadMaterialException(Reason.MULTIPLE_KEYS, "the PEM holds " + keyBlocks
                    + " private keys; keep only the one that belongs to the certificate");
        }
        List<X509Certificate> certs = certificates(blocks);
        if (certificateRequired && certs.isEmpty()) {
            throw noCertificate();
        }
        PrivateKey key = null;
        byte[] ecParameters = null;
        for (PemText.Block block : blocks) {
            String label = block.label();
            if (label.equals("EC PARAMETERS")) {
                ecParameters = block.der();
            } else if (isKey(label)) {
                key = key(block, password, ecParameters);
            }
        }
        return new Material(certs, Optional.ofNullable(key));
    }

    private static List<PemText.Block> blocks(byte[] pem) throws BadMaterialException {
        if (pem == null || pem.length == 0) {
            throw new BadMaterialException(Reason.MALFORMED, "the PEM is empty");
        }
        return PemText.parse(pem);
    }

    private static List<X509Certificate> certificates(List<PemText.Block> blocks)
            throws BadMaterialException {
        List<X509Certificate> certs = new ArrayList<>();
        for (PemText.Block block : blocks) {
            if (isCertificate(block.label())) {
                certs.add(certificate(block, certs.size() + 1));
            }
        }
        return certs;
    }

    private static BadMaterialException noCertificate() {
        return new BadMaterialException(Reason.NO_CERTIFICATE, "the PEM holds no certificate"
                + " (expected a '-----BEGIN CERTIFICATE-----' block)");
    }

    private static boolean isCertificate(String label) {
        return label.equals("CERTIFICATE") || label.equals("X509 CERTIFICATE")
                || label.equals("TRUSTED CERTIFICATE");
    }

    private static boolean isKey(String label) {
        return label.endsWith("PRIVATE KEY");
    }

    private static PrivateKey key(PemText.Block block, char[] password, byte[] ecParameters)
            throws BadMaterialException {
        String procType = block.headers().getOrDefault("Proc-Type", "");
        boolean legacyEncrypted = procType.toUpperCase(Locale.ROOT).contains("ENCRYPTED");
        switch (block.label()) {
            case "PRIVATE KEY":
                return PrivateKeys.fromPkcs8(block.der());
            case "ENCRYPTED PRIVATE KEY":
                return PrivateKeys.fromEncryptedPkcs8(block.der(), password);
            case "RSA PRIVATE KEY":
                if (legacyEncrypted) {
                    throw new BadMaterialException(Reason.UNSUPPORTED_KEY,
                            "the RSA PRIVATE KEY " + LEGACY_ENCRYPTION);
                }
                return PrivateKeys.fromPkcs1(block.der());
            case "EC PRIVATE KEY":
                if (legacyEncrypted) {
                    throw new BadMaterialException(Reason.UNSUPPORTED_KEY,
                            "the EC PRIVATE KEY " + LEGACY_ENCRYPTION);
                }
                return PrivateKeys.fromSec1(block.der(), ecParameters);
            default:
                throw new BadMaterialException(Reason.UNSUPPORTED_KEY, block.beginLine()
                        + " keys are not supported; convert the key to PKCS#8 with"
                        + " 'openssl pkcs8 -topk8 -nocrypt' (or -v2 aes256 to keep it encrypted)");
        }
    }

    private static X509Certificate certificate(PemText.Block block, int number)
            throws BadMaterialException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(block.der()));
        } catch (CertificateException | RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED, "certificate #" + number + " ("
                    + block.beginLine() + " block) is not a valid X.509 certificate", e);
        }
    }

    /**
     * Reads the private key and its certificate chain from a PKCS#12 (PFX) file, as made by
     * {@code openssl pkcs12 -export} or a JDK keystore; a null password counts as empty.
     *
     * @throws BadMaterialException MALFORMED, WRONG_PASSWORD, NO_KEY, MULTIPLE_KEYS,
     *     NO_CERTIFICATE or UNSUPPORTED_KEY
     */
    public static Material readPkcs12(byte[] pfx, char[] password) throws BadMaterialException {
        if (pfx == null || pfx.length == 0) {
            throw new BadMaterialException(Reason.MALFORMED, "the PKCS#12 file is empty");
        }
        char[] pass = password == null ? new char[0] : password;
        KeyStore store = load(pfx, pass);
        try {
            List<String> keyAliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyAliases.add(alias);
                }
            }
            if (keyAliases.isEmpty()) {
                throw new BadMaterialException(Reason.NO_KEY,
                        "the PKCS#12 file holds no private key, only certificates");
            }
            if (keyAliases.size() > 1) {
                throw new BadMaterialException(Reason.MULTIPLE_KEYS, "the PKCS#12 file holds "
                        + keyAliases.size() + " private keys; export only the one you need");
            }
            String alias = keyAliases.get(0);
            Key key = store.getKey(alias, pass);
            if (!(key instanceof PrivateKey)) {
                throw new BadMaterialException(Reason.NO_KEY,
                        "the PKCS#12 key entry \"" + DnsNames.displaySafe(alias)
                                + "\" is not a private key");
            }
            Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0) {
                Certificate single = store.getCertificate(alias);
                chain = single == null ? new Certificate[0] : new Certificate[] {single};
            }
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : chain) {
                if (c instanceof X509Certificate) {
                    certs.add((X509Certificate) c);
                }
            }
            if (certs.isEmpty()) {
                throw new BadMaterialException(Reason.NO_CERTIFICATE,
                        "the PKCS#12 file holds a private key but no certificate for it");
            }
            return new Material(certs, Optional.of((PrivateKey) key));
        } catch (UnrecoverableKeyException e) {
            throw new BadMaterialException(Reason.WRONG_PASSWORD, "the PKCS#12 key password is"
                    + " wrong (it differs from the file's password)");
        } catch (KeyStoreException | NoSuchAlgorithmException e) {
            throw new BadMaterialException(Reason.UNSUPPORTED_KEY,
                    "the PKCS#12 key cannot be read by the JDK", e);
        }
    }

    private static KeyStore load(byte[] pfx, char[] password) throws BadMaterialException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pfx), password);
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password")) {
                throw new BadMaterialException(Reason.WRONG_PASSWORD,
                        "PKCS#12 password is wrong or the file is corrupt");
            }
            throw new BadMaterialException(Reason.MALFORMED,
                    "not a PKCS#12 file, or it is corrupt", e);
        } catch (NoSuchAlgorithmException e) {
            throw new BadMaterialException(Reason.UNSUPPORTED_KEY, "the PKCS#12 file is protected"
                    + " with an algorithm the JDK cannot read; re-export it with"
                    + " 'openssl pkcs12 -export' (without -legacy)", e);
        } catch (KeyStoreException | CertificateException | RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "not a PKCS#12 file, or it is corrupt", e);
        }
    }
}
