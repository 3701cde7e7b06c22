package io.securerelay.archunit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.securerelay.identity.IdentityKeyPair;
import org.junit.jupiter.api.Test;

/** crypto-ejb's seams: the pure protocol apart from the key storage (issue 18). */
class CryptoEjbRulesTest {
    private static final JavaClasses CLASSES = ModuleRules.thisModule();

    @Test
    void thePrimitivesAndTheProtocolArePure() {
        ModuleRules.pure(false, "io.securerelay.crypto..", "io.securerelay.protocol..").check(CLASSES);
    }

    /** The identity model too; a file's name (java.nio.file.Path) may appear in KeyFileException. */
    @Test
    void theIdentityModelIsPure() {
        ModuleRules.pure(true, "io.securerelay.identity..").check(CLASSES);
    }

    @Test
    void noOtherModulesInternals() {
        ModuleRules.noOtherModulesInternals(CLASSES).check(CLASSES);
    }

    @Test
    void onlyTheKeyFileCodecTakesThePrivateKeyOut() {
        noClasses().that().resideOutsideOfPackage("io.securerelay.keystore..")
                .should().callMethod(IdentityKeyPair.class, "pkcs8ForKeyFile")
                .because("the unencrypted private key goes to the key file codec only")
                .check(CLASSES);
    }
}
