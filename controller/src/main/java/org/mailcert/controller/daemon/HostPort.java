package org.mailcert.controller.daemon;

import java.net.InetSocketAddress;

/** Parses {@code HOST:PORT} and {@code [IPv6]:PORT} listen addresses. */
final class HostPort {
    private HostPort() {
    }

    /** The socket address, or an IllegalArgumentException naming the option and the value. */
    static InetSocketAddress parse(String option, String value) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int end = value.indexOf("]:");
            if (end < 0) {
                throw bad(option, value);
            }
            host = value.substring(1, end);
            port = value.substring(end + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || value.indexOf(':') != colon) {
                throw bad(option, value);
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(option, value);
        }
        if (p < 0 || p > 65535) {
            throw bad(option, value);
        }
        return new InetSocketAddress(host, p);
    }

    private static IllegalArgumentException bad(String option, String value) {
        return new IllegalArgumentException(option + " \"" + value + "\" is not HOST:PORT (e.g. 0.0.0.0:7443 or [::1]:7443)");
    }
}
