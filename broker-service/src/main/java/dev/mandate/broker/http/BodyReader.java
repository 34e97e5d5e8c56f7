package dev.mandate.broker.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Reads a request body with two limits: at most {@code limit} bytes (one more is read to detect
 * an oversize body) and at most {@code deadline} for the whole body. Each read blocks at most the
 * connector's {@code server.tomcat.connection-timeout}, so a slow upload (a few bytes every few
 * seconds) is cut off after about deadline + connection timeout instead of holding a thread.
 */
public final class BodyReader {

    private BodyReader() {
    }

    /** The client sent the body too slowly or stopped sending it. */
    public static final class SlowBody extends IOException {
        SlowBody(String message) {
            super(message);
        }
    }

    public static byte[] read(HttpServletRequest request, int limit, Duration deadline) throws IOException {
        long until = System.nanoTime() + deadline.toNanos();
        InputStream in = request.getInputStream();
        long declared = request.getContentLengthLong();
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 && declared <= limit ? (int) declared : 1024);
        byte[] chunk = new byte[8192];
        try {
            while (out.size() <= limit) {
                int n = in.read(chunk, 0, Math.min(chunk.length, limit + 1 - out.size()));
                if (n < 0) {
                    break;
                }
                out.write(chunk, 0, n);
                if (System.nanoTime() > until) {
                    throw new SlowBody("the request body did not arrive within " + deadline.toSeconds() + " s");
                }
            }
        } catch (SlowBody e) {
            throw e;
        } catch (IOException e) {
            // A read timed out (connection timeout) or the client went away mid-body.
            throw new SlowBody("the request body did not arrive in time");
        }
        return out.toByteArray();
    }
}
