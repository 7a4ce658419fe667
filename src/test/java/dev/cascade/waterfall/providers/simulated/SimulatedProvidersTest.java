package dev.cascade.waterfall.providers.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Contact;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;

/** The simulator is deterministic per contact and realistic in shape. */
class SimulatedProvidersTest {
    private static final CascadeConfig.Simulator CONFIG = config();

    private static CascadeConfig.Simulator config() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(CascadeConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(
                        Map.of("cascade.simulator.latency-min", "0ms", "cascade.simulator.latency-max", "0ms"))
                .build();
        return config.getConfigMapping(CascadeConfig.class).simulator();
    }

    private static Provider provider(String name) {
        return SimulatedProviders.all(CONFIG).stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static ProviderOutcome ask(String name, Capability capability, ProviderQuery query) {
        return provider(name).lookup(capability, query).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void theSameContactAlwaysGetsTheSameAnswer() {
        for (int i = 0; i < 50; i++) {
            Contact contact = new Contact(null, "Ada", "Lovelace" + i, "acme.com", null);
            ProviderQuery query = new ProviderQuery(contact, null, 25);
            assertThat(ask("sim-email-a", Capability.EMAIL, query))
                    .isEqualTo(ask("sim-email-a", Capability.EMAIL, query));
            assertThat(ask("sim-phone", Capability.PHONE, query)).isEqualTo(ask("sim-phone", Capability.PHONE, query));
        }
    }

    @Test
    void emailsFollowFirstDotLastAtTheCompanyDomain() {
        Contact contact = new Contact(null, "John", "Doe", "acme.com", null);
        ProviderOutcome outcome = ask("sim-email-a", Capability.EMAIL, new ProviderQuery(contact, null, 25));
        if (outcome instanceof ProviderOutcome.Hit hit) {
            assertThat(hit.data().emails())
                    .extracting(ProviderData.EmailCandidate::email)
                    .containsExactly("john.doe@acme.com");
        } else {
            assertThat(outcome).isInstanceOf(ProviderOutcome.Miss.class);
        }
    }

    @Test
    void aLinkedInSlugGivesThePersonsName() {
        for (String url : List.of("https://www.linkedin.com/in/janedoe", "https://www.linkedin.com/in/jane-doe-42")) {
            var prospect =
                    SimulatedPerson.of(new Contact(url, null, null, null, null)).prospect();
            assertThat(prospect.firstName()).as(url).isEqualTo("Jane");
            assertThat(prospect.lastName()).as(url).isEqualTo("Doe");
        }
    }

    @Test
    void phonesAreE164WithALineType() {
        int hits = 0;
        for (int i = 0; i < 40; i++) {
            Contact contact = new Contact("https://www.linkedin.com/in/person-" + i, null, null, null, null);
            ProviderOutcome outcome = ask("sim-phone", Capability.PHONE, new ProviderQuery(contact, null, 25));
            if (outcome instanceof ProviderOutcome.Hit hit) {
                hits++;
                assertThat(hit.data().phones()).allSatisfy(p -> {
                    assertThat(p.number()).matches("\\+1[2-9]\\d{2}[2-9]\\d{6}");
                    assertThat(p.lineType()).isIn("mobile", "landline", "voip");
                });
            }
        }
        assertThat(hits).isBetween(10, 40);
    }

    @Test
    void discoveryListsDistinctPeopleUpToTheCap() {
        Contact company = new Contact(null, null, null, "globex.com", null);
        ProviderOutcome outcome = ask("sim-discovery", Capability.PROSPECT, new ProviderQuery(company, null, 3));
        assertThat(outcome).isInstanceOf(ProviderOutcome.Hit.class);
        List<String> names = ((ProviderOutcome.Hit) outcome)
                .data().prospects().stream().map(p -> p.fullName()).toList();
        assertThat(names).isNotEmpty().hasSizeLessThanOrEqualTo(3).doesNotHaveDuplicates();
    }
}
