package dev.cascade.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The gateway's HTTP API as the CLI uses it (java.net.http): a bearer credential on every request, 429s waited out
 * (Retry-After), connection failures retried for requests that are safe to repeat, and every non-2xx answer turned
 * into an {@link Exit.Failure} with the contract's `detail` and the matching exit code. No message ever holds the
 * credential.
 */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 6;
    private static final long MAX_WAIT_MS = 60_000;
    /** How long a request may take, from sending it to the end of its answer (the headers' wait included). */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);

    /** An answer: status, headers that matter, and the body as text. */
    record Answer(int status, String body, Optional<String> replayed) {
        JsonNode json() {
            try {
                return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new Exit.Failure(Exit.API, "the gateway answered with a body that is not JSON", status);
            }
        }
    }

    private final URI base;
    private final String bearer;
    private final String credentialName;
    private final HttpClient client;

    Api(URI base, String bearer, String credentialName) {
        this.base = base;
        this.bearer = bearer;
        this.credentialName = credentialName;
        // HTTP/1.1: over plain http the JDK client otherwise asks for an upgrade to HTTP/2 (h2c) on every new
        // connection, and JDK 17's client was seen to keep such an upgraded exchange waiting after its whole answer had
        // arrived (a test's `admin providers` hung for minutes). The gateway's answers are small; nothing needs h2c.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI base() {
        return base;
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    JsonNode get(String path) {
        return ok(send(request(path).GET(), true)).json();
    }

    String getText(String path) {
        return ok(send(request(path).GET(), true)).body();
    }

    JsonNode post(String path, Object body) {
        return ok(send(jsonRequest(path, body, "POST"), false)).json();
    }

    JsonNode put(String path, Object body) {
        return ok(send(jsonRequest(path, body, "PUT"), true)).json();
    }

    void delete(String path) {
        ok(send(request(path).DELETE(), true));
    }

    /**
     * A submit with an `Idempotency-Key`: safe to repeat, so connection failures are retried, and a 409 (the same key
     * still being handled, e.g. by the run that was interrupted) is waited out. Other answers are returned as they are.
     */
    Answer submit(String path, byte[] body, String idempotencyKey) {
        HttpRequest.Builder request = request(path)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int attempt = 1; ; attempt++) {
            Answer answer = send(request, true);
            if (answer.status() != 409 || attempt >= 30) {
                return answer;
            }
            pause(1000);
        }
    }

    /** Opens a streamed GET (the progress stream); the caller reads and closes the body. */
    HttpResponse<InputStream> open(String path, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path).header("Accept", "text/event-stream");
        headers.forEach(request::header);
        return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private HttpRequest.Builder jsonRequest(String path, Object body, String method) {
        try {
            byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
            return request(path)
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        } catch (IOException e) {
            throw new Exit.Failure(Exit.INTERNAL, "a request body cannot be written");
        }
    }

    private HttpRequest.Builder request(String path) {
        if (bearer == null || bearer.isBlank()) {
            throw new Exit.Failure(Exit.AUTH, "no " + credentialName + " is configured");
        }
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(ANSWER_TIMEOUT)
                .header("Authorization", "Bearer " + bearer)
                .header("User-Agent", "cascade-cli");
    }

    /** Sends, waiting out 429s; connection failures are retried only when {@code repeatable}. */
    private Answer send(HttpRequest.Builder builder, boolean repeatable) {
        HttpRequest request = builder.build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = whole(request);
                if (response.statusCode() == 429 && attempt < MAX_ATTEMPTS) {
                    pause(retryAfter(response.headers().firstValue("Retry-After"), attempt));
                    continue;
                }
                return new Answer(
                        response.statusCode(),
                        response.body(),
                        response.headers().firstValue("Idempotent-Replayed"));
            } catch (IOException e) {
                if (!repeatable || attempt >= 3) {
                    throw unreachable(e);
                }
                pause(500L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Exit.Failure(Exit.INTERRUPTED, "interrupted");
            }
        }
    }

    /**
     * Sends and reads the whole answer within {@link #ANSWER_TIMEOUT}: the request's own timeout covers only the wait
     * for the answer's headers, so a body that stops arriving would otherwise hold the command for ever.
     */
    private HttpResponse<String> whole(HttpRequest request) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<String>> answer =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            return answer.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new HttpTimeoutException("no whole answer within " + ANSWER_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }

    Exit.Failure unreachable(IOException e) {
        String why = e instanceof ConnectException
                ? "connection refused"
                : e instanceof HttpTimeoutException ? "timed out" : e.getClass().getSimpleName();
        // Without any user-info part: a URL may carry credentials too.
        String shown = base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort())
                + base.getRawPath();
        return new Exit.Failure(Exit.API, "cannot reach the gateway at " + shown + " (" + why + ")");
    }

    private static long retryAfter(Optional<String> header, int attempt) {
        try {
            return Math.min(
                    MAX_WAIT_MS, Math.max(1, Long.parseLong(header.orElse("").trim())) * 1000);
        } catch (NumberFormatException e) {
            return Math.min(MAX_WAIT_MS, 1000L << attempt);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Exit.Failure(Exit.INTERRUPTED, "interrupted");
        }
    }

    /** The answer when it is a 2xx, else the failure it means. */
    Answer ok(Answer answer) {
        if (answer.status() / 100 == 2) {
            return answer;
        }
        throw failure(answer);
    }

    Exit.Failure failure(Answer answer) {
        int status = answer.status();
        String detail = detail(answer.body());
        int code = switch (status) {
            case 400, 413, 415, 422 -> Exit.BAD_INPUT;
            case 401, 403 -> Exit.AUTH;
            case 402 -> Exit.CREDITS;
            default -> Exit.API;
        };
        String message = status == 401 || status == 403
                ? "the " + credentialName + " was refused (HTTP " + status + ")"
                : "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
        return new Exit.Failure(code, message, status);
    }

    /** The contract's `detail`: a string, or the list of validation problems written `loc: msg`. */
    static String detail(String body) {
        try {
            JsonNode detail = JSON.readTree(body).path("detail");
            if (detail.isTextual()) {
                return detail.asText();
            }
            if (detail.isArray()) {
                StringBuilder out = new StringBuilder();
                for (JsonNode problem : detail) {
                    if (!out.isEmpty()) {
                        out.append("; ");
                    }
                    StringBuilder loc = new StringBuilder();
                    for (JsonNode part : problem.path("loc")) {
                        if (!loc.isEmpty()) {
                            loc.append('.');
                        }
                        loc.append(part.asText());
                    }
                    out.append(loc).append(": ").append(problem.path("msg").asText());
                }
                return out.toString();
            }
        } catch (IOException | RuntimeException e) {
            // Not the contract's shape; the status says enough.
        }
        return "";
    }
}
