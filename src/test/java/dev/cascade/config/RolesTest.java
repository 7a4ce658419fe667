package dev.cascade.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

class RolesTest {

    @Test
    void readsACommaListInAnyCaseWithSpaces() {
        Roles roles = Roles.parse(" API, Webhooks ,,");
        assertThat(roles.roles()).containsExactlyInAnyOrder(Role.API, Role.WEBHOOKS);
        assertThat(roles.has(Role.WATERFALL)).isFalse();
        assertThat(roles).hasToString("api,webhooks");
    }

    @Test
    void allMeansEveryRole() {
        assertThat(Roles.parse("all").roles()).isEqualTo(EnumSet.allOf(Role.class));
        assertThat(Roles.parse("waterfall,all")).isEqualTo(Roles.all());
        assertThat(Roles.parse("api,waterfall,aggregator,webhooks")).isEqualTo(Roles.all());
    }

    @Test
    void anUnknownRoleIsRefusedNamingTheSettingAndTheKnownRoles() {
        assertThatThrownBy(() -> Roles.parse("api,worker"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cascade.roles")
                .hasMessageContaining("CASCADE_ROLES")
                .hasMessageContaining("'worker'")
                .hasMessageContaining("api, waterfall, aggregator, webhooks or all");
    }

    @Test
    void anEmptyListIsRefused() {
        assertThatThrownBy(() -> Roles.parse(" , "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cascade.roles");
    }
}
