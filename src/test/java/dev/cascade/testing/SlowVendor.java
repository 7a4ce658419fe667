package dev.cascade.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.sun.net.httpserver.HttpServer;

/**
 * The test profile's `t-slow` provider (Hunter's wire format at {@code /slow}) made to hold every lookup for three
 * seconds and then find nothing: a waterfall full of its calls keeps later task records waiting unstarted, which is
 * what the cancel tests need. {@link #hold} holds the lookups of some contacts until the test releases them.
 */
public final class SlowVendor {
    /** A request's `waterfall` option that sends emails to `t-slow` only. */
    public static final Map<String, Object> WATERFALL = Map.of("email", List.of("t-slow"));

    private SlowVendor() {}

    /**
     * Closes `t-slow`'s breaker (a test before may have left it open when its calls timed out on a saturated stub; an
     * open breaker would skip the slow calls and leave the waterfall free) and makes each lookup take three seconds.
     */
    public static void answerSlowly() {
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .post("/api/v1/admin/providers/t-slow/circuit/reset")
                .then()
                .statusCode(200);
        VendorStubs.server()
                .stubFor(get(urlPathEqualTo("/slow/v2/email-finder"))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody(
                                        "{\"data\":{\"email\":null,\"score\":null,\"verification\":{\"status\":null}},"
                                                + "\"meta\":{}}")
                                .withFixedDelay(3000)));
    }

    /**
     * Holds every `t-slow` lookup whose first name starts with {@code prefix} until {@link Held#release()}, then finds
     * nothing: the lookups are proxied to a loopback server of this JVM that counts them and answers only when
     * released (at most 30 s; past `t-slow`'s 10 s timeout the gateway has given up on the call). Call after {@link #answerSlowly()}.
     */
    public static Held hold(String prefix) {
        return new Held(prefix);
    }

    /** Lookups held until released; {@link #close()} releases them and removes the stub. */
    public static final class Held implements AutoCloseable {
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicInteger received = new AtomicInteger();
        private final AtomicInteger answered = new AtomicInteger();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final HttpServer server;
        private final StubMapping stub;

        private Held(String prefix) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                received.incrementAndGet();
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body =
                        "{\"data\":{\"email\":null,\"score\":null,\"verification\":{\"status\":null}},\"meta\":{}}"
                                .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                answered.incrementAndGet();
            });
            server.start();
            stub = VendorStubs.server()
                    .stubFor(get(urlPathEqualTo("/slow/v2/email-finder"))
                            .withQueryParam("first_name", matching(java.util.regex.Pattern.quote(prefix) + ".*"))
                            .atPriority(1)
                            .willReturn(aResponse()
                                    .proxiedFrom("http://127.0.0.1:"
                                            + server.getAddress().getPort())));
        }

        /** Lookups that reached the vendor so far (held or answered). */
        public int received() {
            return received.get();
        }

        /** Lookups answered so far. */
        public int answered() {
            return answered.get();
        }

        /** Lets every held lookup (and any later one) answer. */
        public void release() {
            released.countDown();
        }

        @Override
        public void close() {
            release();
            VendorStubs.server().removeStub(stub);
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
