package org.mailcert.common.enroll;

import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The text of a join token: {@code mc1.<id>.<secret>.<ca-pin>}. The pin is the SHA-256 of the
 * controller CA certificate (base64url), which the agent checks before it sends anything, as
 * kubeadm's discovery hash does. The controller stores only a hash of the secret.
 *
 * @param id       public token id, used to find the stored record
 * @param secret   the bearer part, shown once
 * @param caSha256 SHA-256 of the controller CA certificate's DER encoding (32 bytes)
 */
public record JoinTokenValue(String id, String secret, byte[] caSha256) {
    private static final String PREFIX = "mc1";
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]+");

    public JoinTokenValue {
        if (!PART.matcher(id).matches() || !PART.matcher(secret).matches()) {
            throw new IllegalArgumentException("token id and secret must be base64url text");
        }
        if (caSha256.length != 32) {
            throw new IllegalArgumentException("the CA pin must be a SHA-256 (32 bytes)");
        }
        caSha256 = caSha256.clone();
    }

    /** The token as the admin copies it. */
    public String encode() {
        return PREFIX + "." + id + "." + secret + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(caSha256);
    }

    /** The CA pin as lower-case hex, for people comparing it with {@code ca.pem}. */
    public String caSha256Hex() {
        return HexFormat.of().formatHex(caSha256);
    }

    /** Parses a token; the message of the exception says what is wrong without echoing secrets. */
    public static JoinTokenValue parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no join token given");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4 || !PREFIX.equals(parts[0])) {
            throw new IllegalArgumentException("not a mailcert join token (expected mc1.<id>.<secret>.<pin>);"
                    + " create one with `mailcert token create --host FQDN`");
        }
        byte[] pin;
        try {
            pin = Base64.getUrlDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the join token's CA pin is not base64url; copy the whole token");
        }
        if (pin.length != 32) {
            throw new IllegalArgumentException("the join token's CA pin is not a SHA-256; copy the whole token");
        }
        try {
            return new JoinTokenValue(parts[1], parts[2], pin);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the join token is damaged (" + e.getMessage() + "); copy the whole token");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinTokenValue t && t.id.equals(id) && t.secret.equals(secret)
                && java.util.Arrays.equals(t.caSha256, caSha256);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "JoinToken[" + id + "]";
    }
}
