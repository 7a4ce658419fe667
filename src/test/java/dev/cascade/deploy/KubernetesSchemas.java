package dev.cascade.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

/**
 * Offline validation of a rendered Kubernetes object against its schema.
 *
 * <ul>
 *   <li>Built-in kinds and the Prometheus Operator's: the fabric8 object models (kubernetes-model 7.5.2, from the
 *       Quarkus BOM; generated from the Kubernetes 1.33 OpenAPI and the Prometheus Operator CRDs). The object must
 *       bind to its model with every field known: the models keep unknown fields in {@code additionalProperties},
 *       so any such field, anywhere in the tree, is an error (a misspelt or misplaced field), as is a wrong type.
 *   <li>Other CRDs (Strimzi, KEDA, CloudNativePG, External Secrets): the strict JSON schemas in
 *       {@code src/test/resources/k8s-schemas/}, written from each operator's API reference for the version named in
 *       the file, draft 2020-12.
 * </ul>
 *
 * A kind with neither is an error: every object the manifests render is checked.
 */
final class KubernetesSchemas {
    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class));

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private KubernetesSchemas() {}

    /** What is wrong with the object; empty when it validates. */
    static List<String> errors(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        Class<?> model = MODELS.get(apiVersion + "/" + kind);
        if (model != null) {
            return modelErrors(object, model);
        }
        String file = "/k8s-schemas/" + apiVersion.replace('/', '_') + "_" + kind + ".schema.json";
        try (InputStream in = KubernetesSchemas.class.getResourceAsStream(file)) {
            if (in == null) {
                return List.of("no schema for " + apiVersion + " " + kind + " (add a model or " + file + ")");
            }
            Schema schema = SCHEMAS.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
            return schema.validate(object.toString(), InputFormat.JSON).stream()
                    .map(e -> e.getInstanceLocation() + " " + e.getMessage())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> modelErrors(JsonNode object, Class<?> model) {
        Object bound;
        try {
            bound = STRICT.treeToValue(object, model);
        } catch (IOException | IllegalArgumentException e) {
            return List.of("does not bind to " + model.getSimpleName() + ": " + e.getMessage());
        }
        List<String> errors = new ArrayList<>();
        unknownFields(bound, "", errors, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        return errors;
    }

    /** Walks the bound model: every {@code additionalProperties} entry is a field the schema does not have. */
    private static void unknownFields(Object value, String path, List<String> errors, Set<Object> seen) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", errors, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, errors, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String name = getter.getName().substring(3);
            if (name.equals("AdditionalProperties") && child instanceof Map<?, ?> extra) {
                if (!extra.isEmpty()) {
                    errors.add(path + ": unknown field(s) "
                            + Arrays.toString(extra.keySet().toArray()));
                }
                continue;
            }
            unknownFields(child, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), errors, seen);
        }
    }
}
