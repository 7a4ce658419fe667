package dev.cascade.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** The real infrastructure every {@code @QuarkusTest} of the suite shares: Kafka and PostgreSQL. */
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
public final class TestResources {
    private TestResources() {}
}
