package io.mongocache.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A one-shot, dependency-free Redis client: opens a socket, sends one command, reads one reply.
 *
 * <p>Why not Lettuce: the fixtures must probe servers that are half started, paused or refusing
 * connections, and a bare socket with a hard deadline reports those states plainly without
 * reconnect logic, event loops or buffered commands getting in the way.
 */
final class RespProbe {

    private RespProbe() {}

    /** Thrown when the server answers with a RESP error ({@code -ERR ...}). */
    static final class ErrorReplyException extends IOException {
        private static final long serialVersionUID = 1L;

        ErrorReplyException(String message) {
            super(message);
        }
    }

    /**
     * Sends one command to {@code 127.0.0.1:port} and returns the reply: the text of a simple
     * string or bulk string, or the digits of an integer. Arrays are not needed by the fixtures.
     *
     * @throws ErrorReplyException when the server replies with an error
     * @throws IOException when the server cannot be reached or does not answer within {@code timeout}
     */
    static String call(int port, Duration timeout, String... command) throws IOException {
        int timeoutMillis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(encode(command));
            out.flush();
            return readReply(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private static byte[] encode(String... command) {
        StringBuilder resp = new StringBuilder().append('*').append(command.length).append("\r\n");
        for (String part : command) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            resp.append('$').append(bytes.length).append("\r\n").append(part).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        if (line.isEmpty()) {
            throw new IOException("empty reply line");
        }
        String payload = line.substring(1);
        switch (line.charAt(0)) {
            case '+':
            case ':':
                return payload;
            case '-':
                throw new ErrorReplyException(payload);
            case '$':
                int length = Integer.parseInt(payload);
                if (length < 0) {
                    return "";
                }
                byte[] body = in.readNBytes(length);
                if (body.length != length) {
                    throw new IOException("connection closed inside a bulk reply");
                }
                readLine(in); // the CRLF that ends the bulk string
                return new String(body, StandardCharsets.UTF_8);
            default:
                throw new IOException("unexpected reply type: " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("connection closed before the reply ended");
            }
            if (previous == '\r' && next == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(next);
            previous = next;
        }
    }

    /** The value of {@code field} in an {@code INFO}-style {@code field:value} text, or null. */
    static String infoField(String info, String field) {
        String prefix = field + ":";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        return null;
    }
}
