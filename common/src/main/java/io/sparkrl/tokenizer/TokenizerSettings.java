package io.sparkrl.tokenizer;

import com.typesafe.config.Config;
import io.sparkrl.settings.Section;
import java.io.Serializable;
import java.util.Set;

/** Settings under {@code sparkrl.tokenizer}. */
public record TokenizerSettings(UnknownCharacterMode unknown) implements Serializable {
  public static TokenizerSettings from(Config config) {
    Section s = new Section(config, "sparkrl.tokenizer");
    return new TokenizerSettings(UnknownCharacterMode.parse(s.oneOf("unknown", Set.of("error", "replace"))));
  }
}
