package io.securerelay.archunit;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/** relay-protocol's own rules: everything in it is pure, and it uses no other module's internals. */
class RelayProtocolRulesTest {
    private static final JavaClasses CLASSES = ModuleRules.thisModule();

    @Test
    void theRelayProtocolIsPure() {
        ModuleRules.pure(false, "io.securerelay.protocol.relay..", "io.securerelay.crypto.ec..").check(CLASSES);
    }

    @Test
    void noOtherModulesInternals() {
        ModuleRules.noOtherModulesInternals(CLASSES).check(CLASSES);
    }
}
