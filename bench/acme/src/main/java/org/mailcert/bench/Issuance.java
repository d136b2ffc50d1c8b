package org.mailcert.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issues a list of certificates with a fixed number of workers, timing each certificate and the
 * whole. Each worker holds a slot (0 to concurrency - 1) while it issues, so a client that needs
 * its own directories per worker (certbot) can have them. The first failure stops the phase: no
 * further certificate is started and {@link #run} throws it, so a failure is never counted away.
 */
final class Issuance {
    private Issuance() {
    }

    /** Issues one certificate for {@code label} as worker {@code slot}; returns only once it is issued. */
    interface One {
        void issue(String label, int slot) throws Exception;
    }

    /**
     * What a phase measured.
     *
     * @param wallNanos from just before the first certificate was started until the last was issued
     * @param latenciesMs per certificate, from its start until it was issued, in the order of the labels
     */
    record Outcome(long wallNanos, List<Double> latenciesMs) {
        double perSecond() {
            return latenciesMs.size() / (wallNanos / 1e9);
        }
    }

    /** Issues every label, {@code concurrency} at a time; throws the first failure, naming its label. */
    static Outcome run(List<String> labels, int concurrency, One one) throws Exception {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        BlockingQueue<Integer> slots = new ArrayBlockingQueue<>(concurrency);
        for (int i = 0; i < concurrency; i++) {
            slots.add(i);
        }
        double[] latencies = new double[labels.size()];
        AtomicReference<Exception> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int n = 0; n < labels.size(); n++) {
                String label = labels.get(n);
                int index = n;
                running.add(pool.submit(() -> {
                    if (failure.get() != null) {
                        return null;
                    }
                    int slot = slots.take();
                    try {
                        long t = System.nanoTime();
                        one.issue(label, slot);
                        latencies[index] = (System.nanoTime() - t) / 1e6;
                    } catch (Exception e) {
                        failure.compareAndSet(null, new IllegalStateException("certificate " + label + " failed: "
                                + e.getMessage(), e));
                    } finally {
                        slots.add(slot);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failure.compareAndSet(null, new IllegalStateException(e.getCause()));
                }
            }
            long wall = System.nanoTime() - start;
            if (failure.get() != null) {
                throw failure.get();
            }
            List<Double> issued = new ArrayList<>();
            for (double latency : latencies) {
                issued.add(latency);
            }
            return new Outcome(wall, List.copyOf(issued));
        } finally {
            pool.shutdownNow();
        }
    }
}
