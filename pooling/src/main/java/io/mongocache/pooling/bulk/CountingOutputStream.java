package io.mongocache.pooling.bulk;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Counts the bytes written through it; closing it does not close the caller's stream. */
final class CountingOutputStream extends FilterOutputStream {

    private long count;

    CountingOutputStream(OutputStream out) {
        super(out);
    }

    long count() {
        return count;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        count++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        // FilterOutputStream would write byte by byte.
        out.write(bytes, offset, length);
        count += length;
    }

    @Override
    public void close() throws IOException {
        // The caller owns the stream: only flush it.
        out.flush();
    }
}
