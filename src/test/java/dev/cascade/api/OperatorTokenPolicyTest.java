package dev.cascade.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Which operator tokens refuse start-up (issue 12, item 3); the message names the setting, never the value. */
class OperatorTokenPolicyTest {
    /** The placeholder of the former secret template (k8s/03-secret.yaml.template), 45 characters: long enough, and public. */
    private static final String TEMPLATE = "REPLACE_ME_operator_token_openssl_rand_hex_32";

    @Test
    void aTokenUnder32CharactersIsRefusedNamingTheSetting() {
        String token = "a".repeat(31);

        Optional<String> problem = OperatorTokenPolicy.problem(Optional.of(token));

        assertThat(problem).isPresent();
        assertThat(problem.get())
                .contains("GATEWAY_ADMIN_TOKEN")
                .contains("cascade.admin.token")
                .contains("32 characters")
                .doesNotContain(token);
        assertThat(OperatorTokenPolicy.problem(Optional.of("test-admin-token"))).isPresent();
    }

    @Test
    void theTemplatePlaceholderIsRefusedAlthoughItIsLongEnough() {
        assertThat(TEMPLATE).hasSizeGreaterThanOrEqualTo(32);

        Optional<String> problem = OperatorTokenPolicy.problem(Optional.of(TEMPLATE));

        assertThat(problem).isPresent();
        assertThat(problem.get())
                .contains("GATEWAY_ADMIN_TOKEN")
                .contains("placeholder")
                .doesNotContain(TEMPLATE);
        assertThat(OperatorTokenPolicy.problem(Optional.of("x".repeat(40) + "replace_me")))
                .isPresent();
    }

    @Test
    void tokensNoBearerHeaderCanCarryOrThatAreClientKeysAreRefused() {
        assertThat(OperatorTokenPolicy.problem(Optional.of("0123456789abcdef0123456789abcdef\n")))
                .hasValueSatisfying(p -> assertThat(p).contains("whitespace"));
        assertThat(OperatorTokenPolicy.problem(Optional.of("clapi_" + "k".repeat(64))))
                .hasValueSatisfying(p -> assertThat(p).contains("clapi_"));
    }

    @Test
    void aLongRandomTokenIsAccepted() {
        assertThat(OperatorTokenPolicy.problem(Optional.of("0123456789abcdef0123456789abcdef")))
                .isEmpty();
        assertThat(OperatorTokenPolicy.problem(Optional.of("Zm9vYmFyYmF6cXV4LWxvbmctcmFuZG9tLXRva2VuLTQz")))
                .isEmpty();
    }

    @Test
    void anUnsetTokenIsAcceptedAndClosesTheOperatorApi() {
        assertThat(OperatorTokenPolicy.problem(Optional.empty())).isEmpty();
        assertThat(OperatorTokenPolicy.problem(Optional.of(""))).isEmpty();
    }
}
