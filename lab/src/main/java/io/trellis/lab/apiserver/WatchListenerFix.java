package io.trellis.lab.apiserver;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;

/**
 * Wraps the mock's watch listener to fix two concurrency bugs of fabric8 8.0.0 (see
 * shared/recipes/k8s-api-standin.md): its onClosed/onFailure wait on the HTTP event loop for work that
 * needs that same loop, so they run here on another thread; and it shuts its executor down before it
 * unregisters itself, so a concurrent write fails with RejectedExecutionException and never gets a
 * response, so the listener is unregistered first. Optionally wraps the WebSocket the listener sends on
 * (the spec.nodeName field selector filter).
 */
final class WatchListenerFix extends WebSocketListener {
    private final WebSocketListener delegate;
    private final Set<?> registeredListeners;
    private final ExecutorService closer;
    private final UnaryOperator<WebSocket> socketWrapper;

    WatchListenerFix(WebSocketListener delegate, Set<?> registeredListeners, ExecutorService closer,
                     UnaryOperator<WebSocket> socketWrapper) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registeredListeners = Objects.requireNonNull(registeredListeners, "registeredListeners");
        this.closer = Objects.requireNonNull(closer, "closer");
        this.socketWrapper = Objects.requireNonNull(socketWrapper, "socketWrapper");
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
        delegate.onBeforeAccept(socketWrapper.apply(webSocket), response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        delegate.onOpen(socketWrapper.apply(webSocket), response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
        delegate.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        registeredListeners.remove(delegate);
        delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        registeredListeners.remove(delegate);
        closer.execute(() -> delegate.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        registeredListeners.remove(delegate);
        closer.execute(() -> delegate.onFailure(webSocket, t, response));
    }
}
