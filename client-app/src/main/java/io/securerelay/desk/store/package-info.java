/**
 * The bank desk's database: customers, messages and each conversation's outbox, on H2 (a file, the
 * default) or PostgreSQL, with Flyway migrations; a database that is not the desk's is refused untouched.
 */
package io.securerelay.desk.store;
