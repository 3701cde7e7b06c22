package io.securerelay.archunit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.securerelay.identity.IdentityKeyPair;
import org.junit.jupiter.api.Test;

/** client-app uses crypto-ejb's and relay-protocol's public API only (issue 18). */
class ClientAppRulesTest {
    private static final JavaClasses CLASSES = ModuleRules.thisModule();

    @Test
    void noOtherModulesInternals() {
        ModuleRules.noOtherModulesInternals(CLASSES).check(CLASSES);
    }

    @Test
    void theClientNeverTakesThePrivateKeyOut() {
        noClasses().should().callMethod(IdentityKeyPair.class, "pkcs8ForKeyFile").check(CLASSES);
    }
}
