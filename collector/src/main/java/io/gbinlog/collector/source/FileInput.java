package io.gbinlog.collector.source;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A binlog file as the connector's reader takes it: buffered, for one thread. The connector reads most fields a byte
 * at a time, and {@link java.io.BufferedInputStream}, its default, takes a lock for every byte.
 */
final class FileInput extends InputStream {

    private static final int BUFFER = 256 * 1024;

    private final FileInputStream file;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;

    FileInput(Path path) throws IOException {
        this.file = new FileInputStream(path.toFile());
    }

    @Override
    public int read() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position == limit && !fill()) {
            return -1;
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(buffer, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        long buffered = Math.min(n, limit - position);
        position += (int) buffered;
        return buffered < n ? buffered + file.skip(n - buffered) : buffered;
    }

    @Override
    public int available() throws IOException {
        return limit - position + file.available();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** False at the end of the file. */
    private boolean fill() throws IOException {
        int n = file.read(buffer);
        position = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }
}
