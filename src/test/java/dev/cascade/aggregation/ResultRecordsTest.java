package dev.cascade.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cascade.support.Json;
import dev.cascade.support.Text;

/**
 * The aggregator's one-pass read of a result record ({@link ResultRecords#parse}) against what reading it as a Jackson
 * tree gave (the way it was read before): the same values and the same stored item, record by record.
 */
class ResultRecordsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();
    private static final ResultRecords RECORDS = new ResultRecords(new Json(MAPPER));

    private static final String TASK = "\"task_id\":\"3f1c2a4e-9b7d-4c1e-8a2f-6d5e4c3b2a19\"";
    private static final String WORKFLOW = "\"workflow_id\":\"public_bulk_7c9e6679-7425-40de-944b-e07fc1f90ae7\"";

    @ParameterizedTest
    @ValueSource(
            strings = {
                // as the waterfall writes them: an item, then the workflow's and the ledger's fields
                "{" + TASK + ",\"status\":\"completed\",\"primary_email\":\"jane@acme.com\",\"email_status\":\"valid\","
                        + "\"personal_phone_numbers\":[{\"number\":\"+14155550100\",\"type\":\"mobile\"}],"
                        + "\"company\":{\"name\":\"Acme\",\"domain\":\"acme.com\",\"size\":120},\"custom\":{\"crm\":\"42\"},"
                        + WORKFLOW
                        + ",\"org_id\":\"8d1c5c1e-0f43-4d43-a2f8-1d2e3f4a5b6c\",\"enrichment_type\":\"full\","
                        + "\"charged_credits\":11.5,\"trace\":[{\"provider\":\"sim-email-a\",\"outcome\":\"found\","
                        + "\"ms\":12}]}",
                "{" + TASK + ",\"status\":\"failed\",\"error\":\"no provider answered\",\"custom\":null," + WORKFLOW
                        + ",\"charged_credits\":0,\"trace\":[]}",
                "{" + TASK + ",\"status\":\"completed\"," + WORKFLOW + ",\"charged_credits\":0.0}",
                // values of other kinds than the waterfall writes
                "{" + TASK + ",\"status\":\"completed\",\"primary_email\":null,\"personal_phone_numbers\":[],"
                        + "\"charged_credits\":\"2.5\",\"trace\":null,\"workflow_id\":null}",
                "{" + TASK + ",\"status\":\"failed\",\"error\":{\"code\":7},\"charged_credits\":true,"
                        + "\"personal_phone_numbers\":\"+14155550100\",\"workflow_id\":17}",
                "{" + TASK + ",\"status\":\"failed\",\"error\":12.50,\"charged_credits\":\" 3 \",\"workflow_id\":[1]}",
                "{" + TASK
                        + ",\"status\":\"failed\",\"error\":\"bad \\u0000 byte \\ud83d\\ude00 \\ud83d\",\"note\":\"é\\n\","
                        + "\"charged_credits\":\"many\",\"nested\":{\"a\":[1,2.25,-0,1e3,{\"b\":null}],\"c\":false}}",
                "{\"status\":\"completed\",\"task_id\":\"not a uuid\",\"charged_credits\":1e400}",
                "{" + TASK + ",\"status\":\"completed\"} trailing text is ignored",
                "{}",
                "{\"task_id\":null,\"status\":null,\"error\":null,\"charged_credits\":null}",
            })
    void readsEveryRecordAsItsTreeWould(String record) throws Exception {
        ResultRecords.Parsed oneByOne = RECORDS.parse(record);
        ResultRecords.Parsed tree = tree(record);
        assertThat(oneByOne.taskId).isEqualTo(tree.taskId);
        assertThat(oneByOne.status).isEqualTo(tree.status);
        assertThat(oneByOne.workflowId).isEqualTo(tree.workflowId);
        assertThat(oneByOne.trace).isEqualTo(tree.trace);
        assertThat(oneByOne.error).isEqualTo(tree.error);
        assertThat(oneByOne.charged).isEqualTo(tree.charged);
        assertThat(oneByOne.hasEmail).isEqualTo(tree.hasEmail);
        assertThat(oneByOne.hasPhones).isEqualTo(tree.hasPhones);
        assertThat(oneByOne.result).isEqualTo(tree.result);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"completed\"", "null", "{\"status\":", "{\"status\" \"completed\"}", ""})
    void refusesWhatIsNotOneJsonObject(String record) {
        assertThatThrownBy(() -> RECORDS.parse(record)).isInstanceOf(Exception.class);
    }

    @Test
    void aBatchSkipsUnreadableRecordsAndKeepsItsColumnsAligned() {
        String first = "{" + TASK + ",\"status\":\"completed\",\"primary_email\":\"a@b.co\"," + WORKFLOW
                + ",\"charged_credits\":1}";
        String second = "{\"task_id\":\"0b7e6a64-5b1f-4c43-9a55-3c1b0c8f2e11\",\"status\":\"failed\","
                + "\"error\":\"x\"," + WORKFLOW + ",\"charged_credits\":0}";
        ResultRecords.Batch batch = RECORDS.toBatch(
                List.of(
                        first,
                        "[not an object]",
                        "{\"status\":\"running\"," + TASK + "}",
                        second,
                        "{" + TASK + ",\"status\":\"completed\",\"charged_credits\":-1}"),
                null);
        assertThat(batch.columns().size()).isEqualTo(9);
        assertThat(batch.columns().getArrayOfStrings(1)).containsExactly("completed", "failed");
        assertThat(batch.columns().getArrayOfBooleans(4)).containsExactly(true, false);
        assertThat(batch.columns().getArrayOfStrings(7)).containsExactly(null, "x");
        assertThat(batch.columns().getArrayOfStrings(2)[0])
                .isEqualTo("{" + TASK + ",\"status\":\"completed\",\"primary_email\":\"a@b.co\"}");
        assertThat(batch.workflowIds()).containsExactly("public_bulk_7c9e6679-7425-40de-944b-e07fc1f90ae7");
    }

    /** How the aggregator read a record before: a tree, then the tree less the workflow's fields written again. */
    private static ResultRecords.Parsed tree(String record) throws Exception {
        JsonNode node = MAPPER.readTree(record);
        ResultRecords.Parsed parsed = new ResultRecords.Parsed();
        parsed.taskId = node.path("task_id").asText();
        parsed.status = node.path("status").asText();
        parsed.trace = node.has("trace") ? node.get("trace").toString() : "[]";
        JsonNode numbers = node.path("personal_phone_numbers");
        parsed.charged = node.path("charged_credits").asDouble(0);
        parsed.hasEmail = node.hasNonNull("primary_email");
        parsed.error =
                node.hasNonNull("error") ? Text.storable(node.get("error").asText()) : null;
        parsed.workflowId = node.path("workflow_id").asText(null);
        ObjectNode item = (ObjectNode) node;
        item.remove(List.of("workflow_id", "org_id", "enrichment_type", "charged_credits", "trace"));
        parsed.result = MAPPER.writeValueAsString(item);
        parsed.hasPhones = numbers.isArray() && !numbers.isEmpty();
        return parsed;
    }
}
