package dev.cascade.leads;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

@QuarkusTest
class DefaultLeadListTest {

    @Test
    void concurrentFirstSubmitsCreateOneDefaultList() throws Exception {
        Tenant tenant = Gateway.newTenant("leads-" + UUID.randomUUID());
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Callable<String>> submits = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                submits.add(
                        () -> tenant.submit(Map.of("enrichment_type", "none", "contacts", List.of(Gateway.person(n)))));
            }
            List<String> workflows = new ArrayList<>();
            for (Future<String> f : pool.invokeAll(submits)) {
                workflows.add(f.get());
            }
            assertThat(workflows).doesNotHaveDuplicates().hasSize(12);
        } finally {
            pool.shutdownNow();
        }
        UUID org = UUID.fromString(tenant.orgId());
        assertThat(Gateway.count(
                        "SELECT count(*) FROM lead_lists WHERE org_id = ? AND is_default AND name = 'DEFAULT'", org))
                .isEqualTo(1);
        assertThat(Gateway.count("SELECT count(DISTINCT lead_list_id) FROM tasks WHERE org_id = ?", org))
                .isEqualTo(1);
        assertThat(Gateway.count("SELECT count(*) FROM tasks WHERE org_id = ?", org))
                .isEqualTo(12);
    }
}
