package dev.cascade.waterfall.providers.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The lists shipped with the verifier (`src/main/resources/smtp-verify/`, each with its source and date in its
 * header): disposable domains (a sub-domain matches its parent), free-mail providers and role local parts.
 */
final class DomainLists {
    private final Set<String> disposable;
    private final Set<String> freeMail;
    private final Set<String> roles;

    DomainLists(Set<String> disposable, Set<String> freeMail, Set<String> roles) {
        this.disposable = Set.copyOf(disposable);
        this.freeMail = Set.copyOf(freeMail);
        this.roles = Set.copyOf(roles);
    }

    /** The shipped lists. */
    static DomainLists shipped() {
        return new DomainLists(
                load("smtp-verify/disposable-domains.txt"),
                load("smtp-verify/free-mail-domains.txt"),
                load("smtp-verify/role-accounts.txt"));
    }

    boolean disposable(String domain) {
        String name = domain;
        while (true) {
            if (disposable.contains(name)) {
                return true;
            }
            int dot = name.indexOf('.');
            if (dot < 0) {
                return false;
            }
            name = name.substring(dot + 1);
        }
    }

    boolean freeMail(String domain) {
        return freeMail.contains(domain);
    }

    /** Whether a local part is a role (`info`, `sales+eu`); a `+tag` and the case are ignored. */
    boolean role(String local) {
        String bare = local.toLowerCase(Locale.ROOT);
        int plus = bare.indexOf('+');
        if (plus > 0) {
            bare = bare.substring(0, plus);
        }
        return roles.contains(bare);
    }

    private static Set<String> load(String resource) {
        InputStream in = DomainLists.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("resource missing: " + resource);
        }
        Set<String> entries = new HashSet<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                String entry = line.trim().toLowerCase(Locale.ROOT);
                if (!entry.isEmpty() && !entry.startsWith("#")) {
                    entries.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return entries;
    }
}
