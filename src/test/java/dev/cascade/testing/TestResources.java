package dev.cascade.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** The real infrastructure every {@code @QuarkusTest} of the suite shares: Kafka, PostgreSQL and the vendor stubs. */
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(VendorStubs.class)
public final class TestResources {
    private TestResources() {}
}
