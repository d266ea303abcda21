package io.mongocache.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UrisTest {

    @Test
    void masksThePasswordOfAMongoUri() {
        assertEquals("mongodb://user:****@db.example:27017/app?authSource=admin",
                Uris.maskPassword("mongodb://user:s3cr%40t@db.example:27017/app?authSource=admin"));
    }

    @Test
    void masksThePasswordOfAnSrvUriAndARedisUriWithoutUser() {
        assertEquals("mongodb+srv://u:****@cluster0.example.net",
                Uris.maskPassword("mongodb+srv://u:pw@cluster0.example.net"));
        assertEquals("redis://:****@cache:6379/0", Uris.maskPassword("redis://:pw@cache:6379/0"));
    }

    @Test
    void leavesUrisWithoutPasswordAlone() {
        assertEquals("mongodb://localhost:27017", Uris.maskPassword("mongodb://localhost:27017"));
        assertEquals("mongodb://user@host/db", Uris.maskPassword("mongodb://user@host/db"));
        assertEquals("mongodb://h1:1,h2:2/?replicaSet=rs", Uris.maskPassword("mongodb://h1:1,h2:2/?replicaSet=rs"));
        assertEquals("not a uri", Uris.maskPassword("not a uri"));
    }
}
