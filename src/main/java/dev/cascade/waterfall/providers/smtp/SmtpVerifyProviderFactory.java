package dev.cascade.waterfall.providers.smtp;

import java.util.ArrayList;
import java.util.List;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.core.Vertx;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds providers of type `smtp-verify`: the built-in verifier that needs no vendor (syntax, DNS, an SMTP probe and
 * catch-all detection), configured under `cascade.providers.<name>.smtp.*`.
 */
@ApplicationScoped
public class SmtpVerifyProviderFactory implements ProviderFactory {
    /** The configuration `type` of the SMTP verifier. */
    public static final String TYPE = "smtp-verify";

    private final Vertx vertx;
    private final DomainLists lists = DomainLists.shipped();
    private final List<SmtpVerifyProvider> built = new ArrayList<>();

    public SmtpVerifyProviderFactory(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public synchronized Provider create(ProviderContext context) {
        SmtpVerifyProvider provider = new SmtpVerifyProvider(context, vertx.getDelegate(), lists);
        built.add(provider);
        return provider;
    }

    @PreDestroy
    synchronized void close() {
        built.forEach(SmtpVerifyProvider::close);
    }
}
