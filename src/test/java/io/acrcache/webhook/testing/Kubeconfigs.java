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

    /** Fabric8 reads this system property before the KUBECONFIG variable. */
    public static final String PROPERTY = "kubeconfig";

    /** Writes a kubeconfig for {@code serverUrl} and points Fabric8 at it until {@link Pointed#close}. */
    public static Pointed use(Path file, String serverUrl) throws IOException {
        return point(write(file, serverUrl));
    }

    /** Points Fabric8 at {@code kubeconfig} (which may not exist) until {@link Pointed#close}. */
    public static Pointed point(Path kubeconfig) {
        Pointed pointed = new Pointed(System.getProperty(PROPERTY));
        System.setProperty(PROPERTY, kubeconfig.toString());
        return pointed;
    }

    /** Restores the property as it was. */
    public static final class Pointed implements AutoCloseable {
        private final String before;

        private Pointed(String before) {
            this.before = before;
        }

        @Override
        public void close() {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }
}
