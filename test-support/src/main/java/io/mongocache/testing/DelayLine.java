package io.mongocache.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * An output stream that delivers every write a fixed time after it was made, like a network link with latency:
 * writes are queued with their due time and a daemon thread writes each one when it is due, so back-to-back
 * writes stay back to back (pipelined), not one latency apart.
 *
 * <p>Precision: the thread parks until a little before the due time, shortened by the platform's typical park
 * overshoot (measured once), so the mean delay is close to the one asked for without spinning a core. Failure
 * modes: a failed write closes the target and makes later writes fail.
 */
final class DelayLine extends OutputStream {
    private static final long OVERSHOOT_NANOS = measureOvershoot();

    private record Chunk(byte[] bytes, long dueNanos) {}

    private final OutputStream target;
    private final long delayNanos;
    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private volatile IOException failure;
    private volatile boolean closed;

    DelayLine(OutputStream target, long delayNanos, String name) {
        this.target = target;
        this.delayNanos = delayNanos;
        Thread t = new Thread(this::deliver, "delay-line-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static long measureOvershoot() {
        long[] samples = new long[31];
        for (int i = 0; i < samples.length; i++) {
            long start = System.nanoTime();
            LockSupport.parkNanos(100_000);
            samples[i] = System.nanoTime() - start - 100_000;
        }
        Arrays.sort(samples);
        return Math.max(0, samples[samples.length / 2]);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
        queue.add(new Chunk(Arrays.copyOfRange(b, off, off + len), System.nanoTime() + delayNanos));
    }

    @Override
    public void flush() {
        // Each chunk is flushed when it is delivered.
    }

    @Override
    public void close() throws IOException {
        closed = true;
        target.close();
    }

    private void deliver() {
        try {
            while (!closed) {
                Chunk chunk = queue.take();
                long wait = chunk.dueNanos() - System.nanoTime() - OVERSHOOT_NANOS;
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                target.write(chunk.bytes());
                if (queue.isEmpty()) {
                    target.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            failure = e;
            try {
                target.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }
}
