/**
 * The bank desk: one bank identity serving many customers at once. {@link io.securerelay.desk.Desk}
 * is what the back office's REST API and the agents' web GUI ({@code desk.web}) see; the engine
 * ({@code desk.engine}) runs one {@code Conversation} per customer over one relay connection; the
 * database ({@code desk.store}) keeps customers, messages and each conversation's outbox.
 */
package io.securerelay.desk;
