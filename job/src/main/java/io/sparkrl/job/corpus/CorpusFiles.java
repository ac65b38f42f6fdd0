package io.sparkrl.job.corpus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files of a corpus path, listed on the driver: a file, a directory (its files; hidden ones,
 * named {@code _*} or {@code .*}, are left out as Hadoop does), or a glob of either. Empty files
 * hold no records and are left out. The files come in name order, which fixes the records' ids.
 */
public final class CorpusFiles {
  private CorpusFiles() {}

  /** The non-empty files, fully qualified, sorted by name. */
  public static List<String> list(String uri, Configuration hadoop) {
    try {
      Path path = new Path(uri);
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new CorpusException("corpus path " + uri + " does not exist (resolved to "
            + fs.makeQualified(path) + ")");
      }
      boolean glob = uri.matches(".*[*?\\[{].*");
      TreeSet<String> files = new TreeSet<>();
      for (FileStatus m : matches) {
        if (m.isDirectory()) {
          for (FileStatus child : fs.listStatus(m.getPath())) {
            if (hidden(child.getPath())) {
              continue;
            }
            if (child.isDirectory()) {
              throw new CorpusException("corpus directory " + m.getPath() + " holds the directory "
                  + child.getPath().getName() + "; give its files with a glob, e.g. "
                  + m.getPath() + "/*/*");
            }
            add(child, files);
          }
        } else if (!(glob && hidden(m.getPath()))) {
          add(m, files);
        }
      }
      if (files.isEmpty()) {
        throw new CorpusException("corpus path " + uri + " holds no data (no non-empty, "
            + "non-hidden file)");
      }
      return new ArrayList<>(files);
    } catch (IOException e) {
      throw new CorpusException("cannot list corpus path " + uri + ": " + e.getMessage(), e);
    }
  }

  private static void add(FileStatus file, TreeSet<String> files) {
    if (file.getLen() > 0) {
      files.add(file.getPath().toString());
    }
  }

  private static boolean hidden(Path p) {
    return p.getName().startsWith("_") || p.getName().startsWith(".");
  }
}
