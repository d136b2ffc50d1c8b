package org.mailcert.controller.bindings;

/** Why a binding rule refused a binding or attached a warning to it. */
public enum RuleReason {
    /** The certificate does not cover the served name. */
    NAME_NOT_COVERED,
    /** The stored private key does not belong to the leaf. */
    KEY_MISMATCH,
    /** The chain is not leaf first, each certificate issued by the next. */
    CHAIN_OUT_OF_ORDER,
    EXPIRED,
    NOT_YET_VALID,
    SELF_SIGNED,
    UNTRUSTED,
    /** A per-domain binding on a host that cannot serve per-domain certificates. */
    SNI_UNSUPPORTED,
    /** A per-domain binding on a host without a valid server-wide certificate. */
    SERVER_CERTIFICATE_INVALID
}
