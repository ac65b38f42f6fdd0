package io.sparkrl.job.corpus;

import io.sparkrl.settings.SettingsException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The corpus formats ({@code sparkrl.corpus.format}). {@code AUTO} is resolved on the driver, from
 * the extensions of the matched files, before any Spark work.
 */
public enum CorpusFormat {
  AUTO,
  /** One JSON object per line. */
  JSONL,
  /** Parquet files, one row per record, string or numeric columns. */
  PARQUET,
  /** Comma-separated values with a header row, RFC 4180 quoting within a line. */
  CSV,
  /** Tab-separated values, the same rules as CSV. */
  TSV,
  /** One prompt per non-blank line, no reference answer or completion. */
  TEXT;

  public static final String KEY = "sparkrl.corpus.format";

  /** The setting's name for this format ({@code jsonl}, {@code parquet}, ...). */
  public String setting() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether its records carry a reference answer and completion (all but plain text). */
  public boolean hasReference() {
    return this != TEXT;
  }

  /** The format a file's extension names, or null: .jsonl/.json, .parquet, .csv, .tsv, .txt. */
  public static CorpusFormat ofExtension(String file) {
    String name = file.substring(file.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".json")) {
      return JSONL;
    } else if (name.endsWith(".parquet")) {
      return PARQUET;
    } else if (name.endsWith(".csv")) {
      return CSV;
    } else if (name.endsWith(".tsv")) {
      return TSV;
    } else if (name.endsWith(".txt")) {
      return TEXT;
    }
    return null;
  }

  /**
   * The format of the files: this one when it is not AUTO, else the one every file's extension
   * names.
   *
   * @throws SettingsException naming {@link #KEY} and the files when the extensions are unknown or
   *     disagree
   */
  public CorpusFormat resolve(String uri, List<String> files) {
    if (this != AUTO) {
      return this;
    }
    Map<String, String> byFormat = new TreeMap<>(); // format -> an example file
    for (String file : files) {
      CorpusFormat f = ofExtension(file);
      if (f == null) {
        throw new SettingsException(KEY, "auto", "cannot tell the format of " + file + " (in "
            + uri + ") from its extension (.jsonl, .json, .parquet, .csv, .tsv, .txt); set "
            + KEY + " to jsonl, parquet, csv, tsv or text");
      }
      byFormat.putIfAbsent(f.setting(), file);
    }
    if (byFormat.size() > 1) {
      throw new SettingsException(KEY, "auto", "the files of " + uri + " have different formats "
          + byFormat + "; give one format's files, or set " + KEY);
    }
    return valueOf(byFormat.keySet().iterator().next().toUpperCase(Locale.ROOT));
  }
}
