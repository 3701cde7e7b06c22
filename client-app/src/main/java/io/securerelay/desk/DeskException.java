package io.securerelay.desk;

/** A request the desk refuses, with a sentence for a person (never a key, a password or a message text). */
public final class DeskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of refusal: the REST API maps it to an HTTP status and an RFC 9457 problem type. */
    public enum Kind { NOT_FOUND, BAD_REQUEST, CONFLICT, UNAVAILABLE }

    private final Kind kind;

    public DeskException(Kind kind, String sentence) {
        super(sentence);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
