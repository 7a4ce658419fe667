package dev.cascade.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts webhook signing secrets at rest with AES-256-GCM (JDK only): a fresh random 12-byte nonce per value and
 * caller-supplied associated data that binds the value to its row. Neither the key nor a plaintext ever appears in
 * an exception message.
 */
final class SecretCipher {
    /** The environment variable operators set; named in every start-up failure. */
    static final String KEY_ENV = "CASCADE_WEBHOOKS_SECRETS_KEY";

    /**
     * The development key of application.properties' local and test profiles (base64 of these bytes): public, so
     * refused in every other profile.
     */
    static final byte[] DEVELOPMENT_KEY = "cascade-local-dev-key-NOT-SECRET".getBytes(StandardCharsets.US_ASCII);

    /** The profiles that may run with the development key (dev inherits local). */
    static final Set<String> DEVELOPMENT_PROFILES = Set.of("local", "dev", "test");

    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;
    private final SecureRandom random;

    private SecretCipher(byte[] key, SecureRandom random) {
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
    }

    /**
     * The cipher for the configured key (`cascade.webhooks.secrets-key`), or an {@link IllegalStateException} that
     * says what is wrong and how to fix it (never echoing the value).
     */
    static SecretCipher fromConfig(Optional<String> base64Key, SecureRandom random) {
        String value = base64Key.map(String::trim).orElse("");
        if (value.isEmpty()) {
            throw new IllegalStateException(KEY_ENV
                    + " (cascade.webhooks.secrets-key) is not set: webhooks cannot be signed. Set it to the base64 of"
                    + " 32 random bytes, for example the output of `openssl rand -base64 32`, the same on every"
                    + " replica");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalStateException(KEY_ENV
                    + " (cascade.webhooks.secrets-key) is not valid base64: it must be the base64 of 32 random bytes,"
                    + " for example the output of `openssl rand -base64 32`");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalStateException(KEY_ENV + " (cascade.webhooks.secrets-key) decodes to " + key.length
                    + " bytes: it must be the base64 of exactly 32 random bytes (AES-256), for example the output of"
                    + " `openssl rand -base64 32`");
        }
        return new SecretCipher(key, random);
    }

    /**
     * Why the configured key may not be used in a process with {@code profiles} active: the development key outside
     * the local, dev and test profiles. Empty when the key is not the development key (or is not valid base64, which
     * {@link #fromConfig} reports) or a development profile is active.
     */
    static Optional<String> developmentKeyProblem(Optional<String> base64Key, Collection<String> profiles) {
        if (profiles.stream().anyMatch(DEVELOPMENT_PROFILES::contains)) {
            return Optional.empty();
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.map(String::trim).orElse(""));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(key, DEVELOPMENT_KEY)) {
            return Optional.empty();
        }
        return Optional.of(KEY_ENV + " (cascade.webhooks.secrets-key) is the public development key of the local and"
                + " test profiles, and the active profile " + profiles + " is neither: webhook signing secrets"
                + " encrypted with it are readable by anyone. Set it to the base64 of 32 random bytes, for example the"
                + " output of `openssl rand -base64 32`, the same on every replica");
    }

    /** A value as stored: the nonce and the ciphertext followed by its authentication tag. */
    record Sealed(byte[] nonce, byte[] ciphertext) {
        @Override
        public String toString() {
            return "Sealed[" + ciphertext.length + " bytes]";
        }
    }

    Sealed seal(byte[] plaintext, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            return new Sealed(nonce, cipher.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("A webhook signing secret could not be encrypted", e);
        }
    }

    /**
     * The plaintext, or an {@link IllegalStateException} when the value was altered, belongs to another row or was
     * encrypted under another key.
     */
    byte[] open(Sealed sealed, byte[] associatedData) {
        if (sealed.nonce() == null || sealed.nonce().length != NONCE_BYTES) {
            throw new IllegalStateException("A stored webhook signing secret has a malformed nonce");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(sealed.ciphertext());
        } catch (GeneralSecurityException e) {
            // No cause attached: the provider's message adds nothing and the rule is that nothing secret leaves here.
            throw new IllegalStateException("A stored webhook signing secret could not be decrypted (altered, or"
                    + " encrypted under another " + KEY_ENV + ")");
        }
    }
}
