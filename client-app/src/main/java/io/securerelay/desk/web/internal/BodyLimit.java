package io.securerelay.desk.web.internal;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Request bodies of at most {@link #MAX_BYTES} (a message is at most 16 KiB of text): larger is 413, read or declared. */
public final class BodyLimit implements ReaderInterceptor {
    public static final int MAX_BYTES = 64 * 1024;

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext ctx) throws IOException {
        String declared = ctx.getHeaders().getFirst(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > MAX_BYTES) {
                    throw new WebApplicationException(413);
                }
            } catch (NumberFormatException e) {
                throw new WebApplicationException(400);
            }
        }
        ctx.setInputStream(new Bounded(ctx.getInputStream()));
        return ctx.proceed();
    }

    private static final class Bounded extends FilterInputStream {
        private long count;

        Bounded(InputStream in) {
            super(in);
        }

        private int counted(int n) {
            if (n > 0) {
                count += n;
                if (count > MAX_BYTES) {
                    throw new WebApplicationException(413);
                }
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return counted(super.read(b, off, len));
        }
    }
}
