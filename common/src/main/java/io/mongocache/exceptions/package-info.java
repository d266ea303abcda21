/**
 * The root exception of every mongocache module. It lives here, in the lowest module, so that pooling (which does
 * not depend on the cache) shares it with the cache and coordination.
 */
@NullMarked
package io.mongocache.exceptions;

import org.jspecify.annotations.NullMarked;
