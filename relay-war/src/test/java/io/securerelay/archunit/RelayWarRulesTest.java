package io.securerelay.archunit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/** The relay gets only what it uses (issue 18): of the project's other modules, the relay wire codec. */
class RelayWarRulesTest {
    private static final JavaClasses CLASSES = ModuleRules.thisModule();

    @Test
    void theRelayUsesOnlyTheRelayProtocolOfTheProjectsModules() {
        DescribedPredicate<JavaClass> allowed = DescribedPredicate.describe(
                "are the relay's own (io.securerelay.relay..), the relay protocol (io.securerelay.protocol.relay),"
                        + " or not the project's",
                c -> !c.getPackageName().startsWith("io.securerelay.")
                        || c.getPackageName().equals("io.securerelay.relay") || c.getPackageName().startsWith("io.securerelay.relay.")
                        || c.getPackageName().equals("io.securerelay.protocol.relay"));
        classes().should().onlyDependOnClassesThat(allowed)
                .because("relay.war ships relay-protocol, not crypto-ejb (the end-to-end protocol is the clients')")
                .check(CLASSES);
    }

    @Test
    void noOtherModulesInternals() {
        ModuleRules.noOtherModulesInternals(CLASSES).check(CLASSES);
    }
}
