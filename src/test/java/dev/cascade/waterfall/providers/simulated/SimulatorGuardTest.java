package dev.cascade.waterfall.providers.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The simulator invents data: it may run in the local, dev and test profiles only. */
class SimulatorGuardTest {

    @Test
    void refusesTheSimulatorInTheProdProfileNamingTheSetting() {
        assertThat(SimulatorGuard.problem(true, List.of("prod")))
                .hasValueSatisfying(message -> assertThat(message)
                        .contains("CASCADE_SIMULATOR_ENABLED (cascade.simulator.enabled)")
                        .contains("[prod]"));
        assertThat(SimulatorGuard.problem(true, List.of("staging"))).isPresent();
    }

    @Test
    void allowsTheSimulatorInLocalDevAndTest() {
        assertThat(SimulatorGuard.problem(true, List.of("local"))).isEmpty();
        assertThat(SimulatorGuard.problem(true, List.of("dev", "local"))).isEmpty();
        assertThat(SimulatorGuard.problem(true, List.of("test"))).isEmpty();
    }

    @Test
    void aDisabledSimulatorIsFineEverywhere() {
        assertThat(SimulatorGuard.problem(false, List.of("prod"))).isEmpty();
    }
}
