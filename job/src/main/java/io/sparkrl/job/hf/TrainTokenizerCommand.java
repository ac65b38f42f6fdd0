package io.sparkrl.job.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrl.hf.HfImport;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.CorpusException;
import io.sparkrl.job.corpus.CorpusFiles;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.tokenizer.bpe.BpeTokenizer;
import io.sparkrl.tokenizer.bpe.BpeTrainer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code train-tokenizer} command: a byte-level BPE ({@link BpeTrainer}) trained on the texts
 * of {@code sparkrl.train-tokenizer.input} (default: the training corpus), written as
 * {@code tokenizer.json} at {@code sparkrl.train-tokenizer.output}, with a tokenizer_config.json
 * beside it naming {@code <|endoftext|>} as EOS. JSON lines give their prompt, answer and
 * completion fields (the corpus's field names); other files give each non-blank line; Parquet is
 * not read. The files are streamed line by line on the driver; no Spark.
 */
public final class TrainTokenizerCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainTokenizerCommand() {}

  public static void run(JobConfig config, Configuration hadoop, PrintStream out)
      throws IOException {
    HfSettings.TrainTokenizer settings = HfSettings.from(config.config()).train();
    JobSettings.Corpus corpus = config.job().corpus();
    if (settings.output().isEmpty()) {
      throw new SettingsException("sparkrl.train-tokenizer.output", "", "train-tokenizer needs"
          + " the tokenizer.json to write");
    }
    String input = settings.input().isEmpty() ? corpus.train() : settings.input();
    List<String> files = CorpusFiles.list(input, hadoop);
    for (String f : files) {
      if (f.endsWith(".parquet")) {
        throw new SettingsException("sparkrl.train-tokenizer.input", input, "holds " + f
            + ": train-tokenizer reads JSON lines and text files, not Parquet");
      }
    }
    long t0 = System.nanoTime();
    Texts texts = new Texts(files, corpus, hadoop);
    BpeTokenizer tokenizer;
    try {
      tokenizer = new BpeTrainer(settings.vocabSize(), settings.minFrequency(),
          settings.specialTokens(), settings.splitDigits()).train(texts);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Path path = new Path(settings.output());
    FileSystem fs = path.getFileSystem(hadoop);
    FileSystem target = fs instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRaw()
        : fs;
    try (OutputStream o = target.create(path, true)) {
      o.write(tokenizer.toJson().getBytes(StandardCharsets.UTF_8));
    }
    ObjectNode c = JSON.createObjectNode();
    c.put("tokenizer_class", "PreTrainedTokenizerFast");
    c.put("eos_token", BpeTrainer.END_OF_TEXT);
    c.putNull("bos_token");
    c.put("add_bos_token", false);
    c.put("clean_up_tokenization_spaces", false);
    try (OutputStream o = target.create(new Path(path.getParent(), HfImport.TOKENIZER_CONFIG),
        true)) {
      o.write((JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    out.printf("trained a byte-level BPE tokenizer of %d tokens on %d texts from %d file(s) in %d"
        + " ms; wrote %s and %s%n", tokenizer.size(), texts.count, files.size(),
        (System.nanoTime() - t0) / 1_000_000, fs.makeQualified(path),
        fs.makeQualified(new Path(path.getParent(), HfImport.TOKENIZER_CONFIG)));
  }

  /** The texts of the files, one line (or one JSON field) at a time. */
  private static final class Texts implements Iterator<String> {
    private final List<String> files;
    private final JobSettings.Corpus corpus;
    private final Configuration hadoop;
    private final List<String> pending = new ArrayList<>();
    private int nextFile;
    private BufferedReader reader;
    private String file;
    private long line;
    long count;

    Texts(List<String> files, JobSettings.Corpus corpus, Configuration hadoop) {
      this.files = files;
      this.corpus = corpus;
      this.hadoop = hadoop;
    }

    @Override
    public boolean hasNext() {
      try {
        while (pending.isEmpty()) {
          if (reader == null) {
            if (nextFile == files.size()) {
              return false;
            }
            file = files.get(nextFile++);
            Path p = new Path(file);
            reader = new BufferedReader(new InputStreamReader(p.getFileSystem(hadoop).open(p),
                StandardCharsets.UTF_8));
            line = 0;
          }
          String s = reader.readLine();
          if (s == null) {
            reader.close();
            reader = null;
            continue;
          }
          line++;
          if (!s.isBlank()) {
            add(s);
          }
        }
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void add(String s) {
      if (!(file.endsWith(".jsonl") || file.endsWith(".json"))) {
        pending.add(s);
        return;
      }
      JsonNode node;
      try {
        node = JSON.readTree(s);
      } catch (IOException e) {
        throw new CorpusException(file + ": line " + line + " is not valid JSON");
      }
      for (String field : List.of(corpus.promptField(), corpus.answerField(),
          corpus.completionField())) {
        JsonNode v = node == null ? null : node.get(field);
        if (v != null && v.isValueNode() && !v.isNull()) {
          pending.add(v.asText());
        }
      }
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      count++;
      return pending.remove(pending.size() - 1);
    }
  }
}
