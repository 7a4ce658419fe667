package dev.cascade.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The vendors of the integration tests: one WireMock server on loopback answering in each vendor's wire format under
 * its own path prefix, and the gateway configured with real adapters pointing at it (`t-hunter`, `t-prospeo`, `t-pdl`,
 * `t-apollo`, `t-zerobounce`, `t-http`), plus `dead-hunter`, a Hunter whose port refuses connections. None of them is
 * in the default waterfall order; tests choose them with the request's `waterfall` override. Guards are short so the
 * tests are quick: 1 s timeout, retries 20 ms apart, breakers over 10 calls.
 */
public class VendorStubs implements QuarkusTestResourceLifecycleManager {
    private static WireMockServer server;
    private static int closedPort;

    public static WireMockServer server() {
        return server;
    }

    public static String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    @Override
    public synchronized Map<String, String> start() {
        if (server == null) {
            // Delayed answers (t-slow's 3 s, the timeout tests' stubs) are sent asynchronously, and the request
            // threads are many: hundreds of slow calls left running by a cancel test must not starve the next test's
            // vendor calls into timeouts on a shared stub.
            server = new WireMockServer(options()
                    .dynamicPort()
                    .bindAddress("127.0.0.1")
                    .containerThreads(400)
                    .asynchronousResponseEnabled(true)
                    .asynchronousResponseThreads(64));
            server.start();
            closedPort = freePort();
        }
        Map<String, String> config = new HashMap<>();
        vendor(config, "t-hunter", "hunter", url("/hunter/v2"));
        vendor(config, "t-prospeo", "prospeo", url("/prospeo"));
        vendor(config, "t-pdl", "pdl", url("/pdl/v5"));
        vendor(config, "t-apollo", "apollo", url("/apollo/api/v1"));
        vendor(config, "t-zerobounce", "zerobounce", url("/zerobounce/v2"));
        vendor(config, "t-neverbounce", "neverbounce", url("/neverbounce/v4"));
        vendor(config, "dead-hunter", "hunter", "http://127.0.0.1:" + closedPort + "/v2");
        config.put("cascade.providers.dead-hunter.breaker.delay", "60s");
        // Guard tests: their own providers, so their breakers and limits never touch the waterfall tests'.
        vendor(config, "t-breaker", "neverbounce", url("/breaker/v4"));
        config.put("cascade.providers.t-breaker.retry.max-retries", "0");
        config.put("cascade.providers.t-breaker.breaker.request-volume", "4");
        config.put("cascade.providers.t-breaker.breaker.delay", "1s");
        config.put("cascade.providers.t-breaker.breaker.success-threshold", "2");
        vendor(config, "t-opened", "neverbounce", url("/breaker/v4"));
        config.put("cascade.providers.t-opened.retry.max-retries", "0");
        config.put("cascade.providers.t-opened.breaker.request-volume", "4");
        config.put("cascade.providers.t-opened.breaker.delay", "60s");
        vendor(config, "t-retry", "neverbounce", url("/retry/v4"));
        vendor(config, "t-bulkhead", "neverbounce", url("/bulkhead/v4"));
        config.put("cascade.providers.t-bulkhead.timeout", "3s");
        config.put("cascade.providers.t-bulkhead.bulkhead.limit", "2");
        config.put("cascade.providers.t-bulkhead.bulkhead.queue", "1");
        vendor(config, "t-limited", "neverbounce", url("/limited/v4"));
        config.put("cascade.providers.t-limited.rate-limit.limit", "2");
        config.put("cascade.providers.t-limited.rate-limit.window", "1s");
        config.put("cascade.providers.t-limited.rate-limit.max-wait", "5s");
        vendor(config, "t-missing", "hunter", url("/missing/v2"));
        config.put("cascade.providers.t-missing.retry.max-retries", "0");
        config.put("cascade.providers.t-missing.breaker.request-volume", "4");
        config.put("cascade.providers.t-missing.breaker.delay", "60s");
        vendor(config, "t-paced-breaker", "neverbounce", url("/paced/v4"));
        config.put("cascade.providers.t-paced-breaker.retry.max-retries", "0");
        config.put("cascade.providers.t-paced-breaker.rate-limit.limit", "1");
        config.put("cascade.providers.t-paced-breaker.rate-limit.window", "1s");
        config.put("cascade.providers.t-paced-breaker.rate-limit.max-wait", "0s");
        config.put("cascade.providers.t-paced-breaker.breaker.request-volume", "2");
        config.put("cascade.providers.t-paced-breaker.breaker.failure-ratio", "1.0");
        config.put("cascade.providers.t-paced-breaker.breaker.delay", "60s");
        // A slow email finder with room for every task in flight: the cancel test fills the waterfall with it.
        vendor(config, "t-slow", "hunter", url("/slow/v2"));
        config.put("cascade.providers.t-slow.timeout", "10s");
        config.put("cascade.providers.t-slow.bulkhead.limit", "300");
        config.put("cascade.providers.t-slow.bulkhead.queue", "300");
        vendor(config, "t-disabled", "hunter", url("/hunter/v2"));
        config.put("cascade.providers.t-disabled.enabled", "false");
        vendor(config, "t-nokey", "pdl", url("/pdl/v5"));
        config.put("cascade.providers.t-nokey.api-key", "");
        // A declarative email finder, configured the way an operator would add a vendor without code.
        vendor(config, "t-http", "http", null);
        String http = "cascade.providers.t-http.http.";
        config.put(http + "capabilities", "email");
        config.put(http + "url", url("/acme/lookup?first={first_name}&last={last_name}&domain={company_domain}"));
        config.put(http + "headers.Authorization", "Bearer {api_key}");
        config.put(http + "map.email", "/result/email");
        config.put(http + "map.email-status", "/result/quality");
        config.put(http + "map.title", "/result/title");
        config.put(http + "status-values.deliverable", "reliable");
        config.put(http + "status-values.catch_all", "risky");
        // A declarative people-discovery vendor.
        vendor(config, "t-people", "http", null);
        String people = "cascade.providers.t-people.http.";
        config.put(people + "capabilities", "prospect");
        config.put(people + "url", url("/people/search?domain={company_domain}&limit={max_prospects}"));
        config.put(people + "headers.X-Api-Key", "{api_key}");
        config.put(people + "map.prospects", "/people");
        config.put(people + "map.first-name", "/first");
        config.put(people + "map.last-name", "/last");
        config.put(people + "map.title", "/role");
        config.put(people + "map.linkedin-url", "/profile");
        return config;
    }

    private static void vendor(Map<String, String> config, String name, String type, String baseUrl) {
        String prefix = "cascade.providers." + name + ".";
        config.put(prefix + "type", type);
        if (baseUrl != null) {
            config.put(prefix + "base-url", baseUrl);
        }
        config.put(prefix + "api-key", name + "-secret-key");
        config.put(prefix + "timeout", "1s");
        config.put(prefix + "retry.delay", "20ms");
        config.put(prefix + "retry.max-delay", "100ms");
        config.put(prefix + "retry.jitter", "10ms");
        config.put(prefix + "retry.retry-after-cap", "2s");
        config.put(prefix + "breaker.request-volume", "10");
        config.put(prefix + "breaker.delay", "2s");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // One server for the whole run: test profiles restart Quarkus, which stops and starts test resources again.
    }
}
