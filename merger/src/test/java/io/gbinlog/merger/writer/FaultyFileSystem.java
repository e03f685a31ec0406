package io.gbinlog.merger.writer;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The default file system with one injected failure: the N-th operation that changes something (opening a
 * file, writing, forcing, truncating, renaming, deleting, creating a directory) throws an IOException, a write
 * after writing half of its bytes, as a full disk or a failing device would. Forcing does not reach the disk:
 * without a real crash the page cache keeps everything, and skipping the fsyncs keeps a sweep over every
 * operation fast. The code under test runs unchanged on paths from {@link #wrap}.
 */
final class FaultyFileSystem extends FileSystem {
    private final FileSystem real = java.nio.file.FileSystems.getDefault();
    private final Provider provider = new Provider();
    private final long failAt;
    private long operations;
    private IOException injected;

    /** @param failAt the operation (from 1) that fails; 0: none does, only count them */
    FaultyFileSystem(long failAt) {
        this.failAt = failAt;
    }

    Path wrap(Path realPath) {
        return new FaultyPath(realPath);
    }

    /** Operations so far, the failed one included. */
    long operations() {
        return operations;
    }

    /** The failure thrown, or null if the run never reached it. */
    IOException injected() {
        return injected;
    }

    private void operation(String what, Path path) throws IOException {
        if (++operations == failAt) {
            injected = new IOException("injected failure of operation " + failAt + ": " + what + " " + path);
            throw injected;
        }
    }

    private static Path unwrap(Path p) {
        return p instanceof FaultyPath f ? f.real : p;
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return real.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return () -> wrapAll(real.getRootDirectories().iterator());
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return real.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return real.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return wrap(real.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = real.getPathMatcher(syntaxAndPattern);
        return p -> m.matches(unwrap(p));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return real.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException();
    }

    private Iterator<Path> wrapAll(Iterator<Path> paths) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return paths.hasNext();
            }

            @Override
            public Path next() {
                return wrap(paths.next());
            }
        };
    }

    private final class Provider extends FileSystemProvider {
        private FileSystemProvider real() {
            return real.provider();
        }

        @Override
        public String getScheme() {
            return "faulty";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            operation("open " + options, path);
            return new FaultyChannel(real().newFileChannel(unwrap(path), options, attrs), path);
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                                  FileAttribute<?>... attrs) throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
                throws IOException {
            DirectoryStream<Path> stream = real().newDirectoryStream(unwrap(dir), p -> filter.accept(wrap(p)));
            return new DirectoryStream<>() {
                @Override
                public Iterator<Path> iterator() {
                    return wrapAll(stream.iterator());
                }

                @Override
                public void close() throws IOException {
                    stream.close();
                }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            operation("mkdir", dir);
            real().createDirectory(unwrap(dir), attrs);
        }

        @Override
        public void delete(Path path) throws IOException {
            operation("delete", path);
            real().delete(unwrap(path));
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            operation("copy", target);
            real().copy(unwrap(source), unwrap(target), options);
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            operation("rename to", target);
            real().move(unwrap(source), unwrap(target), options);
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            return real().isSameFile(unwrap(path), unwrap(path2));
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            return real().isHidden(unwrap(path));
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            return real().getFileStore(unwrap(path));
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            real().checkAccess(unwrap(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return real().getFileAttributeView(unwrap(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            return real().readAttributes(unwrap(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
                throws IOException {
            return real().readAttributes(unwrap(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
            operation("set attribute", path);
            real().setAttribute(unwrap(path), attribute, value, options);
        }
    }

    /** Counts and fails the channel operations that change the file; reads pass through. */
    private final class FaultyChannel extends FileChannel {
        private final FileChannel ch;
        private final Path path;

        FaultyChannel(FileChannel ch, Path path) {
            this.ch = ch;
            this.path = path;
        }

        /** Writes half of {@code src} and fails, if this write is the one to fail. */
        private void tearIfFailing(ByteBuffer src, long position) throws IOException {
            if (operations + 1 != failAt) {
                operations++;
                return;
            }
            ByteBuffer half = src.duplicate();
            half.limit(half.position() + half.remaining() / 2);
            int written = position < 0 ? ch.write(half) : ch.write(half, position);
            src.position(src.position() + written);
            operation("write", path);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            tearIfFailing(src, -1);
            return ch.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            tearIfFailing(src, position);
            return ch.write(src, position);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            operation("write", path);
            return ch.write(srcs, offset, length);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            operation("truncate", path);
            ch.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            operation("force", path);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            operation("write", path);
            return ch.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("mapping escapes fault injection");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return ch.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return ch.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            ch.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ch.transferTo(position, count, target);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return ch.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return ch.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            ch.close();
        }
    }

    /** A default-file-system path that belongs to this file system, so that every operation on it comes here. */
    private final class FaultyPath implements Path {
        private final Path real;

        FaultyPath(Path real) {
            this.real = real;
        }

        private Path wrapOrNull(Path p) {
            return p == null ? null : wrap(p);
        }

        @Override
        public FileSystem getFileSystem() {
            return FaultyFileSystem.this;
        }

        @Override
        public boolean isAbsolute() {
            return real.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return wrapOrNull(real.getRoot());
        }

        @Override
        public Path getFileName() {
            return wrapOrNull(real.getFileName());
        }

        @Override
        public Path getParent() {
            return wrapOrNull(real.getParent());
        }

        @Override
        public int getNameCount() {
            return real.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return wrap(real.getName(index));
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return wrap(real.subpath(beginIndex, endIndex));
        }

        @Override
        public boolean startsWith(Path other) {
            return real.startsWith(unwrap(other));
        }

        @Override
        public boolean endsWith(Path other) {
            return real.endsWith(unwrap(other));
        }

        @Override
        public Path normalize() {
            return wrap(real.normalize());
        }

        @Override
        public Path resolve(Path other) {
            return wrap(real.resolve(unwrap(other)));
        }

        @Override
        public Path relativize(Path other) {
            return wrap(real.relativize(unwrap(other)));
        }

        @Override
        public URI toUri() {
            return real.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return wrap(real.toAbsolutePath());
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            return wrap(real.toRealPath(options));
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int compareTo(Path other) {
            return real.compareTo(unwrap(other));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FaultyPath p && p.real.equals(real);
        }

        @Override
        public int hashCode() {
            return real.hashCode();
        }

        @Override
        public String toString() {
            return real.toString();
        }
    }
}
