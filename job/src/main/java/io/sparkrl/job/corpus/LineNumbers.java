package io.sparkrl.job.corpus;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.util.LineReader;

/**
 * The line numbers (from 1) of one input split's lines, for naming a malformed record as
 * {@code file:line}. A split's lines are consecutive, so only the first one's number is needed;
 * for a split that starts inside a file it is found by counting the lines before it, which
 * happens only when the split has a malformed record to name. Lines are counted as Hadoop's
 * TextInputFormat splits them (at \n, \r\n or \r), which for \n and \r\n files is what editors and
 * {@code sed -n} count.
 */
final class LineNumbers {
  private final String file;
  private final long splitStart;
  private final Configuration hadoop;
  private long firstOffset = -1;
  private long firstLine;

  LineNumbers(String file, long splitStart, Configuration hadoop) {
    this.file = file;
    this.splitStart = splitStart;
    this.hadoop = hadoop;
  }

  /** Called with each line's offset, in order; the first call tells where the split's lines start. */
  void seen(long offset) {
    if (firstOffset < 0) {
      firstOffset = offset;
    }
  }

  /** The number of the split's {@code index}-th line (from 0), or -1 when it cannot be counted. */
  long line(long index) {
    if (firstLine == 0) {
      firstLine = splitStart == 0 || firstOffset == 0 ? 1 : count();
    }
    return firstLine < 0 ? -1 : firstLine + index;
  }

  /** 1 + the lines that start before the split's first line; -1 when the file cannot be read. */
  private long count() {
    Path path = new Path(file);
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      LineReader lines = new LineReader(in, hadoop);
      Text ignored = new Text();
      long position = 0;
      long before = 0;
      while (position < firstOffset) {
        int read = lines.readLine(ignored, 0, Integer.MAX_VALUE);
        if (read == 0) {
          return -1;
        }
        position += read;
        before++;
      }
      return position == firstOffset ? before + 1 : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** "FILE:LINE (byte N)", or "FILE at byte N" when the line number is unknown. */
  String where(long index, long offset) {
    long line = line(index);
    return line < 0 ? file + " at byte " + offset : file + ":" + line + " (byte " + offset + ")";
  }
}
