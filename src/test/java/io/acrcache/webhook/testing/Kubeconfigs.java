package io.acrcache.webhook.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Kubeconfig files for tests that point the webhook at Fabric8's mock API server. */
public final class Kubeconfigs {
    private Kubeconfigs() {}

    /** Writes {@code file}: one cluster at {@code serverUrl}, a token the mock server does not check. */
    public static Path write(Path file, String serverUrl) throws IOException {
        return Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                users:
                - name: dev
                  user: {token: not-checked}
                contexts:
                - name: mock
                  context: {cluster: mock, user: dev, namespace: default}
                current-context: mock
                """.formatted(serverUrl));
    }
}
