package dev.cascade.cli;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Operator commands (`/api/v1/admin`, §9), with the operator token. */
@Command(
        name = "admin",
        description = "Operator commands (need the operator token).",
        subcommands = {
            AdminCommands.Orgs.class,
            AdminCommands.Keys.class,
            AdminCommands.TopUp.class,
            AdminCommands.Providers.class
        })
final class AdminCommands implements Runnable {
    private static final String ORGS = "api/v1/admin/organizations";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "Missing subcommand: orgs, keys, topup or providers");
    }

    @Command(
            name = "orgs",
            description = "List organisations; `orgs create NAME` creates one.",
            subcommands = CreateOrg.class)
    static final class Orgs extends Base {
        @Override
        int execute() {
            JsonNode answer = admin().get(ORGS);
            if (ctx.json) {
                printJson(answer);
                return Exit.OK;
            }
            println(String.format("%-36s  %14s  %14s  %s", "ID", "CREDITS", "AVAILABLE", "NAME"));
            for (JsonNode org : answer.path("organizations")) {
                println(String.format(
                        "%-36s  %14s  %14s  %s",
                        text(org, "id"), text(org, "credits"), text(org, "credits_available"), text(org, "name")));
            }
            return Exit.OK;
        }
    }

    @Command(name = "create", description = "Create an organisation.")
    static final class CreateOrg extends Base {
        @Parameters(paramLabel = "NAME", description = "Its name.")
        String name;

        @Option(names = "--credits", paramLabel = "N", description = "Opening credits (default 0).")
        BigDecimal credits;

        @Override
        int execute() {
            ObjectNode body = Api.JSON.createObjectNode().put("name", name);
            if (credits != null) {
                body.put("credits", credits);
            }
            JsonNode org = admin().post(ORGS, body);
            if (ctx.json) {
                printJson(org);
            } else {
                println("created organisation " + text(org, "id") + " (" + text(org, "name") + ", "
                        + text(org, "credits") + " credits)");
            }
            return Exit.OK;
        }
    }

    @Command(
            name = "keys",
            description = "List an organisation's API keys (last 4 characters only); `keys create|revoke`.",
            subcommands = {CreateKey.class, RevokeKey.class})
    static final class Keys extends Base {
        @Parameters(arity = "0..1", paramLabel = "ORG", description = "The organisation id.")
        String org;

        @Override
        int execute() {
            if (org == null) {
                throw new Exit.Failure(Exit.USAGE, "keys needs the organisation id: cascade admin keys ORG");
            }
            JsonNode answer = admin().get(ORGS + "/" + Api.q(org) + "/api-keys");
            if (ctx.json) {
                printJson(answer);
                return Exit.OK;
            }
            println(String.format("%-36s  %-8s  %-6s  %-20s  %s", "ID", "STATUS", "LAST4", "CREATED", "NAME"));
            for (JsonNode key : answer.path("api_keys")) {
                println(String.format(
                        "%-36s  %-8s  %-6s  %-20s  %s",
                        text(key, "id"),
                        text(key, "status"),
                        text(key, "last4"),
                        text(key, "created_at"),
                        text(key, "name")));
            }
            return Exit.OK;
        }
    }

    @Command(name = "create", description = "Create an API key; its secret is printed this once.")
    static final class CreateKey extends Base {
        @Parameters(paramLabel = "ORG", description = "The organisation id.")
        String org;

        @Option(names = "--name", paramLabel = "NAME", description = "A name for the key.")
        String name;

        @Option(
                names = "--expires-at",
                paramLabel = "TIME",
                description = "ISO-8601 expiry, e.g. 2027-01-01T00:00:00Z.")
        String expiresAt;

        @Override
        int execute() {
            ObjectNode body = Api.JSON.createObjectNode();
            if (name != null) {
                body.put("name", name);
            }
            if (expiresAt != null) {
                body.put("expires_at", expiresAt);
            }
            JsonNode key = admin().post(ORGS + "/" + Api.q(org) + "/api-keys", body);
            if (ctx.json) {
                printJson(key);
            } else {
                // The one place a secret is printed: the gateway shows a new key once, and this is that once.
                ctx.out.println("created key " + text(key, "id") + " (last 4: " + text(key, "last4") + ")");
                ctx.out.println("secret (shown once, store it now): " + text(key, "key"));
            }
            return Exit.OK;
        }
    }

    @Command(name = "revoke", description = "Revoke an API key.")
    static final class RevokeKey extends Base {
        @Parameters(index = "0", paramLabel = "ORG", description = "The organisation id.")
        String org;

        @Parameters(index = "1", paramLabel = "KEY", description = "The key id.")
        String key;

        @Override
        int execute() {
            admin().delete(ORGS + "/" + Api.q(org) + "/api-keys/" + Api.q(key));
            if (ctx.json) {
                printJson(Api.JSON.createObjectNode().put("key_id", key).put("status", "revoked"));
            } else {
                println("revoked key " + key);
            }
            return Exit.OK;
        }
    }

    @Command(name = "topup", description = "Add credits to an organisation (a top_up row of the ledger).")
    static final class TopUp extends Base {
        @Parameters(index = "0", paramLabel = "ORG", description = "The organisation id.")
        String org;

        @Parameters(index = "1", paramLabel = "AMOUNT", description = "Credits to add (> 0, at most 2 decimals).")
        BigDecimal amount;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the ledger).")
        String reason;

        @Override
        int execute() {
            ObjectNode body = Api.JSON.createObjectNode().put("amount", amount);
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode balance = admin().post(ORGS + "/" + Api.q(org) + "/credits/top-ups", body);
            if (ctx.json) {
                printJson(balance);
            } else {
                println("balance " + text(balance, "balance") + ", held " + text(balance, "held") + ", available "
                        + text(balance, "available"));
            }
            return Exit.OK;
        }
    }

    @Command(
            name = "providers",
            description = "List providers with circuit state and counters; `providers reset NAME` closes a circuit.",
            subcommands = ResetProvider.class)
    static final class Providers extends Base {
        @Override
        int execute() {
            JsonNode answer = admin().get("api/v1/admin/providers");
            if (ctx.json) {
                printJson(answer);
                return Exit.OK;
            }
            println(String.format(
                    "%-16s  %-8s  %-10s  %-22s  %8s  %8s  %8s",
                    "NAME", "ENABLED", "CIRCUIT", "CAPABILITIES", "HIT", "MISS", "ERROR"));
            for (JsonNode p : answer.path("providers")) {
                JsonNode c = p.path("counters");
                println(String.format(
                        "%-16s  %-8s  %-10s  %-22s  %8d  %8d  %8d",
                        text(p, "name"),
                        p.path("enabled").asBoolean() ? "yes" : "no",
                        text(p, "circuit_state"),
                        String.join(",", WorkflowCommands.strings(p.path("capabilities"))),
                        c.path("hit").asLong(),
                        c.path("miss").asLong(),
                        c.path("error").asLong()));
            }
            return Exit.OK;
        }
    }

    @Command(name = "reset", description = "Close a provider's circuit breaker.")
    static final class ResetProvider extends Base {
        @Parameters(paramLabel = "NAME", description = "The provider name.")
        String name;

        @Override
        int execute() {
            JsonNode answer = admin().post("api/v1/admin/providers/" + Api.q(name) + "/circuit/reset", null);
            if (ctx.json) {
                printJson(answer);
            } else {
                println("circuit of " + name + " reset");
            }
            return Exit.OK;
        }
    }
}
