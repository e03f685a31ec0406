package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gbinlog.protocol.auth.NativePassword;
import io.gbinlog.protocol.packet.Capabilities;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A bare socket speaking just enough of the protocol to send what real clients never would. */
final class RawClient implements AutoCloseable {

    record Packet(int sequenceId, byte[] payload) {

        int header() {
            return payload[0] & 0xFF;
        }

        int errorCode() {
            assertEquals(0xFF, header(), "expected an ERR packet");
            return (payload[1] & 0xFF) | (payload[2] & 0xFF) << 8;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Packet read() throws IOException {
        int length = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
        int sequenceId = in.readUnsignedByte();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Packet(sequenceId, payload);
    }

    void write(int sequenceId, byte[] payload) throws IOException {
        byte[] header = {(byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16), (byte) sequenceId};
        out.write(header);
        out.write(payload);
        out.flush();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends one command (sequence id 0) and returns the first reply packet. */
    Packet command(int command, String argument) throws IOException {
        byte[] text = argument.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[1 + text.length];
        payload[0] = (byte) command;
        System.arraycopy(text, 0, payload, 1, text.length);
        write(0, payload);
        return read();
    }

    /** Reads the greeting and logs in with mysql_native_password; returns the server's verdict. */
    Packet login(String user, String password) throws IOException {
        Packet greeting = read();
        byte[] g = greeting.payload();
        int versionEnd = indexOf(g, 1, (byte) 0);
        int pos = versionEnd + 1 + 4;
        byte[] scramble = new byte[20];
        System.arraycopy(g, pos, scramble, 0, 8);
        pos += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
        System.arraycopy(g, pos, scramble, 8, 12);

        byte[] token = NativePassword.token(password, scramble);
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        int capabilities = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH;
        response.write(new byte[] {(byte) capabilities, (byte) (capabilities >> 8), (byte) (capabilities >> 16), 0});
        response.write(new byte[4]);
        response.write(45);
        response.write(new byte[23]);
        response.write(user.getBytes(StandardCharsets.UTF_8));
        response.write(0);
        response.write(token.length);
        response.write(token);
        response.write(NativePassword.PLUGIN_NAME.getBytes(StandardCharsets.UTF_8));
        response.write(0);
        write(greeting.sequenceId() + 1, response.toByteArray());
        return read();
    }

    /** Whether the server closed the connection (possibly after a last packet, returned if any). */
    Packet readUntilClosed() throws IOException {
        Packet last = null;
        try {
            while (true) {
                last = read();
            }
        } catch (EOFException closed) {
            return last;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection; last packet " + last, e);
        } catch (IOException reset) {
            return last; // a reset is a close too
        }
    }

    private static int indexOf(byte[] bytes, int from, byte value) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        throw new AssertionError("no NUL in " + Arrays.toString(bytes));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
