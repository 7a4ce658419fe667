package dev.cascade.api;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.CreditBalance;
import dev.cascade.accounts.CreditEntry;
import dev.cascade.accounts.CreditLedger;
import dev.cascade.api.doc.AdminDoc;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.Text;
import dev.cascade.support.Times;
import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;

/**
 * Operator API (§9): an organisation's credits. Top-ups and adjustments are ledger rows written with the balance they
 * move; the ledger is read oldest first with a cursor.
 */
@Path("/api/v1/admin/organizations/{id}/credits")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
public class AdminCreditsResource {
    private static final int MAX_BODY = 16 * 1024;
    private static final BigDecimal MAX_AMOUNT = new BigDecimal("999999999999.99");
    private static final String NOT_FOUND = "Organization not found";

    private final CreditLedger ledger;
    private final ObjectMapper mapper;

    public AdminCreditsResource(CreditLedger ledger, ObjectMapper mapper) {
        this.ledger = ledger;
        this.mapper = mapper;
    }

    /** An organisation's credits: balance, open holds, and what is available now (the ledger's sum). */
    public record BalanceView(UUID organizationId, BigDecimal balance, BigDecimal held, BigDecimal available) {
        static BalanceView of(CreditBalance balance) {
            return new BalanceView(balance.organizationId(), balance.balance(), balance.held(), balance.available());
        }
    }

    /** A ledger row as the operator reads it. */
    public record EntryView(
            String entryId,
            String kind,
            BigDecimal amount,
            String workflowId,
            UUID taskId,
            String reason,
            String createdAt) {
        static EntryView of(CreditEntry entry) {
            return new EntryView(
                    Long.toString(entry.id()),
                    entry.kind(),
                    entry.amount(),
                    entry.workflowId(),
                    entry.taskId(),
                    entry.reason(),
                    Times.format(entry.createdAt()));
        }
    }

    /** One page of the ledger; {@code nextCursor} is absent on the last page. */
    public record LedgerPage(UUID organizationId, List<EntryView> entries, String nextCursor) {}

    @GET
    @Operation(
            operationId = "getOrganizationCredits",
            summary = "An organisation's balance, open holds and available credits")
    @APIResponseSchema(value = BalanceView.class, responseDescription = "The organisation's credits")
    @APIResponse(responseCode = "404", description = "Organization not found")
    public Uni<BalanceView> balance(@PathParam("id") String id) {
        return ledger.balance(orgId(id)).map(balance -> {
            if (balance == null) {
                throw new ApiException(404, NOT_FOUND);
            }
            return BalanceView.of(balance);
        });
    }

    @POST
    @Path("/top-ups")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "topUpCredits", summary = "Add credits (a top_up row of the ledger)")
    @RequestBody(content = @Content(schema = @Schema(implementation = AdminDoc.CreditChange.class)))
    @APIResponseSchema(value = BalanceView.class, responseCode = "201", responseDescription = "The credits after it")
    @APIResponse(responseCode = "404", description = "Organization not found")
    @APIResponse(responseCode = "422", description = "A bad amount or reason")
    public Uni<Response> topUp(@PathParam("id") String id, byte[] body) {
        UUID org = orgId(id);
        JsonNode json = JsonBodies.parse(mapper, body, MAX_BODY);
        BigDecimal amount = amount(json);
        if (amount.signum() <= 0) {
            throw invalid("amount", "amount of a top-up must be above 0", json.get("amount"));
        }
        String reason = reason(json, false);
        return ledger.topUp(org, amount, reason).chain(outcome -> answer(org, outcome));
    }

    @POST
    @Path("/adjustments")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "adjustCredits",
            summary = "Correct the balance up or down, with a reason (an adjustment row of the ledger)")
    @RequestBody(content = @Content(schema = @Schema(implementation = AdminDoc.CreditChange.class)))
    @APIResponseSchema(value = BalanceView.class, responseCode = "201", responseDescription = "The credits after it")
    @APIResponse(responseCode = "404", description = "Organization not found")
    @APIResponse(responseCode = "409", description = "It would leave less than the organisation's open holds")
    @APIResponse(responseCode = "422", description = "A bad amount or a missing reason")
    public Uni<Response> adjust(@PathParam("id") String id, byte[] body) {
        UUID org = orgId(id);
        JsonNode json = JsonBodies.parse(mapper, body, MAX_BODY);
        BigDecimal amount = amount(json);
        if (amount.signum() == 0) {
            throw invalid("amount", "amount of an adjustment must not be 0", json.get("amount"));
        }
        String reason = reason(json, true);
        return ledger.adjust(org, amount, reason).chain(outcome -> answer(org, outcome));
    }

    private Uni<Response> answer(UUID org, CreditLedger.Adjustment outcome) {
        return switch (outcome) {
            case NO_ORGANIZATION -> Uni.createFrom().failure(new ApiException(404, NOT_FOUND));
            case OVERDRAWN ->
                Uni.createFrom()
                        .failure(new ApiException(
                                409, "Adjustment refused: it would leave less than the organization's open holds"));
            case TOO_LARGE ->
                Uni.createFrom()
                        .failure(invalid(
                                "amount",
                                "amount would take the balance past " + CreditLedger.MAX_BALANCE.toPlainString(),
                                null));
            case DONE ->
                ledger.balance(org)
                        .map(balance -> Response.status(201)
                                .entity(BalanceView.of(balance))
                                .build());
        };
    }

    @GET
    @Path("/ledger")
    @Operation(operationId = "listLedgerEntries", summary = "The organisation's ledger, oldest first, cursor-paginated")
    @Parameter(
            name = "limit",
            in = ParameterIn.QUERY,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100"))
    @APIResponseSchema(value = LedgerPage.class, responseDescription = "One page of ledger rows")
    @APIResponse(responseCode = "400", description = "A bad limit or cursor")
    @APIResponse(responseCode = "404", description = "Organization not found")
    public Uni<LedgerPage> entries(
            @PathParam("id") String id, @QueryParam("limit") String limitParam, @QueryParam("cursor") String cursor) {
        UUID org = orgId(id);
        int limit = Cursors.limit(limitParam, 100, 1000);
        long after = after(cursor);
        return ledger.balance(org)
                .chain(balance -> {
                    if (balance == null) {
                        throw new ApiException(404, NOT_FOUND);
                    }
                    return ledger.entries(org, after, limit + 1);
                })
                .map(entries -> {
                    boolean more = entries.size() > limit;
                    List<CreditEntry> page = more ? entries.subList(0, limit) : entries;
                    String next = more
                            ? Cursors.encode("l:" + page.get(page.size() - 1).id())
                            : null;
                    return new LedgerPage(org, page.stream().map(EntryView::of).toList(), next);
                });
    }

    private static long after(String cursor) {
        String position = Cursors.decode(cursor);
        if (position == null) {
            return 0;
        }
        if (!position.startsWith("l:")) {
            throw new ApiException(400, Cursors.INVALID);
        }
        try {
            long id = Long.parseLong(position.substring(2));
            if (id < 0) {
                throw new ApiException(400, Cursors.INVALID);
            }
            return id;
        } catch (NumberFormatException e) {
            throw new ApiException(400, Cursors.INVALID);
        }
    }

    private static BigDecimal amount(JsonNode json) {
        JsonNode node = json.path("amount");
        if (!node.isNumber()
                || !Double.isFinite(node.asDouble())
                || node.decimalValue().abs().compareTo(MAX_AMOUNT) > 0
                || node.decimalValue().stripTrailingZeros().scale() > 2) {
            throw invalid("amount", "amount must be a number of at most 999999999999.99 with at most 2 decimals", node);
        }
        return node.decimalValue();
    }

    private static String reason(JsonNode json, boolean required) {
        JsonNode node = json.path("reason");
        if (node.isMissingNode() || node.isNull()) {
            if (required) {
                throw invalid("reason", "reason is required for an adjustment", null);
            }
            return null;
        }
        String reason = node.isTextual() ? node.asText().trim() : "";
        if (reason.isEmpty() || reason.length() > 500 || Text.hasControl(reason)) {
            throw invalid("reason", "reason must be 1 to 500 characters, without control characters", node);
        }
        return reason;
    }

    private static UUID orgId(String id) {
        UUID org = Ids.parseUuid(id);
        if (org == null) {
            throw new ApiException(404, NOT_FOUND);
        }
        return org;
    }

    private static ValidationException invalid(String field, String msg, JsonNode input) {
        return new ValidationException(
                List.of(new ValidationProblem("value_error", List.of("body", field), msg, input)));
    }
}
