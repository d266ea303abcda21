/**
 * Shared plumbing of mongocache's own modules: argument checks, credential masking, the database-name rule, daemon
 * thread factories and exponential back-off. Not user API: nothing here is promised to stay, and the package is
 * meant for mongocache's modules only (a later {@code module-info} exports it to them alone).
 */
@NullMarked
package io.mongocache.common;

import org.jspecify.annotations.NullMarked;
