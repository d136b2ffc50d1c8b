package org.mailcert.controller.issuers;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** ACME attempts since start, by result and failures by kind, for the metrics endpoint. Thread-safe. */
public final class AcmeCounters {
    private final Map<String, LongAdder> results = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> kinds = new ConcurrentHashMap<>();

    /** Counts one successful order. */
    public void issued() {
        results.computeIfAbsent("issued", k -> new LongAdder()).increment();
    }

    /** Counts one failed order of {@code kind} ({@code dns}, {@code rate_limited}, ...). */
    public void failed(String kind) {
        results.computeIfAbsent("failed", k -> new LongAdder()).increment();
        kinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Attempts by result ({@code issued}, {@code failed}), both always present, sorted. */
    public Map<String, Long> byResult() {
        Map<String, Long> out = new TreeMap<>(Map.of("issued", 0L, "failed", 0L));
        results.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Failed attempts by kind, sorted. */
    public Map<String, Long> failuresByKind() {
        Map<String, Long> out = new TreeMap<>();
        kinds.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
