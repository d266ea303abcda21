package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void shouldMaskPasswordsAndBareRedisSecrets() {
        assertEquals("redis://user:****@h:6379", Redaction.maskUri("redis://user:pw@h:6379"));
        assertEquals("rediss://****@h", Redaction.maskUri("rediss://secret@h"));
        assertEquals("mongodb://u:****@a:1,b:2/db?x=y", Redaction.maskUri("mongodb://u:p@ss@a:1,b:2/db?x=y"));
        assertEquals("redis://h:1", Redaction.maskUri("redis://h:1"));
        assertEquals("redis://a:****@h1,redis://b:****@h2", Redaction.maskUri("redis://a:x@h1,redis://b:y@h2"));
    }
}
