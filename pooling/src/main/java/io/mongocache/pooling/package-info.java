/** Multi-database routing and connection pools. Not built yet. */
package io.mongocache.pooling;
