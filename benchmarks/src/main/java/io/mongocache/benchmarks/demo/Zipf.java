package io.mongocache.benchmarks.demo;

import java.util.Arrays;
import java.util.Random;

/**
 * Zipf-distributed ranks {@code 0 .. n-1}: rank {@code k} is drawn with probability proportional to
 * {@code 1 / (k + 1)^s}. With {@code s} near 1 a few keys get most of the traffic and a long tail gets the rest,
 * as with user profiles, products or sessions in real applications. Sampling is a binary search in the
 * precomputed cumulative distribution: O(log n) per draw, O(n) memory.
 */
public final class Zipf {
    private final double[] cumulative;

    public Zipf(int n, double s) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive but was " + n);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cumulative[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cumulative[k] /= sum;
        }
        cumulative[n - 1] = 1.0;
    }

    public int sample(Random random) {
        int index = Arrays.binarySearch(cumulative, random.nextDouble());
        return index >= 0 ? index : -index - 1;
    }
}
