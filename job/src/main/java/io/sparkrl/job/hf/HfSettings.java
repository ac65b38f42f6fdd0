package io.sparkrl.job.hf;

import com.typesafe.config.Config;
import io.sparkrl.hf.HfExport;
import io.sparkrl.hf.SafetensorsDtype;
import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.tokenizer.FramedTokenizer;
import java.util.List;

/**
 * The Hugging Face settings: {@code sparkrl.tokenizer.file} and {@code .template},
 * {@code sparkrl.export.*} and {@code sparkrl.train-tokenizer.*}, read and checked before Spark
 * starts.
 */
public record HfSettings(String tokenizerFile, String template, boolean exportRuns,
    SafetensorsDtype exportDtype, String exportFrom, String exportTo, TrainTokenizer train) {

  /** {@code sparkrl.train-tokenizer}. */
  public record TrainTokenizer(String input, int vocabSize, int minFrequency,
      List<String> specialTokens, boolean splitDigits, String output) {}

  public static HfSettings from(Config config) {
    Section tokenizer = new Section(config, "sparkrl.tokenizer");
    Section export = new Section(config, "sparkrl.export");
    Section train = new Section(config, "sparkrl.train-tokenizer");
    String template = tokenizer.string("template");
    if (!template.isEmpty()) {
      try {
        FramedTokenizer.checkTemplate(template);
      } catch (IllegalArgumentException e) {
        throw new SettingsException(tokenizer.key("template"), template, "must be \"\" or hold "
            + FramedTokenizer.PLACEHOLDER + " exactly once");
      }
    }
    String dtype = export.string("dtype");
    SafetensorsDtype exportDtype;
    try {
      exportDtype = HfExport.dtypeOf(dtype);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(export.key("dtype"), dtype, "must be float32, bfloat16 or"
          + " float16");
    }
    List<String> specials = train.stringList("special-tokens");
    for (String s : specials) {
      if (s.isEmpty()) {
        throw new SettingsException(train.key("special-tokens"), specials, "a special token"
            + " cannot be empty");
      }
    }
    int vocabSize = train.intIn("vocab-size", 1, 1_000_000);
    int least = specials.size() + 1 + 256;
    if (vocabSize < least) {
      throw new SettingsException(train.key("vocab-size"), vocabSize, "must be at least the "
          + (specials.size() + 1) + " special tokens + 256 byte tokens = " + least);
    }
    return new HfSettings(tokenizer.string("file").trim(), template, export.bool("hf"),
        exportDtype, export.string("from").trim(), export.string("to").trim(),
        new TrainTokenizer(train.string("input").trim(), vocabSize,
            train.intIn("min-frequency", 1, 1_000_000), specials, train.bool("split-digits"),
            train.string("output").trim()));
  }
}
