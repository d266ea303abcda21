package io.mongocache.pooling.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mongodb.client.MongoDatabase;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every task that writes tells the onDatabaseChanged listener, also when it fails; nothing else does. */
class BulkTasksChangesTest {
    /** The public methods that write; each must end in {@code changing(…)} and be in MongoPoolsIT's list. */
    private static final Set<String> WRITING = Set.of("copyDatabase", "dropDatabase", "importInto", "importFrom");
    private static final Set<String> NOT_WRITING = Set.of("export", "exportTo", "batchSize");

    private final List<String> changed = new ArrayList<>();

    /** A database whose drop() fails with {@code failure}, or succeeds if it is null. */
    private static MongoDatabase database(RuntimeException failure) {
        return (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(),
                new Class<?>[] {MongoDatabase.class}, (proxy, method, args) -> {
                    if (method.getName().equals("drop") && failure != null) {
                        throw failure;
                    }
                    return null;
                });
    }

    @Test
    void shouldClassifyEveryPublicMethodAsWritingOrNot() {
        Set<String> declared = Arrays.stream(BulkTasks.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
                .map(Method::getName).collect(Collectors.toSet());
        Set<String> classified = new HashSet<>(WRITING);
        classified.addAll(NOT_WRITING);
        assertEquals(classified, declared, "a new public method must be classified here; if it writes, it must "
                + "tell onDatabaseChanged like the others and join MongoPoolsIT's list of bulk writes");
    }

    @Test
    void shouldTellTheListenerWhenADropFails() {
        IllegalStateException refused = new IllegalStateException("refused");
        BulkTasks tasks = new BulkTasks(name -> database(refused), changed::add);
        assertSame(refused, assertThrows(IllegalStateException.class, () -> tasks.dropDatabase("shop")));
        assertEquals(List.of("shop"), changed);
    }

    @Test
    void shouldKeepTheTasksOwnFailureWhenTheListenerThrowsToo() {
        IllegalStateException refused = new IllegalStateException("refused");
        IllegalStateException listenerFailure = new IllegalStateException("listener");
        BulkTasks tasks = new BulkTasks(name -> database(refused), name -> {
            throw listenerFailure;
        });
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> tasks.dropDatabase("shop"));
        assertSame(refused, thrown);
        assertEquals(List.of(listenerFailure), List.of(thrown.getSuppressed()));
    }

    @Test
    void shouldRejectANullListener() {
        assertEquals("onDatabaseChanged must not be null", assertThrows(IllegalArgumentException.class,
                () -> new BulkTasks(name -> database(null), null)).getMessage());
    }
}
