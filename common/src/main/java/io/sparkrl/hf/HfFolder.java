package io.sparkrl.hf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of a Hugging Face model folder, by name ({@code config.json}, {@code model.safetensors},
 * ...), wherever the folder is: this module knows no filesystem but the local one; the job passes
 * one backed by a Hadoop FileSystem (HDFS, object stores).
 */
public interface HfFolder {
  /** The file's full name for messages (a URI or path). */
  String describe(String name);

  boolean exists(String name) throws IOException;

  /** The file's length in bytes (validates safetensors against the header before reading). */
  long length(String name) throws IOException;

  InputStream open(String name) throws IOException;

  /**
   * The file as a local path, when it is one: safetensors are then memory-mapped tensor by tensor
   * instead of streamed. Null (the default) streams.
   */
  default Path localPath(String name) {
    return null;
  }

  /** A folder on the local filesystem (memory-mapped reads). */
  static HfFolder local(Path dir) {
    return new HfFolder() {
      @Override
      public String describe(String name) {
        return dir.resolve(name).toString();
      }

      @Override
      public boolean exists(String name) {
        return Files.isRegularFile(dir.resolve(name));
      }

      @Override
      public long length(String name) throws IOException {
        return Files.size(dir.resolve(name));
      }

      @Override
      public InputStream open(String name) throws IOException {
        return Files.newInputStream(dir.resolve(name));
      }

      @Override
      public Path localPath(String name) {
        return dir.resolve(name);
      }
    };
  }
}
