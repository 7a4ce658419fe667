package dev.cascade.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

import dev.cascade.api.AdminWebhookSecretResource;

/** Encryption at rest of the signing secrets, the key check at start-up, and secrets kept out of toString(). */
class SecretCipherTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY = key();
    private static final UUID ORG = UUID.randomUUID();
    private static final UUID ROW = UUID.randomUUID();

    private static String key() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static SecretCipher cipher(String key) {
        return SecretCipher.fromConfig(Optional.of(key), RANDOM);
    }

    private static byte[] secret() {
        byte[] raw = new byte[SigningSecrets.SECRET_BYTES];
        RANDOM.nextBytes(raw);
        return raw;
    }

    @Test
    void sealsAndOpensASecret() {
        SecretCipher cipher = cipher(KEY);
        byte[] raw = secret();
        SecretCipher.Sealed sealed = cipher.seal(raw, SigningSecrets.associatedData(ORG, ROW));

        assertThat(sealed.nonce()).hasSize(12);
        // 32 bytes of secret and a 16-byte tag, and the plaintext nowhere in it.
        assertThat(sealed.ciphertext()).hasSize(48);
        assertThat(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(raw, StandardCharsets.ISO_8859_1));
        assertThat(cipher.open(sealed, SigningSecrets.associatedData(ORG, ROW))).isEqualTo(raw);
        // A second cipher with the same key (another replica) reads it too.
        assertThat(cipher(KEY).open(sealed, SigningSecrets.associatedData(ORG, ROW)))
                .isEqualTo(raw);
    }

    @Test
    void everyValueGetsItsOwnNonce() {
        SecretCipher cipher = cipher(KEY);
        byte[] raw = secret();
        SecretCipher.Sealed first = cipher.seal(raw, SigningSecrets.associatedData(ORG, ROW));
        SecretCipher.Sealed second = cipher.seal(raw, SigningSecrets.associatedData(ORG, ROW));

        assertThat(first.nonce()).isNotEqualTo(second.nonce());
        assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
    }

    @Test
    void refusesAnAlteredCiphertextNonceOrTag() {
        SecretCipher cipher = cipher(KEY);
        byte[] aad = SigningSecrets.associatedData(ORG, ROW);
        SecretCipher.Sealed sealed = cipher.seal(secret(), aad);

        for (int i = 0; i < sealed.ciphertext().length; i += 7) {
            byte[] altered = sealed.ciphertext().clone();
            altered[i] ^= 0x01;
            assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed(sealed.nonce(), altered), aad))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not be decrypted");
        }
        byte[] nonce = sealed.nonce().clone();
        nonce[0] ^= 0x01;
        assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed(nonce, sealed.ciphertext()), aad))
                .isInstanceOf(IllegalStateException.class);
        byte[] truncated = java.util.Arrays.copyOf(sealed.ciphertext(), sealed.ciphertext().length - 1);
        assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed(sealed.nonce(), truncated), aad))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed(new byte[8], sealed.ciphertext()), aad))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nonce");
    }

    @Test
    void aValueMovedToAnotherRowOrOrganisationDoesNotDecrypt() {
        SecretCipher cipher = cipher(KEY);
        SecretCipher.Sealed sealed = cipher.seal(secret(), SigningSecrets.associatedData(ORG, ROW));

        assertThatThrownBy(() -> cipher.open(sealed, SigningSecrets.associatedData(UUID.randomUUID(), ROW)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.open(sealed, SigningSecrets.associatedData(ORG, UUID.randomUUID())))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anotherKeyCannotDecrypt() {
        SecretCipher.Sealed sealed = cipher(KEY).seal(secret(), SigningSecrets.associatedData(ORG, ROW));

        assertThatThrownBy(() -> cipher(key()).open(sealed, SigningSecrets.associatedData(ORG, ROW)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(SecretCipher.KEY_ENV)
                .hasNoCause();
    }

    @Test
    void aMissingKeyIsRefusedNamingTheVariable() {
        for (Optional<String> missing : List.of(Optional.<String>empty(), Optional.of(""), Optional.of("  "))) {
            assertThatThrownBy(() -> SecretCipher.fromConfig(missing, RANDOM))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CASCADE_WEBHOOKS_SECRETS_KEY")
                    .hasMessageContaining("not set")
                    .hasMessageContaining("openssl rand -base64 32");
        }
    }

    @Test
    void anInvalidKeyIsRefusedWithoutEchoingIt() {
        String notBase64 = "this is not base64 at all!";
        String tooShort = Base64.getEncoder().encodeToString("sixteen byte key".getBytes(StandardCharsets.UTF_8));
        String tooLong = Base64.getEncoder().encodeToString(new byte[64]);
        for (String bad : List.of(notBase64, tooShort, tooLong)) {
            assertThatThrownBy(() -> SecretCipher.fromConfig(Optional.of(bad), RANDOM))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CASCADE_WEBHOOKS_SECRETS_KEY")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(bad));
        }
    }

    @Test
    void theOverlapIsClampedToZeroToSevenDays() {
        assertThat(SigningSecrets.clamp(Duration.ofSeconds(-5))).isEqualTo(Duration.ZERO);
        assertThat(SigningSecrets.clamp(Duration.ofHours(24))).isEqualTo(Duration.ofHours(24));
        assertThat(SigningSecrets.clamp(Duration.ofDays(30))).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void recordsHoldingASecretNeverPrintIt() {
        String secret = "whsec_" + Base64.getEncoder().encodeToString(secret());
        UUID id = UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now();
        List<Object> holders = List.of(
                new SigningSecrets.SecretView(id, secret, now, null),
                new SigningSecrets.Rotation(id, secret, now, now),
                new AdminWebhookSecretResource.SecretItem(id, secret, "2026-01-01T00:00:00Z", null),
                new AdminWebhookSecretResource.RotationView(ORG, id, secret, "2026-01-01T00:00:00Z", null),
                new AdminWebhookSecretResource.SecretsView(
                        ORG, List.of(new AdminWebhookSecretResource.SecretItem(id, secret, "x", null))));
        for (Object holder : holders) {
            assertThat(holder.toString()).contains(id.toString()).doesNotContain(secret.substring("whsec_".length()));
        }
    }

    @Test
    void signsWithOneV1EntryPerSecretNewestFirst() throws Exception {
        String newer = "whsec_" + Base64.getEncoder().encodeToString(secret());
        String older = "whsec_" + Base64.getEncoder().encodeToString(secret());
        String body = "{\"event\":\"enrichment.completed\",\"name\":\"Zoë %s\"}";
        long timestamp = 1_700_000_000L;

        String header = WebhookSigner.sign(List.of(newer, older), "msg_1", timestamp, body);

        assertThat(header.split(" "))
                .containsExactly(
                        new Webhook(newer).sign("msg_1", timestamp, body),
                        new Webhook(older).sign("msg_1", timestamp, body));
        assertThat(header).matches("v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=");
        assertThatThrownBy(() -> WebhookSigner.sign(List.of(), "msg_1", timestamp, body))
                .isInstanceOf(IllegalStateException.class);
    }
}
