package io.mongocache.internal;

/** Runs a read on MongoDB. Implementations buffer at most {@code capBytes}, then hand over the open cursor. */
@FunctionalInterface
interface Loader {
    ReadResult load(long capBytes);
}
