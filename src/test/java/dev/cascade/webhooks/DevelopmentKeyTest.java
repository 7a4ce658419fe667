package dev.cascade.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The public development key of the local and test profiles is refused everywhere else (issue 12, item 6). */
class DevelopmentKeyTest {
    /** As application.properties holds it for the local and test profiles. */
    private static final String DEV_KEY = "Y2FzY2FkZS1sb2NhbC1kZXYta2V5LU5PVC1TRUNSRVQ=";

    @Test
    void theDevelopmentKeyIsRefusedInProductionNamingTheSettingButNotTheValue() {
        Optional<String> problem = SecretCipher.developmentKeyProblem(Optional.of(DEV_KEY), List.of("prod"));

        assertThat(problem).isPresent();
        assertThat(problem.get())
                .contains("CASCADE_WEBHOOKS_SECRETS_KEY")
                .contains("cascade.webhooks.secrets-key")
                .contains("development key")
                .doesNotContain(DEV_KEY)
                .doesNotContain("cascade-local-dev-key-NOT-SECRET");
    }

    @Test
    void theDevelopmentKeyIsRefusedInAnyProfileThatIsNotLocalDevOrTest() {
        assertThat(SecretCipher.developmentKeyProblem(Optional.of(DEV_KEY), List.of("staging")))
                .isPresent();
        assertThat(SecretCipher.developmentKeyProblem(Optional.of(DEV_KEY), List.of()))
                .isPresent();
        // Written differently (surrounding blanks) it is still the same key.
        assertThat(SecretCipher.developmentKeyProblem(Optional.of(" " + DEV_KEY + " "), List.of("prod")))
                .isPresent();
    }

    @Test
    void theDevelopmentKeyIsAcceptedInTheLocalDevAndTestProfiles() {
        assertThat(SecretCipher.developmentKeyProblem(Optional.of(DEV_KEY), List.of("local")))
                .isEmpty();
        assertThat(SecretCipher.developmentKeyProblem(Optional.of(DEV_KEY), List.of("dev", "local")))
                .isEmpty();
        assertThat(SecretCipher.developmentKeyProblem(Optional.of(DEV_KEY), List.of("test")))
                .isEmpty();
    }

    @Test
    void anyOtherKeyIsLeftToTheUsualChecks() {
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String key = Base64.getEncoder().encodeToString(random);

        assertThat(SecretCipher.developmentKeyProblem(Optional.of(key), List.of("prod")))
                .isEmpty();
        assertThat(SecretCipher.developmentKeyProblem(Optional.empty(), List.of("prod")))
                .isEmpty();
        assertThat(SecretCipher.developmentKeyProblem(Optional.of("not base64!"), List.of("prod")))
                .isEmpty();
    }
}
