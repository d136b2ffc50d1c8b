package org.mailcert.agent.target.dovecot;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The configuration syntax of a Dovecot version: 2.3 and older, or 2.4 and newer. */
public enum Syntax {
    /** {@code ssl_cert = </file}, {@code ssl_key = </file}: verified with Dovecot 2.3.19. */
    V2_3("ssl_cert", "ssl_key", "<"),
    /**
     * {@code ssl_server_cert_file = /file}, {@code ssl_server_key_file = /file}, and
     * {@code dovecot_config_version} as the first setting of the main file: from Dovecot's 2.4
     * documentation, not verified against a real 2.4 here.
     */
    V2_4("ssl_server_cert_file", "ssl_server_key_file", "");

    private static final Pattern VERSION = Pattern.compile("^\\s*(\\d+)\\.(\\d+)");

    private final String certSetting;
    private final String keySetting;
    private final String valuePrefix;

    Syntax(String certSetting, String keySetting, String valuePrefix) {
        this.certSetting = certSetting;
        this.keySetting = keySetting;
        this.valuePrefix = valuePrefix;
    }

    /** The setting naming the certificate chain file. */
    public String certSetting() {
        return certSetting;
    }

    /** The setting naming the key file. */
    public String keySetting() {
        return keySetting;
    }

    /** What precedes the path in the value: {@code <} (read the file) in 2.3, nothing in 2.4. */
    public String valuePrefix() {
        return valuePrefix;
    }

    /**
     * Whether one {@code local_name} block may list several space-separated names: 2.3 matches each
     * (config-filter.c, verified with 2.3.19); not relied on for 2.4, whose filters are rewritten.
     */
    public boolean groupsLocalNames() {
        return this == V2_3;
    }

    /** The syntax for what {@code dovecot --version} printed (e.g. {@code 2.3.19.1 (9b53102964)}). */
    public static Optional<Syntax> ofVersion(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.find()) {
            return Optional.empty();
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return Optional.of(major > 2 || (major == 2 && minor >= 4) ? V2_4 : V2_3);
    }
}
