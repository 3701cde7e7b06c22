package io.securerelay.archunit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The project's seams as ArchUnit rules, shared by the modules' tests (relay-protocol's test-jar).
 * Each module checks its own main classes ({@link #thisModule()}: {@code target/classes}).
 */
public final class ModuleRules {
    private ModuleRules() {
    }

    /** @return the main classes of the module whose tests run (surefire's working directory is the module). */
    public static JavaClasses thisModule() {
        Path classes = Path.of("target", "classes");
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException("no " + classes.toAbsolutePath() + ": run the tests from the module");
        }
        return new ClassFileImporter().importPath(classes);
    }

    /**
     * No class of {@code own} uses an {@code ..internal..} package that is not its own module's:
     * another module's internal classes are not API.
     */
    public static ArchRule noOtherModulesInternals(JavaClasses own) {
        Set<String> ownPackages = own.stream().map(JavaClass::getPackageName).collect(Collectors.toSet());
        DescribedPredicate<JavaClass> othersInternal = DescribedPredicate.describe(
                "are in another module's ..internal.. package",
                c -> c.getPackageName().startsWith("io.securerelay.")
                        && (c.getPackageName().endsWith(".internal") || c.getPackageName().contains(".internal."))
                        && !ownPackages.contains(c.getPackageName()));
        return noClasses().should().dependOnClassesThat(othersInternal)
                .because("an internal package is its module's own (issue 18: client-app used identity.internal.AtomicFiles)");
    }

    /**
     * The pure protocol: the classes in {@code packages} do no file or network I/O and read no
     * system property or environment variable (no user.home), and know nothing of the key storage.
     * {@code java.nio.file.Path} is allowed only where {@code allowPathValues} (a file's name in an
     * exception, no I/O).
     */
    public static ArchRule pure(boolean allowPathValues, String... packages) {
        DescribedPredicate<JavaClass> io = DescribedPredicate.describe(
                "do file or network I/O (java.io.File*, java.nio.file, java.nio.channels, java.net) or are the"
                        + " key storage (io.securerelay.keystore)",
                c -> c.getName().startsWith("java.io.File")
                        || (c.getPackageName().startsWith("java.nio.file")
                                && !(allowPathValues && c.getName().equals("java.nio.file.Path")))
                        || c.getPackageName().startsWith("java.nio.channels")
                        || c.getPackageName().equals("java.net") || c.getPackageName().startsWith("java.net.")
                        || c.getPackageName().equals("io.securerelay.keystore")
                        || c.getPackageName().startsWith("io.securerelay.keystore."));
        return noClasses().that().resideInAnyPackage(packages)
                .should().dependOnClassesThat(io)
                .orShould().callMethod(System.class, "getProperty", String.class)
                .orShould().callMethod(System.class, "getProperty", String.class, String.class)
                .orShould().callMethod(System.class, "getenv", String.class)
                .orShould().callMethod(System.class, "getenv")
                .because("the protocol is a pure state machine: bytes in, bytes out (STYLE.md; issue 18)");
    }
}
