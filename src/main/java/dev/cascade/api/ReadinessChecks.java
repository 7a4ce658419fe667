package dev.cascade.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.cascade.accounts.Bootstrap;

/** Ready only once start-up bootstrap (when enabled) has finished, so a printed key works at once. */
@Readiness
@ApplicationScoped
public class ReadinessChecks implements HealthCheck {
    private final Bootstrap bootstrap;

    public ReadinessChecks(Bootstrap bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("bootstrap").status(bootstrap.isDone()).build();
    }
}
