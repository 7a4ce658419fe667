package dev.cascade.support;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of a 422 body, in FastAPI/Pydantic shape: `{"type","loc","msg","input"}`. An input that was JSON
 * {@code null} is left out like any null field (§1), never echoed as {@code "input": null}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ValidationProblem(String type, List<Object> loc, String msg, Object input) {

    public ValidationProblem {
        if (input instanceof JsonNode node && (node.isNull() || node.isMissingNode())) {
            input = null;
        }
    }
}
