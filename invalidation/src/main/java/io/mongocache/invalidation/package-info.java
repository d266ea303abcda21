/**
 * What an operation reads and writes, by pure analysis — no I/O, no Redis, no cache state — used by the cache and
 * by the change-stream watcher alike: filters to the {@code _id} values they pin ({@link
 * io.mongocache.invalidation.FilterAnalysis}, with the collation rule), writes and bulk models to the
 * {@link io.mongocache.invalidation.Invalidation} they must make ({@link io.mongocache.invalidation.WriteAnalysis}),
 * pipelines to the namespaces they read and the {@code $out}/{@code $merge} target they write ({@link
 * io.mongocache.invalidation.PipelineAnalysis}), change events to invalidations ({@link
 * io.mongocache.invalidation.ChangeEvents}), reads to the versions they depend on ({@link
 * io.mongocache.invalidation.Dependency}), and which reads may return data older than the newest write ({@link
 * io.mongocache.invalidation.ReadFreshness}). The values nodes exchange — {@link
 * io.mongocache.invalidation.Invalidation}, {@link io.mongocache.invalidation.DocumentId}, {@link
 * io.mongocache.invalidation.CollectionCollation} — live here too.
 */
@NullMarked
package io.mongocache.invalidation;

import org.jspecify.annotations.NullMarked;
