package dev.cascade.testing;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the multi-process integration tests share: one Kafka broker and one fresh database in the test JVM, an
 * operator token and a bootstrap key made up for the run, and the gateway processes started on them (see
 * {@link GatewayProcess}), which are stopped after each test and at the end.
 */
public final class GatewayCluster {
    private static final Duration READY = Duration.ofSeconds(90);

    private final KafkaResource kafka = new KafkaResource();
    private final PostgresResource postgres = new PostgresResource();
    private final List<GatewayProcess> gateways = new CopyOnWriteArrayList<>();
    private final String apiKey;
    private final String adminToken;
    private boolean kafkaStarted;
    private Map<String, String> database;

    private GatewayCluster() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[48];
        random.nextBytes(secret);
        apiKey = "clapi_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        random.nextBytes(secret);
        adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Starts the broker and the database. */
    public static GatewayCluster start() {
        GatewayCluster cluster = new GatewayCluster();
        cluster.kafka.start();
        cluster.kafkaStarted = true;
        cluster.database = cluster.postgres.start();
        return cluster;
    }

    /** The bootstrap organisation's API key. */
    public String apiKey() {
        return apiKey;
    }

    public String adminToken() {
        return adminToken;
    }

    /** The environment every gateway of the cluster starts with ({@link GatewayProcess#baseEnv}); add to it. */
    public Map<String, String> env() {
        return GatewayProcess.baseEnv(database, apiKey, adminToken);
    }

    /** Starts a gateway with {@code env} and waits until it is ready. */
    public GatewayProcess startGateway(String name, Map<String, String> env) {
        GatewayProcess gateway = GatewayProcess.start(name, env);
        gateways.add(gateway);
        gateway.awaitReady(READY);
        return gateway;
    }

    /** Stops every gateway started so far (after each test). */
    public void stopGateways() {
        gateways.forEach(GatewayProcess::close);
        gateways.clear();
    }

    /** Stops the broker (a broker outage); the gateways and the database keep running. */
    public void stopBroker() {
        if (kafkaStarted) {
            kafkaStarted = false;
            kafka.stop();
        }
    }

    /** Stops the gateways, the broker and the database. */
    public void stop() {
        try {
            stopGateways();
        } finally {
            try {
                if (kafkaStarted) {
                    kafka.stop();
                }
            } finally {
                if (database != null) {
                    postgres.stop();
                }
            }
        }
    }
}
