package dev.cascade.support;

import java.util.List;

/** A 422 listing every problem found in a request. */
public class ValidationException extends RuntimeException {
    private final List<ValidationProblem> problems;

    public ValidationException(List<ValidationProblem> problems) {
        super("Validation failed", null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<ValidationProblem> problems() {
        return problems;
    }
}
