package org.mailcert.controller.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.Scope;

/**
 * RocksDB key encodings (see the package documentation). Components are UTF-8 without control
 * characters, so 0x00 separators sort a shorter component before any longer one that extends it
 * and a prefix scan on {@code component + 0x00} matches that component only.
 */
final class Keys {
    static final byte SEPARATOR = 0x00;
    /** First byte of controller keys in the {@code keys} column family. */
    static final byte CONTROLLER_KEY_PREFIX = 0x01;

    static final byte[] META_REVISION = utf8("revision");
    static final byte[] META_EVENT_SEQ = utf8("event_seq");
    static final byte[] META_SCHEMA = utf8("schema");
    static final byte[] META_MASTER_KEY_CHECK = utf8("master_key_check");

    private Keys() {
    }

    /** Whether {@code value} can be a key component: non-empty, no control characters. */
    static boolean isValid(String value) {
        return value != null && !value.isEmpty() && value.chars().noneMatch(Character::isISOControl);
    }

    /**
     * A record name used as (part of) a key.
     *
     * @throws IllegalArgumentException if it is empty or contains a control character
     */
    static byte[] component(String what, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (!isValid(value)) {
            throw new IllegalArgumentException(what + " contains a control character: " + printable(value));
        }
        return utf8(value);
    }

    static byte[] host(String fqdn) {
        return component("host name", fqdn);
    }

    static byte[] certificate(String name, int version) {
        if (version < 0) {
            throw new IllegalArgumentException("certificate " + name + " has a negative version " + version);
        }
        byte[] prefix = certificatePrefix(name);
        return ByteBuffer.allocate(prefix.length + 4).put(prefix).putInt(version).array();
    }

    /** The prefix of every version key of {@code name}. */
    static byte[] certificatePrefix(String name) {
        return withSeparator(component("certificate name", name));
    }

    static int certificateVersion(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 4, 4).getInt();
    }

    static byte[] controllerKey(String purpose) {
        byte[] p = utf8("controller:");
        byte[] c = component("controller key purpose", purpose);
        return ByteBuffer.allocate(1 + p.length + c.length).put(CONTROLLER_KEY_PREFIX).put(p).put(c).array();
    }

    static byte[] binding(BindingKey key) {
        byte[] prefix = bindingPrefix(key.host());
        byte[] domain = key.domain().isEmpty() ? new byte[0] : component("domain", key.domain());
        return ByteBuffer.allocate(prefix.length + 1 + domain.length)
                .put(prefix).put(scopeByte(key.scope())).put(domain).array();
    }

    /** The prefix of every binding key of one host. */
    static byte[] bindingPrefix(String host) {
        return withSeparator(host(host));
    }

    /** The scope's proto enum number: stable on disk and in the order of {@link Scope}. */
    static byte scopeByte(Scope scope) {
        return (byte) RecordMapper.toProto(scope).getNumber();
    }

    static byte[] joinToken(String id) {
        return component("join token id", id);
    }

    static byte[] adminToken(String name) {
        return component("admin token name", name);
    }

    static byte[] issuer(String name) {
        return component("issuer name", name);
    }

    static byte[] acmeOrder(String certificate) {
        return component("certificate name", certificate);
    }

    static byte[] event(long seq) {
        return longBytes(seq);
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    static long longValue(byte[] bytes) {
        if (bytes.length != 8) {
            throw new IllegalArgumentException("expected 8 bytes, found " + bytes.length);
        }
        return ByteBuffer.wrap(bytes).getLong();
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The smallest key greater than every key starting with {@code prefix} (which ends in 0x00). */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        end[end.length - 1]++;
        return end;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withSeparator(byte[] component) {
        byte[] out = Arrays.copyOf(component, component.length + 1);
        out[component.length] = SEPARATOR;
        return out;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
