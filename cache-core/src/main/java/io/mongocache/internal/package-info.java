/** Implementation of mongocache. Nothing here is API: it may change in any release. */
@NullMarked
package io.mongocache.internal;

import org.jspecify.annotations.NullMarked;
