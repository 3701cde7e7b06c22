package io.securerelay.desk;

import java.time.Instant;

/**
 * One message of a conversation.
 *
 * @param cursor     position in the desk (increasing over all conversations): read on with {@code after=cursor}
 * @param customerId the conversation's customer
 * @param direction  IN (from the customer) or OUT (from the bank)
 * @param number     the sender's message number in this conversation (1, 2, …)
 * @param sentAt     when the sender sent it (the sender's clock)
 * @param storedAt   when the desk stored it
 * @param text       the text
 * @param state      IN: RECEIVED or READ; OUT: QUEUED (not yet acknowledged) or DELIVERED (acknowledged)
 */
public record MessageView(long cursor, long customerId, String direction, long number, Instant sentAt,
        Instant storedAt, String text, String state) {
}
