package io.acrcache.webhook.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the tests find {@code docker-registry}: the system property, else the PATH, else a failure naming both. */
class DistributionRegistryTest {
    @TempDir
    Path dir;

    private Path executable(Path folder, String name) throws Exception {
        Files.createDirectories(folder);
        Path file = Files.writeString(folder.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void foundOnThePathInPathOrder() throws Exception {
        Path first = executable(dir.resolve("a"), "docker-registry");
        executable(dir.resolve("b"), "docker-registry");
        String path = String.join(
                File.pathSeparator,
                dir.resolve("empty").toString(),
                "",
                dir.resolve("a").toString(),
                dir.resolve("b").toString());
        assertEquals(first, DistributionRegistry.locate(null, path));
        assertEquals(first, DistributionRegistry.locate(" ", path), "a blank property is not given");
    }

    @Test
    void thePropertyWinsOverThePath() throws Exception {
        Path named = executable(dir.resolve("elsewhere"), "registry");
        executable(dir.resolve("a"), "docker-registry");
        assertEquals(
                named,
                DistributionRegistry.locate(named.toString(), dir.resolve("a").toString()));
        AssertionError wrong = assertThrows(
                AssertionError.class,
                () -> DistributionRegistry.locate(
                        dir.resolve("nope").toString(), dir.resolve("a").toString()));
        assertTrue(
                wrong.getMessage().startsWith("-Dacw.dockerRegistry=" + dir.resolve("nope") + " is not an executable"),
                wrong.getMessage());
    }

    @Test
    void missingFailsNamingBothWays() throws Exception {
        Files.writeString(Files.createDirectories(dir.resolve("a")).resolve("docker-registry"), "not executable");
        for (String path : new String[] {dir.resolve("a").toString(), null}) {
            AssertionError missing = assertThrows(AssertionError.class, () -> DistributionRegistry.locate(null, path));
            assertTrue(missing.getMessage().contains("no docker-registry on the PATH"), missing.getMessage());
            assertTrue(missing.getMessage().contains("-Dacw.dockerRegistry=/path/to/registry"), missing.getMessage());
            assertTrue(missing.getMessage().contains("apt-get install -y docker-registry"), missing.getMessage());
        }
    }
}
