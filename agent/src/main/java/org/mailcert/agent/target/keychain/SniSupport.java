package org.mailcert.agent.target.keychain;

/** Whether a target serves per-domain certificates by SNI: as detected on the host, or as configured. */
public enum SniSupport {
    /** Find out from the installed software (each target documents how). */
    DETECT,
    /** Serve per-domain certificates; the admin knows the software can. */
    ON,
    /** Refuse per-domain bindings, whatever the software could do. */
    OFF
}
