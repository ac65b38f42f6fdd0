package io.sparkrl.job.hf;

import io.sparkrl.hf.HfFolder;
import io.sparkrl.hf.HfOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hugging Face model folder on any Hadoop FileSystem: read (streamed; memory-mapped on the local
 * filesystem) and written.
 */
public final class HadoopHfFolder implements HfFolder, HfOutput {
  private final FileSystem fs;
  private final Path dir;

  public HadoopHfFolder(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  public static HadoopHfFolder at(String uri, Configuration hadoop) throws IOException {
    Path p = new Path(uri);
    return new HadoopHfFolder(p.getFileSystem(hadoop), p);
  }

  public FileSystem fileSystem() {
    return fs;
  }

  public Path path() {
    return dir;
  }

  /** The folder's qualified URI. */
  public String uri() {
    return fs.makeQualified(dir).toString();
  }

  @Override
  public String describe(String name) {
    return fs.makeQualified(new Path(dir, name)).toString();
  }

  @Override
  public boolean exists(String name) throws IOException {
    return fs.isFile(new Path(dir, name));
  }

  @Override
  public long length(String name) throws IOException {
    return fs.getFileStatus(new Path(dir, name)).getLen();
  }

  @Override
  public InputStream open(String name) throws IOException {
    return fs.open(new Path(dir, name));
  }

  @Override
  public java.nio.file.Path localPath(String name) {
    if (fs instanceof LocalFileSystem local) {
      return local.pathToFile(new Path(dir, name)).toPath();
    }
    if (fs instanceof RawLocalFileSystem raw) {
      return raw.pathToFile(new Path(dir, name)).toPath();
    }
    return null;
  }

  @Override
  public OutputStream create(String name) throws IOException {
    // the local filesystem's checksummed streams would leave .crc files in the model folder
    FileSystem target = fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    return target.create(new Path(dir, name), true);
  }
}
