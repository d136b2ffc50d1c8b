package org.mailcert.common.pki;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.pki.BadMaterialException.Reason;

/**
 * Splits PEM text into its blocks. Text between blocks (openssl's "Bag Attributes", comments) is
 * ignored; a block's RFC 1421 headers ({@code Proc-Type}, {@code DEK-Info}) are kept.
 */
final class PemText {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private PemText() {}

    /** One PEM block: its label ("CERTIFICATE"), its headers, and its decoded content. */
    record Block(String label, Map<String, String> headers, byte[] der) {
        /** The block's BEGIN line, escaped for messages. */
        String beginLine() {
            return "'" + BEGIN + DnsNames.displaySafe(label) + DASHES + "'";
        }
    }

    /**
     * Returns every block of the text in order.
     *
     * @throws BadMaterialException MALFORMED if there is no block or one does not decode, TRUNCATED
     *     if a block has no END line or an END line has no BEGIN
     */
    static List<Block> parse(byte[] bytes) throws BadMaterialException {
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
                && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        String text = new String(bytes, start, bytes.length - start, StandardCharsets.ISO_8859_1);
        List<Block> blocks = new ArrayList<>();
        String label = null;
        Map<String, String> headers = null;
        StringBuilder body = null;
        for (String raw : text.split("\r\n|\r|\n", -1)) {
            String line = raw.strip();
            if (label == null) {
                if (line.startsWith(BEGIN)) {
                    label = label(line, BEGIN);
                    headers = new LinkedHashMap<>();
                    body = new StringBuilder();
                } else if (line.startsWith(END)) {
                    throw new BadMaterialException(Reason.TRUNCATED, "PEM is truncated: '" + END
                            + DnsNames.displaySafe(label(line, END)) + DASHES
                            + "' has no BEGIN line (is the start of the text cut off?)");
                }
                continue;
            }
            if (line.startsWith(END)) {
                String endLabel = label(line, END);
                if (!endLabel.equals(label)) {
                    throw new BadMaterialException(Reason.MALFORMED, "PEM block '" + BEGIN
                            + DnsNames.displaySafe(label) + DASHES + "' ends with '" + END
                            + DnsNames.displaySafe(endLabel) + DASHES + "'");
                }
                blocks.add(new Block(label, Map.copyOf(headers), decode(label, body)));
                label = null;
            } else if (line.startsWith(BEGIN)) {
                throw truncated(label);
            } else if (body.length() == 0 && line.indexOf(':') > 0) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            } else {
                body.append(line);
            }
        }
        if (label != null) {
            throw truncated(label);
        }
        if (blocks.isEmpty()) {
            throw new BadMaterialException(Reason.MALFORMED, "no PEM block found (expected a"
                    + " '-----BEGIN CERTIFICATE-----' line; a DER or PKCS#12 file must be read as"
                    + " such)");
        }
        return blocks;
    }

    private static String label(String line, String prefix) throws BadMaterialException {
        if (!line.endsWith(DASHES) || line.length() < prefix.length() + DASHES.length()) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "malformed PEM line \"" + DnsNames.displaySafe(line) + "\"");
        }
        return line.substring(prefix.length(), line.length() - DASHES.length()).strip();
    }

    private static byte[] decode(String label, StringBuilder body) throws BadMaterialException {
        if (body.length() == 0) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "PEM block '" + BEGIN + DnsNames.displaySafe(label) + DASHES + "' is empty");
        }
        try {
            return Base64.getDecoder().decode(body.toString());
        } catch (IllegalArgumentException e) {
            throw new BadMaterialException(Reason.MALFORMED, "PEM block '" + BEGIN
                    + DnsNames.displaySafe(label) + DASHES + "' is not valid base64", e);
        }
    }

    private static BadMaterialException truncated(String label) {
        return new BadMaterialException(Reason.TRUNCATED, "PEM is truncated: '" + BEGIN
                + DnsNames.displaySafe(label) + DASHES + "' block has no END line");
    }

    /** Encodes DER as a PEM block with 64-character lines and a final newline. */
    static String encode(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return BEGIN + label + DASHES + "\n" + b64 + "\n" + END + label + DASHES + "\n";
    }
}
