package dev.cascade.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** The real infrastructure every {@code @QuarkusTest} of the suite shares: Kafka, PostgreSQL, the vendor stubs and
 * the loopback DNS and SMTP servers of the SMTP verifier. */
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(VendorStubs.class)
@QuarkusTestResource(MailServers.class)
public final class TestResources {
    private TestResources() {}
}
