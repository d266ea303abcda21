package io.mongocache.pooling.bulk;

import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.json.JsonParseException;
import org.bson.json.JsonReader;

/**
 * The line format of an export (documented on {@link BulkTasks}): field names, the version, and
 * parsing one line into an {@link ExportLine}.
 *
 * <p>Parsing checks each line on its own (JSON syntax, the line type, the fields it must have and
 * their types); the order of lines is checked by the importer. Every problem is an {@link
 * ImportException} naming the line.
 */
final class ExportFormat {

    /** The format version this code writes and reads; bumped when a line shape changes. */
    static final int VERSION = 1;

    static final String HEADER = "mongocacheExport";
    static final String DATABASE = "database";
    static final String COLLECTION = "collection";
    static final String OPTIONS = "options";
    static final String INDEX = "index";
    static final String DOCUMENT = "doc";
    static final String END_COLLECTION = "endCollection";
    static final String END_EXPORT = "endExport";
    static final String COLLECTIONS = "collections";
    static final String DOCUMENTS = "documents";
    static final String INDEXES = "indexes";

    /** Marks the temporary collections an import or copy loads into; such collections are never exported. */
    static final String STAGING_MARKER = ".__importing_";

    private static final RawBsonDocumentCodec RAW_CODEC = new RawBsonDocumentCodec();
    private static final BsonDocumentCodec DOCUMENT_CODEC = new BsonDocumentCodec();
    private static final DecoderContext DECODER_CONTEXT = DecoderContext.builder().build();

    private ExportFormat() {}

    /** One parsed line. */
    sealed interface ExportLine {}

    record Header(int version, String database) implements ExportLine {}

    record CollectionStart(String name, BsonDocument options) implements ExportLine {}

    record Index(BsonDocument specification) implements ExportLine {}

    record Document(RawBsonDocument document) implements ExportLine {}

    record CollectionEnd(String name, long documents, long indexes) implements ExportLine {}

    record ExportEnd(String database, long collections, long documents, long indexes) implements ExportLine {}

    /** Whether a collection is left out of exports and copies: server-internal or an import in progress. */
    static boolean isSkippedCollection(String name) {
        return name.startsWith("system.") || name.contains(STAGING_MARKER);
    }

    /**
     * Parses one line.
     *
     * @throws ImportException if the line is not valid JSON, not a known line type, or lacks a field
     */
    static ExportLine parse(String line, long lineNumber) {
        String type;
        try {
            JsonReader reader = new JsonReader(line);
            reader.readStartDocument();
            if (reader.readBsonType() == BsonType.END_OF_DOCUMENT) {
                throw new ImportException(lineNumber, "empty object; expected a line such as {\"" + DOCUMENT + "\": {...}}");
            }
            type = reader.readName();
            if (DOCUMENT.equals(type)) {
                // The hot path: pipe the document's JSON straight into BSON bytes, no tree in between.
                return new Document(readDocumentValue(reader, lineNumber));
            }
        } catch (ImportException e) {
            throw e;
        } catch (RuntimeException e) {
            // JsonParseException, BSONException, NumberFormatException (e.g. a bad $numberDecimal), ...
            throw malformed(lineNumber, e);
        }
        BsonDocument fields = parseEnvelope(line, lineNumber);
        return switch (type) {
            case HEADER -> {
                expectOnly(fields, lineNumber, type, Set.of(HEADER, DATABASE));
                yield new Header(intField(fields, HEADER, lineNumber, type), stringField(fields, DATABASE, lineNumber, type));
            }
            case COLLECTION -> {
                expectOnly(fields, lineNumber, type, Set.of(COLLECTION, OPTIONS));
                yield new CollectionStart(stringField(fields, COLLECTION, lineNumber, type),
                        documentField(fields, OPTIONS, lineNumber, type));
            }
            case INDEX -> {
                expectOnly(fields, lineNumber, type, Set.of(INDEX));
                yield new Index(documentField(fields, INDEX, lineNumber, type));
            }
            case END_COLLECTION -> {
                expectOnly(fields, lineNumber, type, Set.of(END_COLLECTION, DOCUMENTS, INDEXES));
                yield new CollectionEnd(stringField(fields, END_COLLECTION, lineNumber, type),
                        countField(fields, DOCUMENTS, lineNumber, type), countField(fields, INDEXES, lineNumber, type));
            }
            case END_EXPORT -> {
                expectOnly(fields, lineNumber, type, Set.of(END_EXPORT, COLLECTIONS, DOCUMENTS, INDEXES));
                yield new ExportEnd(stringField(fields, END_EXPORT, lineNumber, type),
                        countField(fields, COLLECTIONS, lineNumber, type),
                        countField(fields, DOCUMENTS, lineNumber, type), countField(fields, INDEXES, lineNumber, type));
            }
            default -> throw new ImportException(lineNumber, "unknown line type '" + type + "'; expected one of "
                    + String.join(", ", HEADER, COLLECTION, INDEX, DOCUMENT, END_COLLECTION, END_EXPORT));
        };
    }

    private static RawBsonDocument readDocumentValue(JsonReader reader, long lineNumber) {
        if (reader.getCurrentBsonType() != BsonType.DOCUMENT) {
            throw new ImportException(lineNumber, "'" + DOCUMENT + "' must be an object but was "
                    + reader.getCurrentBsonType());
        }
        RawBsonDocument document = RAW_CODEC.decode(reader, DECODER_CONTEXT);
        if (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
            throw new ImportException(lineNumber, "unexpected field '" + reader.readName()
                    + "' after '" + DOCUMENT + "'; a document line has only that field");
        }
        reader.readEndDocument();
        requireNothingAfter(reader, lineNumber);
        return document;
    }

    /** Envelope lines are small, so a tree is fine and makes the field checks simple. */
    private static BsonDocument parseEnvelope(String line, long lineNumber) {
        try {
            JsonReader reader = new JsonReader(line);
            BsonDocument fields = DOCUMENT_CODEC.decode(reader, DECODER_CONTEXT);
            requireNothingAfter(reader, lineNumber);
            return fields;
        } catch (ImportException e) {
            throw e;
        } catch (RuntimeException e) {
            throw malformed(lineNumber, e);
        }
    }

    /** The reader stops after the first JSON value; text after it would otherwise go unnoticed. */
    private static void requireNothingAfter(JsonReader reader, long lineNumber) {
        try {
            if (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                throw new ImportException(lineNumber, "text after the end of the JSON object; one object per line");
            }
        } catch (JsonParseException e) {
            throw new ImportException(lineNumber, "text after the end of the JSON object; one object per line", e);
        }
    }

    private static ImportException malformed(long lineNumber, RuntimeException e) {
        return new ImportException(lineNumber, "malformed JSON: " + e.getMessage(), e);
    }

    private static void expectOnly(BsonDocument fields, long lineNumber, String type, Set<String> allowed) {
        for (String name : fields.keySet()) {
            if (!allowed.contains(name)) {
                throw new ImportException(lineNumber, "unexpected field '" + name + "' in a '" + type
                        + "' line; allowed: " + allowed);
            }
        }
    }

    private static BsonValue required(BsonDocument fields, String name, long lineNumber, String type) {
        BsonValue value = fields.get(name);
        if (value == null) {
            throw new ImportException(lineNumber, "a '" + type + "' line needs the field '" + name + "'");
        }
        return value;
    }

    private static String stringField(BsonDocument fields, String name, long lineNumber, String type) {
        BsonValue value = required(fields, name, lineNumber, type);
        if (!value.isString()) {
            throw new ImportException(lineNumber, "'" + name + "' must be a string but was " + value.getBsonType());
        }
        return value.asString().getValue();
    }

    private static BsonDocument documentField(BsonDocument fields, String name, long lineNumber, String type) {
        BsonValue value = required(fields, name, lineNumber, type);
        if (!value.isDocument()) {
            throw new ImportException(lineNumber, "'" + name + "' must be an object but was " + value.getBsonType());
        }
        return value.asDocument();
    }

    private static int intField(BsonDocument fields, String name, long lineNumber, String type) {
        BsonValue value = required(fields, name, lineNumber, type);
        if (!value.isInt32()) {
            throw new ImportException(lineNumber, "'" + name + "' must be an integer but was " + value);
        }
        return value.asInt32().getValue();
    }

    private static long countField(BsonDocument fields, String name, long lineNumber, String type) {
        BsonValue value = required(fields, name, lineNumber, type);
        if (!value.isInt32() && !value.isInt64()) {
            throw new ImportException(lineNumber, "'" + name + "' must be an integer but was " + value);
        }
        long count = value.asNumber().longValue();
        if (count < 0) {
            throw new ImportException(lineNumber, "'" + name + "' must be >= 0 but was " + count);
        }
        return count;
    }
}
