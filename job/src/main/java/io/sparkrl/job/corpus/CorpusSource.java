package io.sparkrl.job.corpus;

import io.sparkrl.job.config.JobSettings;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A corpus path resolved on the driver, before any Spark work: its files in name order, its
 * format, and the driver-side checks of the format (CSV headers, Parquet schemas) passed.
 * {@link #load} parses the records in tasks and applies {@code sparkrl.corpus.malformed}.
 */
public final class CorpusSource {
  private static final Logger LOG = LoggerFactory.getLogger(CorpusSource.class);
  /** Malformed records logged (with location and problem) when they are skipped. */
  static final int LOGGED = 5;

  private final String uri;
  private final CorpusFormat format;
  private final List<String> files;
  private final FormatReader reader;

  private CorpusSource(String uri, CorpusFormat format, List<String> files, FormatReader reader) {
    this.uri = uri;
    this.format = format;
    this.files = List.copyOf(files);
    this.reader = reader;
  }

  /**
   * @param setting {@code sparkrl.corpus.format} ({@code AUTO}: by the files' extensions)
   * @throws CorpusException when the path matches no data or a file's header or schema lacks a
   *     needed column
   * @throws io.sparkrl.settings.SettingsException when {@code format = auto} cannot decide
   */
  public static CorpusSource resolve(String uri, JobSettings.Corpus settings, CorpusFormat setting,
      RecordRules rules, Configuration hadoop) {
    List<String> files = CorpusFiles.list(uri, hadoop);
    CorpusFormat format = setting.resolve(uri, files);
    FormatReader reader = switch (format) {
      case JSONL -> new JsonLinesFormat(new JsonLines(settings.promptField(),
          settings.answerField(), settings.completionField(), rules.completionRequired()), rules);
      case CSV -> new CsvFormat(',', settings, rules);
      case TSV -> new CsvFormat('\t', settings, rules);
      case PARQUET -> new ParquetFormat(settings, rules);
      case TEXT -> new TextFormat(rules);
      case AUTO -> throw new IllegalStateException("unresolved format");
    };
    reader.check(files, hadoop);
    return new CorpusSource(uri, format, files, reader);
  }

  public CorpusFormat format() {
    return format;
  }

  public List<String> files() {
    return files;
  }

  /**
   * Parses every record in tasks (the parsed records stay cached on the executors until
   * {@link LoadedCorpus#release}). With {@code FAIL}, throws a {@link CorpusException} naming the
   * first malformed record in corpus order; with {@code SKIP}, counts them exactly (a Spark action
   * on the filtered records, right under task retries) and logs the first {@value #LOGGED}.
   */
  public LoadedCorpus load(JavaSparkContext sc, MalformedMode mode) {
    long t0 = System.nanoTime();
    JavaRDD<ParsedRecord> parsed = reader.read(sc, files).persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<ParsedRecord> malformed = parsed.filter(ParsedRecord::isMalformed);
    long count;
    if (mode == MalformedMode.FAIL) {
      List<ParsedRecord> first = malformed.take(1); // partitions in corpus order: the first one
      if (!first.isEmpty()) {
        parsed.unpersist(false);
        throw new CorpusException("malformed record in corpus " + uri + " (sparkrl.corpus.malformed"
            + " = fail; skip leaves such records out): " + first.get(0).problem());
      }
      count = 0;
    } else {
      count = malformed.count();
      if (count > 0) {
        List<ParsedRecord> shown = malformed.take(LOGGED);
        LOG.warn("corpus {}: {} malformed records left out (sparkrl.corpus.malformed = skip); "
            + "the first {}:", uri, count, shown.size());
        for (ParsedRecord r : shown) {
          LOG.warn("  {}", r.problem());
        }
      }
    }
    LoadedCorpus loaded = new LoadedCorpus(uri, parsed, count);
    LOG.info("corpus {}: {} {} file(s), {} malformed record(s) left out, read in {} ms", uri,
        files.size(), format.setting(), count, (System.nanoTime() - t0) / 1_000_000);
    return loaded;
  }
}
