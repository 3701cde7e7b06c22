package io.securerelay.keystore.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** Strict single-object PEM encoding and decoding (BouncyCastle). */
public final class Pem {
    private Pem() {
    }

    /** @return the PEM text of one object. */
    public static String encode(String type, byte[] der) {
        StringWriter sw = new StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new AssertionError("PEM writing to memory failed", e);
        }
        return sw.toString();
    }

    /**
     * @return the one object in {@code pem}
     * @throws IOException if there is no valid PEM object, or more than one
     */
    public static PemObject decode(String pem) throws IOException {
        try (PemReader r = new PemReader(new StringReader(pem))) {
            PemObject o = r.readPemObject();
            if (o == null) {
                throw new IOException("no PEM object");
            }
            if (r.readPemObject() != null) {
                throw new IOException("more than one PEM object");
            }
            return o;
        } catch (RuntimeException e) {
            throw new IOException("malformed PEM", e);
        }
    }
}
