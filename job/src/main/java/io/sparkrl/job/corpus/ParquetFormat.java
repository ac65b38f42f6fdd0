package io.sparkrl.job.corpus;

import io.sparkrl.job.config.JobSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Parquet: one record per row, the prompt, answer and (for sft) completion read from top-level
 * string or numeric columns named by the field settings. The driver checks every file's schema
 * (footer only); then one task reads each file with parquet-hadoop, only the needed columns, so a
 * malformed row is named by file and row number (from 1). A null prompt, answer or required
 * completion is malformed.
 */
final class ParquetFormat implements FormatReader {
  private final JobSettings.Corpus fields;
  private final RecordRules rules;

  ParquetFormat(JobSettings.Corpus fields, RecordRules rules) {
    this.fields = fields;
    this.rules = rules;
  }

  @Override
  public void check(List<String> files, Configuration hadoop) {
    for (String file : files) {
      MessageType schema = schema(file, hadoop);
      column(schema, fields.promptField(), "sparkrl.corpus.prompt-field", file, true);
      column(schema, fields.answerField(), "sparkrl.corpus.answer-field", file, true);
      column(schema, fields.completionField(), "sparkrl.corpus.completion-field", file,
          rules.completionRequired());
    }
  }

  @Override
  public JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<String> files) {
    return sc.parallelize(files, files.size()) // one task per file, in file order
        .mapPartitions(new ReadFiles(fields, rules, new HadoopConf(sc.hadoopConfiguration())));
  }

  private static MessageType schema(String file, Configuration hadoop) {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file),
        hadoop))) {
      return r.getFooter().getFileMetaData().getSchema();
    } catch (IOException | RuntimeException e) {
      throw new CorpusException("cannot read the Parquet footer of " + file + ": " + e.getMessage(),
          e);
    }
  }

  /** Fails when a needed column is absent or not a string or number column. */
  private static void column(MessageType schema, String name, String key, String file,
      boolean required) {
    if (!schema.containsField(name)) {
      if (required) {
        throw new CorpusException(file + ": the Parquet schema has no column \"" + name + "\" ("
            + key + "); its columns are " + names(schema));
      }
      return;
    }
    Type t = schema.getType(name);
    PrimitiveTypeName p = t.isPrimitive() ? t.asPrimitiveType().getPrimitiveTypeName() : null;
    if (p == null || t.isRepetition(Type.Repetition.REPEATED) || p == PrimitiveTypeName.BOOLEAN
        || p == PrimitiveTypeName.INT96) {
      throw new CorpusException(file + ": column \"" + name + "\" (" + key + ") is " + t
          + "; it must be a single string or number");
    }
  }

  private static List<String> names(MessageType schema) {
    List<String> names = new ArrayList<>();
    schema.getFields().forEach(f -> names.add(f.getName()));
    return names;
  }

  /** A task: reads its file(s), row by row. */
  static final class ReadFiles implements FlatMapFunction<Iterator<String>, ParsedRecord> {
    private final JobSettings.Corpus fields;
    private final RecordRules rules;
    private final HadoopConf hadoop;

    ReadFiles(JobSettings.Corpus fields, RecordRules rules, HadoopConf hadoop) {
      this.fields = fields;
      this.rules = rules;
      this.hadoop = hadoop;
    }

    @Override
    public Iterator<ParsedRecord> call(Iterator<String> files) {
      List<ParsedRecord> out = new ArrayList<>();
      while (files.hasNext()) {
        read(files.next(), out);
      }
      return out.iterator();
    }

    private void read(String file, List<ParsedRecord> out) {
      try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file),
          hadoop.get()))) {
        MessageType schema = r.getFooter().getFileMetaData().getSchema();
        List<Type> needed = new ArrayList<>();
        for (String name : List.of(fields.promptField(), fields.answerField(),
            fields.completionField())) {
          if (schema.containsField(name)) {
            needed.add(schema.getType(name));
          }
        }
        MessageType projection = new MessageType(schema.getName(), needed);
        r.setRequestedSchema(projection);
        var io = new ColumnIOFactory().getColumnIO(projection, schema);
        long row = 0;
        Utf8 utf8 = new Utf8();
        PageReadStore pages;
        while ((pages = r.readNextRowGroup()) != null) {
          RecordReader<Group> records = io.getRecordReader(pages,
              new GroupRecordConverter(projection));
          for (long i = 0; i < pages.getRowCount(); i++) {
            row++;
            out.add(parse(records.read(), file, row, utf8));
          }
        }
      } catch (IOException | RuntimeException e) {
        throw new CorpusException("cannot read Parquet file " + file + ": " + e.getMessage(), e);
      }
    }

    private ParsedRecord parse(Group g, String file, long row, Utf8 utf8) {
      String location = file + " row " + row;
      String prompt;
      String answer;
      String completion;
      String field = fields.promptField();
      try {
        prompt = value(g, field, utf8);
        field = fields.answerField();
        answer = value(g, field, utf8);
        field = fields.completionField();
        completion = value(g, field, utf8);
      } catch (Utf8.Invalid e) {
        return ParsedRecord.malformed(location, Utf8.problem(e, "\"" + field + "\" value"));
      }
      if (prompt == null || answer == null || completion == null && rules.completionRequired()) {
        String missing = prompt == null ? fields.promptField()
            : answer == null ? fields.answerField() : fields.completionField();
        return ParsedRecord.malformed(location, "null \"" + missing + "\"");
      }
      CorpusRow parsed = new CorpusRow(prompt, answer, completion);
      String problem = rules.problem(parsed);
      return problem == null ? ParsedRecord.good(parsed)
          : ParsedRecord.malformed(location, problem + ": " + TextLines.shown(prompt));
    }

    /**
     * The column's value as text, or null when the column is absent or the value is null. A
     * string column's bytes are decoded as strict UTF-8, so bytes a writer left that are not UTF-8
     * make the record malformed instead of turning into U+FFFD.
     */
    private static String value(Group g, String name, Utf8 utf8) throws Utf8.Invalid {
      if (!g.getType().containsField(name) || g.getFieldRepetitionCount(name) == 0) {
        return null;
      }
      int index = g.getType().getFieldIndex(name);
      PrimitiveTypeName type = g.getType().getType(index).asPrimitiveType().getPrimitiveTypeName();
      if (type == PrimitiveTypeName.BINARY || type == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
        byte[] bytes = g.getBinary(index, 0).getBytes();
        return utf8.decode(bytes, bytes.length);
      }
      return g.getValueToString(index, 0);
    }
  }
}
