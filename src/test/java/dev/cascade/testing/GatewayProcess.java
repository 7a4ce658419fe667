package dev.cascade.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

/**
 * The packaged gateway ({@code target/quarkus-app/quarkus-run.jar}) as a separate operating-system process, the way
 * a replica runs in production: its own JVM, HTTP port and log file ({@code target/it-logs/<name>.log}). For
 * integration tests that need several gateways on one database, or a gateway stopped and started again.
 *
 * <p>Every process started here is also killed by a JVM shutdown hook, so an aborted test run leaves none behind.
 */
public final class GatewayProcess implements AutoCloseable {
    /** Inherited variables with these prefixes are dropped, so only what a test passes configures the gateway. */
    private static final List<String> OWN_PREFIXES = List.of("QUARKUS_", "CASCADE_", "KAFKA_", "GATEWAY_", "JAVA_OPTS");

    /**
     * The gateway's memory budget, as {@code scripts/run-local.sh} and the container image start it (docs/performance.md,
     * "Memory"), so that the multi-process tests run the gateway the way it is shipped.
     */
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms128m",
            "-Xmx128m",
            "-XX:+UseG1GC",
            "-XX:MetaspaceSize=128m",
            "-XX:MaxMetaspaceSize=192m",
            "-XX:ReservedCodeCacheSize=96m",
            "-XX:MaxDirectMemorySize=64m",
            "-Djdk.nio.maxCachedBufferSize=262144",
            "-XX:+ExitOnOutOfMemoryError");

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String name;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Process process;

    private GatewayProcess(String name, int port, int managementPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the gateway jar with {@code env} (on top of the inherited environment minus the gateway's own
     * variables), {@code QUARKUS_HTTP_PORT} and {@code QUARKUS_MANAGEMENT_PORT} (health, metrics, OpenAPI) set to free
     * loopback ports. Does not wait for readiness.
     */
    public static GatewayProcess start(String name, Map<String, String> env) {
        Path jar = Path.of(System.getProperty("cascade.it.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist: build it first (./mvnw package)");
        }
        Path logs = Path.of(System.getProperty("cascade.it.logs", "target/it-logs"));
        int port = freePort();
        int managementPort = freePort();
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(name + ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM_OPTIONS);
            ProcessBuilder builder = new ProcessBuilder(command);
            Optional<Path> archive = cdsArchive(jar);
            if (archive.isPresent()) {
                // The archive names the jar `quarkus-run.jar` in its own directory (as the build started it): the
                // JVM takes the archive only for the jar started by that name from there.
                command.add("-XX:SharedArchiveFile=" + archive.get().getFileName());
                command.add("-jar");
                command.add(jar.getFileName().toString());
                builder.directory(jar.toAbsolutePath().getParent().toFile());
            } else {
                command.add("-jar");
                command.add(jar.toAbsolutePath().toString());
            }
            builder.redirectErrorStream(true)
                    .redirectOutput(log.toAbsolutePath().toFile());
            builder.environment()
                    .keySet()
                    .removeIf(key -> OWN_PREFIXES.stream()
                            .anyMatch(prefix -> key.toUpperCase(Locale.ROOT).startsWith(prefix)));
            builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
            builder.environment().putAll(env);
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            Process process = builder.start();
            LIVE.add(process);
            return new GatewayProcess(name, port, managementPort, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start gateway " + name, e);
        }
    }

    /**
     * The AppCDS archive the build made next to the jar ({@code app-cds.jsa}, see {@code
     * quarkus.package.jar.appcds.enabled}), when it is newer than the jar: an older one does not match it, and the JVM
     * would only warn and ignore it.
     */
    private static Optional<Path> cdsArchive(Path jar) {
        Path archive = jar.toAbsolutePath().resolveSibling("app-cds.jsa");
        try {
            if (Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                return Optional.of(archive);
            }
        } catch (IOException e) {
            // Unreadable: start without it, as without an archive.
        }
        return Optional.empty();
    }

    /**
     * What every gateway of an integration test needs: the local profile, the test broker, the test database (as
     * {@link PostgresResource#start()} answered it), the operator token and the bootstrap key, whose organisation's
     * rate limits are lifted so that tests can poll freely.
     */
    public static Map<String, String> baseEnv(Map<String, String> database, String apiKey, String adminToken) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("QUARKUS_PROFILE", "local");
        env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.bootstrapServers());
        env.put("CASCADE_DB_HOST", database.get("cascade.db.host"));
        env.put("CASCADE_DB_PORT", database.get("cascade.db.port"));
        env.put("CASCADE_DB_NAME", database.get("cascade.db.name"));
        env.put("CASCADE_DB_USER", database.get("quarkus.datasource.username"));
        env.put("CASCADE_DB_PASSWORD", "");
        env.put("GATEWAY_ADMIN_TOKEN", adminToken);
        env.put("GATEWAY_BOOTSTRAP_API_KEY", apiKey);
        env.put("CASCADE_BOOTSTRAP_ORGANIZATION_PER_MINUTE", "100000");
        env.put("CASCADE_BOOTSTRAP_KEY_PER_MINUTE", "100000");
        return env;
    }

    /** Starts the gateway and waits until {@code /q/health/ready} answers 200 on its management port. */
    public static GatewayProcess startReady(String name, Map<String, String> env, Duration atMost) {
        GatewayProcess gateway = start(name, env);
        try {
            gateway.awaitReady(atMost);
        } catch (RuntimeException | AssertionError e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:<management port>}: health, metrics and the OpenAPI document (not on {@link #baseUrl}). */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for readiness; fails at once (with the end of the log) if the process exits first. */
    public void awaitReady(Duration atMost) {
        try {
            await().atMost(atMost)
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsMatching(e -> e instanceof IOException)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("gateway " + name + " exited with code "
                                    + process.exitValue() + " before it was ready; its log ends with:\n" + tail(60));
                        }
                        return ready();
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(
                    "gateway " + name + " was not ready within " + atMost + "; its log ends with:\n" + tail(60), e);
        }
    }

    private boolean ready() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /**
     * Stops the gateway the way an orchestrator does (SIGTERM, a graceful shutdown) and waits for the process to
     * end; answers its exit code. After {@code atMost} it is killed and this fails.
     */
    public int stop(Duration atMost) {
        process.destroy();
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(
                        "gateway " + name + " did not stop within " + atMost + " of SIGTERM; killed it");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while stopping gateway " + name, e);
        } finally {
            LIVE.remove(process);
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would: no graceful shutdown, no last commit. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }

    /** Stops the process if it still runs: SIGTERM, then SIGKILL after 20 s. Never throws. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            LIVE.remove(process);
            return;
        }
        try {
            stop(Duration.ofSeconds(20));
        } catch (RuntimeException e) {
            // Already killed by stop(); nothing more to do in a clean-up path.
        }
    }

    /** The last {@code lines} lines of the process's log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** A TCP port free on loopback right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
