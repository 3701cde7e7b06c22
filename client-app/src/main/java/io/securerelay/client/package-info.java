/**
 * The bank and customer client: command line, options, exit codes and the application bean.
 * Connection, conversation state and the outbox live in {@code internal}.
 */
package io.securerelay.client;
