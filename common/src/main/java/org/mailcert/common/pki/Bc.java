package org.mailcert.common.pki;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Holds the one Bouncy Castle provider instance this package uses, created on first use and passed
 * explicitly to the JCA builders that need it; it is never added to {@code
 * java.security.Security}.
 */
final class Bc {
    private Bc() {}

    /** The shared Bouncy Castle provider. */
    static Provider provider() {
        return Holder.PROVIDER;
    }

    private static final class Holder {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }
}
