package dev.cascade;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Cross-feature rules of the conventions, checked on the compiled classes. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cascade");

    @Test
    void theHttpEdgeNeverTouchesTheDatabaseDirectly() {
        noClasses()
                .that()
                .resideInAPackage("dev.cascade.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.vertx.mutiny.sqlclient..", "io.vertx.sqlclient..", "io.quarkus.hibernate..")
                .check(CLASSES);
    }

    @Test
    void nothingButTheEdgeDependsOnTheEdge() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.cascade.api..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.cascade.api..")
                .check(CLASSES);
    }

    @Test
    void providersDoNotKnowAboutKafkaOrTheDatabase() {
        noClasses()
                .that()
                .resideInAPackage("dev.cascade.waterfall.providers..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.vertx.mutiny.sqlclient..", "org.apache.kafka..", "io.smallrye.reactive.messaging..")
                .check(CLASSES);
    }

    @Test
    void theEventContractDependsOnNoFeature() {
        noClasses()
                .that()
                .resideInAPackage("dev.cascade.events..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cascade.intake..",
                        "dev.cascade.waterfall..",
                        "dev.cascade.aggregation..",
                        "dev.cascade.webhooks..",
                        "dev.cascade.accounts..",
                        "dev.cascade.leads..")
                .check(CLASSES);
    }

    /** The CLI is packaged on its own (target/cascade-cli.jar): plain Java, Jackson and picocli, nothing of the app. */
    @Test
    void theCliStandsAlone() {
        classes()
                .that()
                .resideInAPackage("dev.cascade.cli..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "com.fasterxml.jackson..", "picocli..", "dev.cascade.cli..")
                .check(CLASSES);
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.cascade.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.cascade.cli..")
                .check(CLASSES);
    }
}
