package io.mongocache.pooling.bulk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import org.bson.BSONException;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriter;
import org.bson.json.JsonWriterSettings;

/**
 * Writes the lines of an export (shapes in {@link BulkTasks}): envelope fields as plain JSON, and
 * every BSON value (documents, collection options, index specifications) as canonical Extended
 * JSON, so each type survives exactly.
 *
 * <p>The JSON writer escapes control characters, so a value never breaks a line. Failure modes: an
 * {@code IOException} from the underlying writer becomes an {@link UncheckedIOException}.
 */
final class ExportLineWriter {

    private static final JsonWriterSettings CANONICAL =
            JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    private static final EncoderContext ENCODER_CONTEXT = EncoderContext.builder().build();
    private static final RawBsonDocumentCodec RAW_CODEC = new RawBsonDocumentCodec();
    private static final BsonDocumentCodec DOCUMENT_CODEC = new BsonDocumentCodec();

    private final Writer out;

    ExportLineWriter(Writer out) {
        this.out = out;
    }

    void header(String database) {
        write("{\"" + ExportFormat.HEADER + "\":" + ExportFormat.VERSION
                + ",\"" + ExportFormat.DATABASE + "\":" + jsonString(database) + "}\n");
    }

    void collection(String name, BsonDocument options) {
        write("{\"" + ExportFormat.COLLECTION + "\":" + jsonString(name) + ",\"" + ExportFormat.OPTIONS + "\":");
        writeCanonical(options);
        write("}\n");
    }

    void index(BsonDocument specification) {
        write("{\"" + ExportFormat.INDEX + "\":");
        writeCanonical(specification);
        write("}\n");
    }

    void document(RawBsonDocument document) {
        write("{\"" + ExportFormat.DOCUMENT + "\":");
        try {
            // Piped straight from the BSON bytes: no intermediate BsonDocument; field order and duplicates kept.
            RAW_CODEC.encode(new JsonWriter(out, CANONICAL), document, ENCODER_CONTEXT);
        } catch (BSONException e) {
            throw unwrapIo(e);
        }
        write("}\n");
    }

    void endCollection(String name, long documents, int indexes) {
        write("{\"" + ExportFormat.END_COLLECTION + "\":" + jsonString(name)
                + ",\"" + ExportFormat.DOCUMENTS + "\":" + documents
                + ",\"" + ExportFormat.INDEXES + "\":" + indexes + "}\n");
    }

    void endExport(String database, int collections, long documents, int indexes) {
        write("{\"" + ExportFormat.END_EXPORT + "\":" + jsonString(database)
                + ",\"" + ExportFormat.COLLECTIONS + "\":" + collections
                + ",\"" + ExportFormat.DOCUMENTS + "\":" + documents
                + ",\"" + ExportFormat.INDEXES + "\":" + indexes + "}\n");
    }

    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export", e);
        }
    }

    private void writeCanonical(BsonDocument document) {
        try {
            DOCUMENT_CODEC.encode(new JsonWriter(out, CANONICAL), document, ENCODER_CONTEXT);
        } catch (BSONException e) {
            throw unwrapIo(e);
        }
    }

    /** The JSON writer wraps the underlying writer's IOException in a BSONException. */
    private static RuntimeException unwrapIo(BSONException e) {
        if (e.getCause() instanceof IOException io) {
            return new UncheckedIOException("cannot write the export", io);
        }
        return e;
    }

    private void write(String text) {
        try {
            out.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export", e);
        }
    }

    /** A JSON string literal; names may hold quotes, backslashes or control characters. */
    static String jsonString(String value) {
        StringBuilder json = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
