package dev.cascade.waterfall.providers.simulated;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.cascade.config.CascadeConfig;

/**
 * Refuses to start a process that would serve invented data: the simulated providers make up emails and phone
 * numbers (and they are charged for), so they may run only in the local and test profiles (dev inherits local).
 */
@ApplicationScoped
public class SimulatorGuard {
    /** The profiles in which the simulator may run. */
    static final Set<String> SIMULATOR_PROFILES = Set.of("local", "dev", "test");

    private final boolean enabled;

    public SimulatorGuard(CascadeConfig config) {
        this.enabled = config.simulator().enabled();
    }

    void onStart(@Observes StartupEvent event) {
        Optional<String> problem = problem(
                enabled, ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getProfiles());
        if (problem.isPresent()) {
            throw new IllegalStateException(problem.get());
        }
    }

    /** Why a process with {@code profiles} active may not run with the simulator {@code enabled}; empty when it may. */
    static Optional<String> problem(boolean enabled, Collection<String> profiles) {
        if (!enabled || profiles.stream().anyMatch(SIMULATOR_PROFILES::contains)) {
            return Optional.empty();
        }
        return Optional.of("CASCADE_SIMULATOR_ENABLED (cascade.simulator.enabled) is true, but the active profile "
                + profiles + " is neither local nor test: the simulated providers invent emails and phone numbers."
                + " Remove the setting and configure real vendors (docs/providers.md)");
    }
}
