package io.securerelay.desk;

/**
 * Something that happened at the desk, for live views (SSE): a message arrived or was acknowledged,
 * a customer appeared, connected, went away or changed key, the relay connection changed.
 *
 * @param type       MESSAGE, DELIVERED, CUSTOMER, CONNECTION (the desk's relay link)
 * @param customerId the customer concerned, or 0 for CONNECTION
 * @param message    for MESSAGE and DELIVERED: the message as it is now; else null
 * @param customer   for MESSAGE, DELIVERED and CUSTOMER: the customer as it is now; else null
 * @param status     for CONNECTION: the desk's status; else null
 */
public record DeskEvent(String type, long customerId, MessageView message, CustomerView customer, DeskStatus status) {
}
