package io.securerelay.desk.store;

/**
 * The database cannot be used or refused a change: a sentence for a person, naming the database
 * (never its password). Unchecked: the callers are the engine's loops and the REST resources.
 */
public class DeskStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeskStoreException(String sentence) {
        super(sentence);
    }

    public DeskStoreException(String sentence, Throwable cause) {
        super(sentence, cause);
    }

    /** The key or session ID is already a customer's. */
    public static final class Conflict extends DeskStoreException {
        private static final long serialVersionUID = 1L;

        public Conflict(String sentence) {
            super(sentence);
        }
    }
}
