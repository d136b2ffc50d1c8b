package org.mailcert.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Percentiles of a sample by the nearest-rank method: the p-th percentile of n sorted values is
 * the value at rank ceil(p/100 * n). The etcd module uses the same definition.
 */
final class Stats {
    private final double[] sorted;

    private Stats(double[] sorted) {
        this.sorted = sorted;
    }

    /** Statistics of the values (any order). */
    static Stats of(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return new Stats(a);
    }

    int count() {
        return sorted.length;
    }

    /** The nearest-rank percentile; NaN for an empty sample. */
    double percentile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    double min() {
        return sorted.length == 0 ? Double.NaN : sorted[0];
    }

    double mean() {
        return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(Double.NaN);
    }

    /** Milliseconds from a nanosecond interval. */
    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
