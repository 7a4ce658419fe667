package dev.cascade.waterfall.providers.simulated;

import java.util.List;

import dev.cascade.config.CascadeConfig;
import dev.cascade.waterfall.providers.Provider;

/** The built-in simulated provider set, the default of the local run and of benchmarks. */
public final class SimulatedProviders {
    private SimulatedProviders() {}

    public static List<Provider> all(CascadeConfig.Simulator config) {
        return List.of(
                new SimulatedEmailFinder("sim-email-a", "first.last", config),
                new SimulatedEmailFinder("sim-email-b", "flast", config),
                new SimulatedVerifier("sim-verify", config),
                new SimulatedPhoneFinder("sim-phone", config),
                new SimulatedDiscovery("sim-discovery", config));
    }
}
