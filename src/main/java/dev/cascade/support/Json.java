package dev.cascade.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The application's ObjectMapper (snake_case, nulls left out) for values written to Kafka and PostgreSQL. */
@ApplicationScoped
public class Json {
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
    private final ObjectMapper mapper;
    private final ObjectMapper canonical;
    /** One reader per type read, its root deserializer resolved once (`readValue` resolves it on every call). */
    private final ClassValue<ObjectReader> readers = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return mapper.readerFor(type);
        }
    };

    public Json(ObjectMapper mapper) {
        this.mapper = mapper;
        this.canonical = mapper.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    }

    /**
     * SHA-256 of a value's canonical JSON (map keys sorted): two requests that mean the same, whatever their
     * whitespace, key order or ignored fields, hash the same.
     */
    public byte[] canonicalHash(Object value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonical.writeValueAsBytes(value));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(
                    "Value cannot be hashed: " + value.getClass().getSimpleName(), e);
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "Value cannot be written as JSON: " + value.getClass().getSimpleName(), e);
        }
    }

    /** A stored flat string map (a workflow's `custom`); null for null. */
    public Map<String, String> stringMap(String json) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Unreadable JSON for a string map", e);
        }
    }

    public <T> T read(String json, Class<T> type) {
        try {
            return readers.get(type).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Unreadable JSON for " + type.getSimpleName(), e);
        }
    }
}
