package dev.cascade.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the common options, the run's streams and environment, and JSON output. */
abstract class Base implements Callable<Integer> {
    @Mixin
    Common common;

    @Spec
    CommandSpec spec;

    Cascade ctx;
    Common.Settings settings;

    @Override
    public final Integer call() {
        ctx = (Cascade) spec.root().userObject();
        ctx.json |= common.json;
        settings = common.resolve(ctx.env);
        ctx.secret(settings.apiKey());
        ctx.secret(settings.operatorToken());
        return execute();
    }

    abstract int execute();

    /** The public API with the API key. */
    Api api() {
        return new Api(settings.url(), settings.apiKey(), "API key");
    }

    /** The operator API with the operator token. */
    Api admin() {
        return new Api(settings.url(), settings.operatorToken(), "operator token");
    }

    void printJson(JsonNode node) {
        try {
            ctx.out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new Exit.Failure(Exit.INTERNAL, "output cannot be written");
        }
    }

    void println(String line) {
        ctx.out.println(ctx.redact(line));
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }
}
