package io.sparkrl.job.corpus;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.reward.RewardSettings;
import io.sparkrl.settings.SettingsException;
import org.apache.hadoop.conf.Configuration;

/**
 * What a command needs from its corpora, checked on the driver before Spark starts: the paths hold
 * data, the format is known, headers and schemas have the needed columns, and a plain-text corpus
 * (no references) is not asked for what only references give.
 */
public final class CorpusRequirements {
  private CorpusRequirements() {}

  /**
   * @throws CorpusException for a path without data or a file without a needed column
   * @throws SettingsException naming the keys involved, for a format that cannot serve the command
   */
  public static void check(String command, JobConfig config, Configuration hadoop) {
    JobSettings job = config.job();
    CorpusFormat setting = job.reading().format();
    boolean sft = command.equals("sft");
    if (!command.equals("evaluate")) {
      String train = job.corpus().train();
      CorpusSource source = CorpusSource.resolve(train, job.corpus(), setting,
          RecordRules.of(config.trainer(), null, sft), hadoop);
      if (!source.format().hasReference()) {
        if (sft) {
          throw new SettingsException(CorpusFormat.KEY, "text", "sft trains on reference "
              + "completions (sparkrl.corpus.completion-field), and the plain-text corpus "
              + "sparkrl.corpus.train = " + train + " has none; give jsonl, parquet, csv or tsv");
        }
        for (RewardSettings.WeightedFunction f : config.trainer().reward().functions()) {
          if (f.name().equals(RewardSettings.ANSWER_MATCH)) {
            throw new SettingsException(RewardSettings.SECTION + ".functions", f.name(),
                "answer-match needs reference answers, and the plain-text corpus "
                + "sparkrl.corpus.train = " + train + " (" + CorpusFormat.KEY + " = text) has "
                + "none; use rewards that need no reference, or a corpus with answers");
          }
        }
      }
    }
    if (command.equals("evaluate") && !job.corpus().hasEval()) {
      throw new SettingsException("sparkrl.corpus.eval", "", "evaluate needs a held-out corpus");
    }
    if (job.corpus().hasEval()) {
      String eval = job.corpus().eval();
      CorpusSource source = CorpusSource.resolve(eval, job.corpus(), setting,
          RecordRules.of(config.trainer(), null, false), hadoop);
      if (!source.format().hasReference()) {
        throw new SettingsException("sparkrl.corpus.eval", eval, "evaluation needs reference "
            + "answers, and this corpus is plain text (" + CorpusFormat.KEY + " = "
            + setting.setting() + "); give one with answers, or set sparkrl.corpus.eval = \"\"");
      }
    }
  }
}
