package io.sparkrl.job.driver;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.corpus.CorpusRow;
import io.sparkrl.job.hf.HfSettings;
import io.sparkrl.job.hf.TokenizerFiles;
import io.sparkrl.tokenizer.FramedTokenizer;
import io.sparkrl.tokenizer.Tokenizer;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;

/**
 * The tokenizer of a fresh policy: {@code sparkrl.tokenizer.file} (a tokenizer.json) when set,
 * else the corpus's characters ({@link CorpusVocabulary}, with the template's own characters);
 * prompts wrapped in {@code sparkrl.tokenizer.template}.
 */
public final class FreshTokenizer {
  private FreshTokenizer() {}

  public static Tokenizer of(JobConfig config, JavaRDD<CorpusRow> rows, Configuration hadoop)
      throws IOException {
    HfSettings hf = HfSettings.from(config.config());
    Tokenizer base = hf.tokenizerFile().isEmpty()
        ? CorpusVocabulary.of(rows, CorpusVocabulary.rewardText(config.trainer().reward())
            + hf.template().replace(FramedTokenizer.PLACEHOLDER, ""))
        : TokenizerFiles.read(hf.tokenizerFile(), hadoop);
    return FramedTokenizer.of(base, base.size(), hf.template(),
        FramedTokenizer.tokenizerConfigOf(base));
  }
}
