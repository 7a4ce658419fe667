package dev.cascade.api;

import java.util.Locale;
import java.util.Optional;

import dev.cascade.accounts.ApiKeys;

/**
 * What an operator token must be before the gateway starts with it. A short or template token is guessable or public,
 * so a gateway holding one refuses to start instead of serving an operator API anyone could open. The messages name
 * the setting and say how to make a good token; they never repeat the value.
 */
final class OperatorTokenPolicy {
    /** The setting and its environment variable, as every message names them. */
    static final String SETTING = "GATEWAY_ADMIN_TOKEN (cascade.admin.token)";

    static final int MIN_LENGTH = 32;

    /** The marker of every placeholder in k8s/03-secret.yaml.template (and the docs' examples). */
    static final String PLACEHOLDER = "replace_me";

    private static final String HOW =
            " Generate one with `openssl rand -hex 32` (64 characters), or unset it to close the" + " operator API.";

    private OperatorTokenPolicy() {}

    /** Why the configured token is refused, or empty when it is acceptable or unset (operator API closed). */
    static Optional<String> problem(Optional<String> token) {
        if (token.isEmpty() || token.get().isEmpty()) {
            return Optional.empty();
        }
        String value = token.get();
        if (value.toLowerCase(Locale.ROOT).contains(PLACEHOLDER)) {
            return Optional.of(SETTING + " still holds the template's REPLACE_ME placeholder: the gateway refuses to"
                    + " start with it." + HOW);
        }
        if (value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return Optional.of(SETTING + " contains whitespace or control characters (a trailing newline from a"
                    + " file?), which no Bearer header can carry: the gateway refuses to start with it." + HOW);
        }
        if (value.length() < MIN_LENGTH) {
            return Optional.of(SETTING + " is shorter than " + MIN_LENGTH
                    + " characters: the gateway refuses to start with a guessable operator token." + HOW);
        }
        if (ApiKeys.wellFormed(value)) {
            return Optional.of(SETTING + " is a `clapi_` API key, which is never accepted as the operator token: the"
                    + " gateway refuses to start with it." + HOW);
        }
        return Optional.empty();
    }
}
