package io.gbinlog.integration.collector;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a data node that cuts every connection through it once the data node has sent a
 * chosen number of bytes: a network failure at a precise point of the replication stream, in the middle of
 * an event or of an event group, which a KILL on the server side cannot aim at.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> open = new ArrayList<>();
    private final AtomicLong fromServer = new AtomicLong();
    private volatile long cutAt = Long.MAX_VALUE;
    private final AtomicLong cuts = new AtomicLong();
    private final Thread acceptor;

    CuttingProxy(String targetHost, int targetPort) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.acceptor = new Thread(this::accept, "cutting-proxy");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Bytes the data node sent through the proxy so far. */
    long bytesFromServer() {
        return fromServer.get();
    }

    /** Cut every connection once the data node has sent {@code more} further bytes. */
    void cutAfter(long more) {
        cutAt = fromServer.get() + more;
    }

    long cuts() {
        return cuts.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                synchronized (open) {
                    open.add(client);
                    open.add(server);
                }
                pump(server, client, true);
                pump(client, server, false);
            } catch (IOException e) {
                // closed, or the data node is down: the client sees its connection fail
            }
        }
    }

    private void pump(Socket from, Socket to, boolean countIt) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    int limit = buf.length;
                    if (countIt) {
                        long left = cutAt - fromServer.get();
                        if (left <= 0) {
                            cutAll();
                            return;
                        }
                        limit = (int) Math.min(limit, left);
                    }
                    int n = in.read(buf, 0, limit);
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    if (countIt) {
                        fromServer.addAndGet(n);
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                close(from);
                close(to);
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void cutAll() {
        cutAt = Long.MAX_VALUE;
        cuts.incrementAndGet();
        synchronized (open) {
            open.forEach(CuttingProxy::close);
            open.clear();
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (open) {
            open.forEach(CuttingProxy::close);
            open.clear();
        }
    }
}
