package io.sparkrl.hf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where an export writes a Hugging Face folder's files, by name (local or any Hadoop FileSystem). */
public interface HfOutput {
  /** A new file (replacing one of the same name); the caller closes it. */
  OutputStream create(String name) throws IOException;

  /** The file's full name for messages. */
  String describe(String name);

  /** A folder on the local filesystem, created when missing. */
  static HfOutput local(Path dir) {
    return new HfOutput() {
      @Override
      public OutputStream create(String name) throws IOException {
        Files.createDirectories(dir);
        return Files.newOutputStream(dir.resolve(name));
      }

      @Override
      public String describe(String name) {
        return dir.resolve(name).toString();
      }
    };
  }
}
