package io.mongocache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Redis failures shaped as Lettuce raises them: the server's reason comes out, and configuration errors are told. */
class RedisProblemsTest {

    private static RedisConnectionException refusedWith(String reply) {
        return new RedisConnectionException("Unable to connect to 127.0.0.1/<unresolved>:6390",
                new RedisCommandExecutionException(reply));
    }

    @Test
    void shouldTellConfigurationErrorsByTheServersReply() {
        for (String reply : new String[] {"WRONGPASS invalid username-password pair or user is disabled.",
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
                        + "option can be used to authenticate the client and select the RESP protocol version at "
                        + "the same time", "ERR DB index is out of range",
                "NOPERM this user has no permissions to run the 'select' command",
                "ERR AUTH <password> called without any password configured for the default user."}) {
            assertTrue(RedisProblems.isConfigurationError(refusedWith(reply)), reply);
            assertEquals(reply, RedisProblems.reason(refusedWith(reply)));
        }
    }

    @Test
    void shouldTreatUnreachableOrSlowRedisAsAnOutage() {
        RedisConnectionException refused = new RedisConnectionException("Unable to connect to 127.0.0.1:1",
                new ConnectException("Connection refused"));
        assertFalse(RedisProblems.isConfigurationError(refused));
        assertEquals("Connection refused", RedisProblems.reason(refused));
        assertFalse(RedisProblems.isConfigurationError(new RedisCommandTimeoutException("Command timed out after "
                + "500 millisecond(s)")));
        assertEquals("LOADING Redis is loading the dataset in memory", RedisProblems.reason(
                new RedisCommandExecutionException("LOADING Redis is loading the dataset in memory")));
    }

    @Test
    void shouldNeverShowAPassword() {
        String reason = RedisProblems.reason(new RedisConnectionException(
                "Unable to connect to redis://app:hunter2x@10.0.0.1:6379", null));
        assertFalse(reason.contains("hunter2x"), reason);
    }
}
