package org.mailcert.common.net;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Where the controller listens: a host name or IP address and a port. IPv6 literals are written in
 * brackets ({@code [::1]:7443}) and kept here without them.
 */
public record ControllerAddress(String host, int port) {
    /** The port the controller listens on by default. */
    public static final int DEFAULT_PORT = 7443;

    /** {@code localhost:7443}. */
    public static final ControllerAddress DEFAULT = new ControllerAddress("localhost", DEFAULT_PORT);

    /**
     * Parses {@code HOST:PORT}, {@code HOST}, {@code [IPV6]:PORT} or {@code [IPV6]}; a missing port
     * means {@value #DEFAULT_PORT}.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static ControllerAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("the controller address is empty; expected HOST:PORT");
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + s + "' has no closing ']'; expected [IPV6]:PORT");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                port = null;
            } else if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else {
                throw new IllegalArgumentException("'" + s + "' has text after ']'; expected [IPV6]:PORT");
            }
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException(
                        "'" + s + "' looks like an IPv6 address; write it in brackets, e.g. [::1]:7443");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + s + "' has no host; expected HOST:PORT");
        }
        return new ControllerAddress(host, port == null ? DEFAULT_PORT : parsePort(s, port));
    }

    private static int parsePort(String whole, String port) {
        int value;
        try {
            value = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(
                    "'" + whole + "' has port '" + port + "'; expected a number from 1 to 65535");
        }
        return value;
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Picocli converter for {@code --controller}, so a bad value is a usage error (exit 2). */
    public static final class Converter implements ITypeConverter<ControllerAddress> {
        @Override
        public ControllerAddress convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
