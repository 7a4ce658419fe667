package dev.cascade.webhooks;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Small caps on per-contact events: five undelivered events per organisation, eight per-contact events an hour. */
public class ContactEventCapsProfile implements QuarkusTestProfile {
    static final int PENDING_PER_ORGANIZATION = 5;
    static final int CONTACT_EVENTS_PER_HOUR = 8;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "cascade.webhooks.fairness.pending-per-organization",
                Integer.toString(PENDING_PER_ORGANIZATION),
                "cascade.webhooks.fairness.contact-events-per-hour",
                Integer.toString(CONTACT_EVENTS_PER_HOUR));
    }
}
