package io.mongocache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaskingTest {

    /** Both forms agree on well-formed connection strings (the cases Redaction, Masking and Uris each had). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "redis://user:pw@h:6379                                     | redis://user:****@h:6379",
        "rediss://secret@h                                          | rediss://****@h",
        "redis://:pw@cache:6379/0                                   | redis://:****@cache:6379/0",
        "mongodb://u:p@ss@a:1,b:2/db?x=y                            | mongodb://u:****@a:1,b:2/db?x=y",
        "mongodb://user:s3cr%40t@db.example:27017/app?authSource=admin | mongodb://user:****@db.example:27017/app?authSource=admin",
        "mongodb+srv://u:pw@cluster0.example.net                    | mongodb+srv://u:****@cluster0.example.net",
        "redis://h:1                                                | redis://h:1",
        "mongodb://localhost:27017                                  | mongodb://localhost:27017",
        "mongodb://h1:1,h2:2/?replicaSet=rs                         | mongodb://h1:1,h2:2/?replicaSet=rs",
        "not a uri                                                  | not a uri",
    })
    void shouldMaskThePasswordAndKeepTheRest(String given, String masked) {
        assertEquals(masked, Masking.connectionString(given));
        assertEquals(masked, Masking.inText(given));
    }

    @Test
    void shouldKeepAMongoUserNameWithoutPasswordButMaskALoneRedisSecret() {
        assertEquals("mongodb://user@host/db", Masking.connectionString("mongodb://user@host/db"));
        assertEquals("MongoDB+SRV://user@host", Masking.inText("MongoDB+SRV://user@host"));
        assertEquals("redis://****@host", Masking.connectionString("redis://hunter2@host"));
        assertEquals("redis-sentinel://****@s1,s2#m", Masking.inText("redis-sentinel://hunter2@s1,s2#m"));
        assertEquals("//****@host", Masking.inText("//hunter2@host"));
        // Another word glued to the scheme is not mongodb's scheme: masked, the safe way.
        assertEquals("xmongodb://****@host", Masking.inText("xmongodb://user@host"));
    }

    @Test
    void shouldMaskEveryConnectionStringInText() {
        assertEquals("redis://a:****@h1,redis://b:****@h2", Masking.inText("redis://a:x@h1,redis://b:y@h2"));
        assertEquals("Timed out connecting to mongodb://app:****@db:27017 (after redis://****@cache failed)",
                Masking.inText("Timed out connecting to mongodb://app:pw1@db:27017 (after redis://pw2@cache failed)"));
    }

    @Test
    void shouldMaskAPasswordWithUnescapedDelimitersInAConnectionString() {
        // Malformed (they must be percent-encoded), and exactly what a "malformed URI" message quotes.
        assertEquals("mongodb://app:****@h", Masking.connectionString("mongodb://app:pa/ss@h"));
        assertEquals("redis://app:****@h:6379", Masking.connectionString("redis://app:a?b#c@d@h:6379"));
        assertFalse(Masking.connectionString("redis://:s3cret@").contains("s3cret"));
        // More than needed, never less: an '@' in the query hides the host with the password.
        assertEquals("mongodb://u:****@b", Masking.connectionString("mongodb://u:p@h/?appName=a@b"));
    }

    @Test
    void shouldSayNullForNull() {
        assertEquals("null", Masking.connectionString(null));
        assertEquals("null", Masking.inText(null));
    }
}
