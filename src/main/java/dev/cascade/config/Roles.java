package dev.cascade.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * The roles of this process, parsed from `cascade.roles` (env `CASCADE_ROLES`): a comma list of `api`, `waterfall`,
 * `aggregator`, `webhooks`, or `all`. An unknown name, or an empty list, refuses start-up.
 */
public record Roles(Set<Role> roles) {
    /** The setting's name, in messages. */
    public static final String KEY = "cascade.roles";

    private static final String KNOWN =
            Arrays.stream(Role.values()).map(Role::key).collect(Collectors.joining(", ")) + " or all";

    public Roles {
        roles = roles.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(roles));
    }

    /** Every role: one process does everything (the default). */
    /**
     * The roles the configuration names, read from inside a config interceptor (before the typed root exists); null
     * when the setting is not valid, which the typed config root then refuses at start-up with its own message.
     */
    static Roles configured(ConfigSourceInterceptorContext context) {
        ConfigValue setting = context.proceed(KEY);
        try {
            return setting == null || setting.getValue() == null ? all() : parse(setting.getValue());
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    public static Roles all() {
        return new Roles(EnumSet.allOf(Role.class));
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** Parses a comma list; throws {@link IllegalArgumentException} naming the setting on anything unknown. */
    public static Roles parse(String value) {
        EnumSet<Role> parsed = EnumSet.noneOf(Role.class);
        for (String raw : (value == null ? "" : value).split(",")) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("all")) {
                parsed.addAll(EnumSet.allOf(Role.class));
                continue;
            }
            Role role = Arrays.stream(Role.values())
                    .filter(r -> r.key().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            KEY + " (CASCADE_ROLES) names an unknown role '" + raw.trim() + "'; known: " + KNOWN));
            parsed.add(role);
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException(KEY + " (CASCADE_ROLES) is empty; give one or more of " + KNOWN);
        }
        return new Roles(parsed);
    }

    /** `api,waterfall`, in the roles' order. */
    @Override
    public String toString() {
        return roles.stream().map(Role::key).collect(Collectors.joining(","));
    }

    /** Lets the typed config root read `cascade.roles` as {@link Roles}, refusing start-up on a bad value. */
    public static final class Parser implements Converter<Roles> {
        @Override
        public Roles convert(String value) {
            return parse(value);
        }
    }
}
