package io.acrcache.webhook.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Serves one already-loaded certificate and key to the TLS engine. Vert.x would otherwise turn the PEM key into an
 * in-memory PKCS#12 store, which JDK 17 protects with 10,000 PBKDF2 iterations: about 0.3 s of start-up (and of each
 * reload) spent on a key that is already in memory.
 */
final class MaterialKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "webhook";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    MaterialKeyManager(TlsMaterial material) {
        this.chain = material.chain().toArray(new X509Certificate[0]);
        this.key = material.key();
    }

    private String aliasFor(String keyType) {
        String algorithm = key.getAlgorithm();
        boolean fits = keyType == null
                || keyType.equalsIgnoreCase(algorithm)
                || ("EC".equals(algorithm) && keyType.startsWith("EC"))
                || ("RSA".equals(algorithm) && (keyType.equals("RSASSA-PSS") || keyType.startsWith("RSA")));
        return fits ? ALIAS : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
