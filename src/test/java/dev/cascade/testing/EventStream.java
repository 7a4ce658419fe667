package dev.cascade.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Server-Sent Events client for tests: reads the stream line by line on its own thread, as an EventSource would
 * parse it, and hands out each block (event, comment or `retry`) as it arrives. Closing it disconnects.
 */
public final class EventStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Object END = new Object();

    /** One block of the stream; fields that were not in it are null. */
    public record Sse(String id, String name, String data, Integer retry, String comment) {
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (JsonProcessingException e) {
                throw new AssertionError("event data is not JSON: " + data, e);
            }
        }
    }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile AssertionError malformed;

    private EventStream(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream with this key, sending `Last-Event-ID` when given; answers once the headers are in. */
    public static EventStream open(URI uri, String key, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + key)
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return new EventStream(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    public HttpResponse<InputStream> response() {
        return response;
    }

    /** The next block; fails when the stream ends first or nothing comes within {@code wait}. */
    public Sse next(Duration wait) throws InterruptedException {
        Object next = received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no event within " + wait);
        }
        if (next == END) {
            received.add(END);
            throw malformed != null ? malformed : new AssertionError("the stream ended");
        }
        return (Sse) next;
    }

    /** Every block until the server ends the stream; fails when it is still open after {@code wait}. */
    public List<Sse> untilEnd(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Sse> all = new ArrayList<>();
        while (true) {
            Object next = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("the stream is still open after " + wait + "; received " + all);
            }
            if (next == END) {
                received.add(END);
                if (malformed != null) {
                    throw malformed;
                }
                return all;
            }
            all.add((Sse) next);
        }
    }

    @Override
    public void close() throws IOException {
        response.body().close();
        reader.interrupt();
    }

    private void read() {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            Integer retry = null;
            String comment = null;
            boolean any = false;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (any) {
                        received.add(new Sse(id, name, data == null ? null : data.toString(), retry, comment));
                    }
                    id = null;
                    name = null;
                    data = null;
                    retry = null;
                    comment = null;
                    any = false;
                    continue;
                }
                any = true;
                if (line.startsWith(":")) {
                    comment = line.substring(1).trim();
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "retry" -> retry = Integer.valueOf(value);
                    case "data" ->
                        data = data == null
                                ? new StringBuilder(value)
                                : data.append('\n').append(value);
                    default -> throw new AssertionError("unexpected field in the stream: " + line);
                }
            }
        } catch (IOException e) {
            // Closed by the test, or cut off: either way the stream is over.
        } catch (AssertionError e) {
            malformed = e;
        } finally {
            received.add(END);
        }
    }
}
