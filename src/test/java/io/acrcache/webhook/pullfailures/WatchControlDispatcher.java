package io.acrcache.webhook.pullfailures;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mock API server's CRUD dispatcher, with a hand on its watches: it counts list and watch requests, and can end
 * open watches the way an API server does (closing the connection, or an ERROR event with 410 Gone when the resource
 * version has expired).
 */
final class WatchControlDispatcher extends Dispatcher {
    private static final String GONE = "{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\","
            + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410,"
            + "\"message\":\"too old resource version: 1 (2)\"}}";

    private static final String FORBIDDEN = "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\","
            + "\"reason\":\"Forbidden\",\"code\":403,\"message\":\"events is forbidden: User "
            + "\\\"system:serviceaccount:acw:acr-cache-webhook\\\" cannot list resource \\\"events\\\" in API group \\\"\\\" "
            + "at the cluster scope\"}";

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    private final Set<WebSocket> openWatches = ConcurrentHashMap.newKeySet();
    private static final String WARNING_ONLY = "fieldSelector=type%3DWarning";
    final AtomicInteger eventLists = new AtomicInteger();
    final AtomicBoolean warningSelectorSeen = new AtomicBoolean();
    /** While set, Event requests are refused as without RBAC. */
    final AtomicBoolean forbidden = new AtomicBoolean();

    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger eventWatches = new AtomicInteger();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        boolean events =
                "GET".equals(request.getMethod()) && path.matches("/api/v1/(namespaces/[^/]+/)?events(\\?.*)?");
        if (events && forbidden.get()) {
            refused.incrementAndGet();
            return new MockResponse().setResponseCode(403).setBody(FORBIDDEN);
        }
        if (events && path.contains(WARNING_ONLY)) {
            // the mock filters on unknown field selectors as if no Event had the field; the real
            // API server supports 'type' for Events. Drop it: Normal Events then reach the informer.
            warningSelectorSeen.set(true);
            request = new RecordedRequest(
                    request.getHttpVersion(),
                    request.method(),
                    path.replace(WARNING_ONLY + "&", "")
                            .replace("&" + WARNING_ONLY, "")
                            .replace("?" + WARNING_ONLY, ""),
                    request.getHeaders(),
                    request.getBody());
        }
        MockResponse response = crud.dispatch(request);
        if (events && path.contains("watch=true")) {
            eventWatches.incrementAndGet();
            WebSocketListener listener = response.getWebSocketListener();
            if (listener != null) {
                response.withWebSocketUpgrade(new Tracking(listener));
            }
        } else if (events) {
            eventLists.incrementAndGet();
        }
        return response;
    }

    int openWatches() {
        return openWatches.size();
    }

    /** The server hangs up every watch, as an API server does at the end of its watch timeout. */
    void closeWatches() {
        for (WebSocket ws : openWatches) {
            ws.close(1000, "watch closed by the server");
        }
    }

    /** Every watch is told its resource version is too old, as after etcd compaction. */
    void expireWatches() {
        for (WebSocket ws : openWatches) {
            ws.send(GONE);
            ws.close(1000, "expired");
        }
    }

    @Override
    public void shutdown() {
        crud.shutdown();
    }

    /** Forwards everything to the CRUD watch listener and remembers the socket while it is open. */
    private final class Tracking extends WebSocketListener {
        private final WebSocketListener delegate;

        Tracking(WebSocketListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onBeforeAccept(WebSocket ws, Response response) {
            delegate.onBeforeAccept(ws, response);
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            openWatches.add(ws);
            delegate.onOpen(ws, response);
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            delegate.onMessage(ws, text);
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            delegate.onMessage(ws, bytes);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            delegate.onMessage(ws, bytes);
        }

        @Override
        public void onPing(WebSocket ws, byte[] bytes) {
            delegate.onPing(ws, bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            openWatches.remove(ws);
            delegate.onClosing(ws, code, reason);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            openWatches.remove(ws);
            delegate.onClosed(ws, code, reason);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            openWatches.remove(ws);
            delegate.onFailure(ws, t, response);
        }
    }
}
