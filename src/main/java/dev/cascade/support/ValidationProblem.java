package dev.cascade.support;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One entry of a 422 body, in FastAPI/Pydantic shape: `{"type","loc","msg","input"}`. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ValidationProblem(String type, List<Object> loc, String msg, Object input) {}
