package dev.cascade.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Follows one workflow's progress stream (§4.5, Server-Sent Events) into a {@link Progress} until its terminal
 * `workflow` event: reconnects with `Last-Event-ID` when the stream ends early or the connection drops, and waits out
 * a 429 (too many open streams).
 */
final class StreamFollower {
    private final Api api;
    private final Progress progress;

    StreamFollower(Api api, Progress progress) {
        this.api = api;
        this.progress = progress;
    }

    void follow(String workflowId) {
        String lastId = null;
        int failures = 0;
        String path = "api/v1/public/enrich/stream?workflow_id=" + Api.q(workflowId);
        while (!progress.terminal(workflowId)) {
            try {
                HttpResponse<InputStream> response =
                        api.open(path, lastId == null ? Map.of() : Map.of("Last-Event-ID", lastId));
                int status = response.statusCode();
                if (status == 204) {
                    // Everything was delivered already: the status endpoint has the final counters.
                    response.body().close();
                    progress.workflow(
                            workflowId, api.get(statusPath(workflowId)).path("workflow"));
                    continue;
                }
                if (status != 200) {
                    String body;
                    try (InputStream in = response.body()) {
                        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    if (status == 429 || status == 503) {
                        Api.pause(retryAfter(response) * 1000);
                        continue;
                    }
                    throw api.failure(new Api.Answer(status, body, Optional.empty()));
                }
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    lastId = read(workflowId, reader, lastId);
                    failures = 0;
                }
            } catch (IOException e) {
                if (++failures > 5) {
                    throw api.unreachable(e);
                }
                Api.pause(1000L * failures);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Exit.Failure(Exit.INTERRUPTED, "interrupted");
            }
        }
    }

    static String statusPath(String workflowId) {
        return "api/v1/public/enrich/status?workflow_id=" + Api.q(workflowId);
    }

    /** Reads events until the stream ends; answers the last event id seen. */
    private String read(String workflowId, BufferedReader reader, String lastId) throws IOException {
        String event = null;
        StringBuilder data = new StringBuilder();
        String id = lastId;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (event != null && !data.isEmpty()) {
                    dispatch(workflowId, event, data.toString());
                }
                event = null;
                data.setLength(0);
                if (progress.terminal(workflowId)) {
                    return id;
                }
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "data" -> {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(value);
                }
                case "id" -> id = value;
                default -> {
                    // retry: and unknown fields
                }
            }
        }
        return id;
    }

    private void dispatch(String workflowId, String event, String data) {
        JsonNode json;
        try {
            json = Api.JSON.readTree(data);
        } catch (IOException e) {
            return;
        }
        if (event.equals("task")) {
            progress.task(workflowId, json);
        } else if (event.equals("workflow")) {
            progress.workflow(workflowId, json);
        }
    }

    private static long retryAfter(HttpResponse<?> response) {
        try {
            return Math.max(
                    1,
                    Math.min(
                            60,
                            Long.parseLong(
                                    response.headers().firstValue("Retry-After").orElse("5"))));
        } catch (NumberFormatException e) {
            return 5;
        }
    }
}
