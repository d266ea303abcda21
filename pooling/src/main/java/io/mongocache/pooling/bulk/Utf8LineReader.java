package io.mongocache.pooling.bulk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads an {@link InputStream} as lines of UTF-8 text split at {@code '\n'} (a {@code '\r'} before
 * it is dropped too), counting lines and bytes exactly.
 *
 * <p>Why bytes first: splitting bytes at {@code 0x0A} is safe in UTF-8 (no multi-byte sequence
 * contains it), and decoding one line at a time lets an invalid byte be blamed on the right line;
 * a {@code Reader} decodes ahead in blocks and reports such errors lines too early or too late.
 *
 * <p>Failure modes: invalid UTF-8 and lines longer than {@code maxLineBytes} throw {@link
 * ImportException} with the line number; the limit keeps input that is not JSON Lines at all (a
 * binary file without newlines) from filling the heap. I/O errors propagate. Memory is one read
 * buffer plus the longest line seen, and a buffer grown for a long line is released after it.
 */
final class Utf8LineReader {

    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int INITIAL_LINE_BYTES = 8 * 1024;
    /** Lines longer than this get a fresh small buffer afterwards, so one huge line is not kept. */
    private static final int KEEP_LINE_BUFFER_BYTES = 1024 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] readBuffer = new byte[READ_BUFFER_BYTES];
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int readPosition;
    private int readLimit;
    private byte[] line = new byte[INITIAL_LINE_BYTES];
    private int lineLength;
    private long lineNumber;
    private long bytesRead;
    private boolean endOfInput;

    Utf8LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The 1-based number of the line last returned by {@link #nextLine()}; 0 before the first. */
    long lineNumber() {
        return lineNumber;
    }

    /** Bytes consumed from the stream so far, line terminators included. */
    long bytesRead() {
        return bytesRead;
    }

    /**
     * The next line without its terminator, or null at the end of the input. A last line without a
     * terminating {@code '\n'} is still returned.
     *
     * @throws ImportException if the line is longer than the limit or is not valid UTF-8
     * @throws IOException     if reading the stream fails
     */
    String nextLine() throws IOException {
        if (line.length > KEEP_LINE_BUFFER_BYTES) {
            line = new byte[INITIAL_LINE_BYTES];
        }
        lineLength = 0;
        boolean sawAnything = false;
        while (true) {
            if (readPosition == readLimit && !fill()) {
                if (!sawAnything) {
                    return null;
                }
                break;
            }
            sawAnything = true;
            int newline = indexOfNewline();
            int end = newline >= 0 ? newline : readLimit;
            append(end - readPosition);
            if (newline >= 0) {
                readPosition = newline + 1;
                break;
            }
            readPosition = readLimit;
        }
        lineNumber++;
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        return decode();
    }

    private boolean fill() throws IOException {
        if (endOfInput) {
            return false;
        }
        int read;
        do {
            read = in.read(readBuffer);
        } while (read == 0);
        if (read < 0) {
            endOfInput = true;
            return false;
        }
        readPosition = 0;
        readLimit = read;
        bytesRead += read;
        return true;
    }

    private int indexOfNewline() {
        for (int i = readPosition; i < readLimit; i++) {
            if (readBuffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(int count) {
        int needed = lineLength + count;
        if (needed > maxLineBytes) {
            throw new ImportException(lineNumber + 1, "line is longer than " + maxLineBytes
                    + " bytes; the input is not an export written by BulkTasks");
        }
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(needed, line.length * 2)));
        }
        System.arraycopy(readBuffer, readPosition, line, lineLength, count);
        lineLength = needed;
    }

    private String decode() {
        // Most lines are pure ASCII (canonical Extended JSON escapes little); decode those cheaply.
        boolean ascii = true;
        for (int i = 0; i < lineLength; i++) {
            if (line[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(line, 0, lineLength, StandardCharsets.US_ASCII);
        }
        try {
            return decoder.decode(ByteBuffer.wrap(line, 0, lineLength)).toString();
        } catch (CharacterCodingException e) {
            throw new ImportException(lineNumber, "not valid UTF-8 (" + e + ")", e);
        }
    }
}
