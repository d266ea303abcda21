package io.mongocache.pooling;

import com.mongodb.client.ClientSession;

/**
 * The body of a transaction: runs its reads and writes with {@code session}. It may run more than once (a
 * transient transaction error retries it), so it must not have effects outside MongoDB that cannot repeat.
 */
@FunctionalInterface
public interface TransactionWork<T> {
    T run(ClientSession session);
}
