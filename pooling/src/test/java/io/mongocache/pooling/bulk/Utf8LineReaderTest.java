package io.mongocache.pooling.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8LineReaderTest {

    private static List<String> readAll(Utf8LineReader reader) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = reader.nextLine()) != null) {
            lines.add(line);
        }
        return lines;
    }

    private static Utf8LineReader reader(byte[] bytes, int maxLineBytes) {
        return new Utf8LineReader(new ByteArrayInputStream(bytes), maxLineBytes);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void splitsAtNewlinesDropsCarriageReturnsAndCounts() throws IOException {
        byte[] input = utf8("one\r\ntwo\n\nh\u00e9\u4e16\ud83d\ude00\nlast without newline");
        Utf8LineReader reader = reader(input, 1000);

        assertEquals(List.of("one", "two", "", "h\u00e9\u4e16\ud83d\ude00", "last without newline"), readAll(reader));
        assertEquals(5, reader.lineNumber());
        assertEquals(input.length, reader.bytesRead());
    }

    @Test
    void emptyInputHasNoLines() throws IOException {
        Utf8LineReader reader = reader(new byte[0], 10);
        assertNull(reader.nextLine());
        assertEquals(0, reader.lineNumber());
    }

    @Test
    void linesLongerThanTheReadBufferAndStreamsThatReturnLittle() throws IOException {
        String longLine = "x".repeat(200_000) + "\u00e9";
        byte[] input = utf8("a\n" + longLine + "\nb\n");
        // A stream returning at most 3 bytes per read, so lines and characters straddle reads.
        InputStream trickle = new ByteArrayInputStream(input) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3));
            }
        };
        Utf8LineReader reader = new Utf8LineReader(trickle, 1_000_000);

        assertEquals(List.of("a", longLine, "b"), readAll(reader));
    }

    @Test
    void invalidUtf8IsBlamedOnItsOwnLine() throws IOException {
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        for (int i = 1; i <= 5000; i++) {
            input.write(utf8("line " + i + " \u00e9\n"));
        }
        input.write(new byte[] {'b', 'a', 'd', (byte) 0xC3, '\n'}); // lead byte without its continuation
        Utf8LineReader reader = reader(input.toByteArray(), 1000);
        for (int i = 1; i <= 5000; i++) {
            reader.nextLine();
        }

        ImportException e = assertThrows(ImportException.class, reader::nextLine);
        assertEquals(5001, e.lineNumber());
        assertTrue(e.problem().startsWith("not valid UTF-8"), e.problem());
    }

    @Test
    void overlongLinesAreRefusedWithTheirNumber() throws IOException {
        Utf8LineReader reader = reader(utf8("short\n" + "y".repeat(101) + "\n"), 100);
        assertEquals("short", reader.nextLine());

        ImportException e = assertThrows(ImportException.class, reader::nextLine);
        assertEquals(2, e.lineNumber());
        assertTrue(e.problem().startsWith("line is longer than 100 bytes"), e.problem());
    }
}
