package dev.cascade.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.cascade.accounts.Bootstrap;
import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;

/**
 * Ready only once start-up bootstrap (when enabled) has finished, so a printed key works at once. Bootstrap is the
 * API's (a key for clients), so a process without the `api` role does not wait for it. PostgreSQL and the Kafka
 * channels have checks of their own, and only the channels this process's roles open are checked.
 */
@Readiness
@ApplicationScoped
public class ReadinessChecks implements HealthCheck {
    private final Bootstrap bootstrap;
    private final boolean api;

    public ReadinessChecks(Bootstrap bootstrap, CascadeConfig config) {
        this.bootstrap = bootstrap;
        this.api = config.roles().has(Role.API);
    }

    @Override
    public HealthCheckResponse call() {
        if (!api) {
            return HealthCheckResponse.named("bootstrap")
                    .up()
                    .withData("skipped", "not an api process")
                    .build();
        }
        return HealthCheckResponse.named("bootstrap").status(bootstrap.isDone()).build();
    }
}
