package io.sparkrl.job.hf;

import io.sparkrl.hf.HfImport;
import io.sparkrl.tokenizer.FramedTokenizer;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.bpe.BpeTokenizer;
import io.sparkrl.tokenizer.bpe.TokenizerConfig;
import io.sparkrl.tokenizer.bpe.TokenizerFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code sparkrl.tokenizer.file}: a tokenizer.json on any Hadoop FileSystem, with the
 * tokenizer_config.json beside it when there is one (its EOS, BOS and text, kept for export).
 */
public final class TokenizerFiles {
  private TokenizerFiles() {}

  public static Tokenizer read(String uri, Configuration hadoop) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(hadoop);
    String source = fs.makeQualified(path).toString();
    if (!fs.isFile(path)) {
      throw new TokenizerFormatException(source, "no such file (sparkrl.tokenizer.file)");
    }
    BpeTokenizer t;
    try (InputStream in = fs.open(path)) {
      t = BpeTokenizer.read(source, in);
    }
    Path configPath = new Path(path.getParent(), HfImport.TOKENIZER_CONFIG);
    String configText = null;
    if (fs.isFile(configPath)) {
      String configSource = fs.makeQualified(configPath).toString();
      try (InputStream in = fs.open(configPath)) {
        configText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      try {
        t = t.withConfig(TokenizerConfig.read(configSource,
            new ByteArrayInputStream(configText.getBytes(StandardCharsets.UTF_8))));
      } catch (IllegalArgumentException e) {
        throw new TokenizerFormatException(configSource, e.getMessage(), e);
      }
    }
    try {
      t.eosToken();
    } catch (IllegalStateException e) {
      throw new TokenizerFormatException(source, e.getMessage(), e);
    }
    return FramedTokenizer.of(t, t.size(), null, configText);
  }
}
