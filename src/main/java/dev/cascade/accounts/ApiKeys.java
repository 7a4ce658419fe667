package dev.cascade.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** API key format (§1): `clapi_` + 64 chars of base64url from 48 CSPRNG bytes; stored only as SHA-256. */
public final class ApiKeys {
    public static final String PREFIX = "clapi_";
    /**
     * Keys Cascade issues are `clapi_` + 64 characters; lookups accept any url-safe `clapi_` key of 16 to 128
     * characters, so an operator-chosen bootstrap key of another length works too.
     */
    private static final Pattern FORMAT = Pattern.compile("clapi_[A-Za-z0-9_-]{16,128}");

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {}

    public static String generate() {
        byte[] bytes = new byte[48];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** True when the value has the exact shape of an API key (checked before any lookup). */
    public static boolean wellFormed(String key) {
        return key != null && FORMAT.matcher(key).matches();
    }

    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    public static String last4(String key) {
        return key.substring(key.length() - 4);
    }

    /** Constant-time comparison of two secrets. */
    public static boolean sameSecret(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
