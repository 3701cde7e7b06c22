package io.securerelay.relay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.AccessibleObject;
import org.junit.jupiter.api.Test;

/**
 * The relay's package seams, enforced: only {@code payara6} reaches into container privates, only
 * {@code tyrus} and {@code payara6} know Tyrus' and Grizzly's classes, and routing and limits are
 * plain Java that a unit test drives without a container.
 */
class RelayPackagesTest {

    private static final JavaClasses RELAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.securerelay.relay");

    @Test
    void onlyTheContainerHooksMakePrivateMembersAccessible() {
        noClasses().that().resideOutsideOfPackage("io.securerelay.relay.payara6..")
                .should().callMethod(AccessibleObject.class, "setAccessible", boolean.class)
                .because("reaching into the container's private members is confined to relay.payara6, "
                        + "version-gated and switchable (relay.container-hooks)")
                .check(RELAY);
    }

    @Test
    void onlyTheTyrusAdaptersAndTheContainerHooksKnowTyrusAndGrizzly() {
        noClasses().that().resideOutsideOfPackages("io.securerelay.relay.tyrus..", "io.securerelay.relay.payara6..")
                .should().dependOnClassesThat().resideInAnyPackage("org.glassfish.tyrus..", "org.glassfish.grizzly..")
                .because("the rest of the relay uses the Jakarta WebSocket and Servlet APIs only")
                .check(RELAY);
    }

    @Test
    void routingAndLimitsNeedNoContainer() {
        noClasses().that().resideInAnyPackage("io.securerelay.relay.routing..", "io.securerelay.relay.limits..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.websocket..", "jakarta.servlet..",
                        "org.glassfish..", "fish.payara..", "com.hazelcast..", "io.securerelay.relay.endpoint..",
                        "io.securerelay.relay.tyrus..", "io.securerelay.relay.payara6..")
                .because("routing and limits are plain Java, driven by unit tests without a container")
                .check(RELAY);
    }
}
