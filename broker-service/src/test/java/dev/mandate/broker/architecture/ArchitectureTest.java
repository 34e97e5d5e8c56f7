package dev.mandate.broker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** STYLE.md: the module rules, checked on every build. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.mandate");
    }

    @Test
    @DisplayName("scope-catalog, token-exchange and token-validator (outside its optional .spring package) are plain Java: no Spring, no servlet, no JPA, no broker")
    void librariesArePlainJava() {
        noClasses().that().resideInAnyPackage("dev.mandate.catalog..", "dev.mandate.exchange..", "dev.mandate.validator")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.servlet..",
                        "jakarta.persistence..", "org.hibernate..", "dev.mandate.broker..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    @DisplayName("scope-catalog does not depend on token-exchange")
    void catalogBelowExchange() {
        noClasses().that().resideInAPackage("dev.mandate.catalog..")
                .should().dependOnClassesThat().resideInAPackage("dev.mandate.exchange..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    @DisplayName("broker feature packages have no dependency cycles")
    void featuresFreeOfCycles() {
        slices().matching("dev.mandate.broker.(*)..").should().beFreeOfCycles().check(classes);
    }
}
