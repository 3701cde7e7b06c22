/**
 * The relay's adapters to Tyrus' servlet integration, through its public API only: frames refused
 * at their header (oversize: 1009, unmasked: 1002) before Tyrus reads them, and the flushes of one
 * read batched into one TLS write per receiving connection.
 */
package io.securerelay.relay.tyrus;
