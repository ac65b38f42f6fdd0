package io.sparkrl.job.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV/TSV line into fields, RFC 4180 style within the line: a field may be quoted with
 * {@code "}, which lets it hold the delimiter; {@code ""} inside quotes is one quote. A quote in an
 * unquoted field is an ordinary character. A quoted field cannot span lines.
 */
final class CsvLine {
  private CsvLine() {}

  /** The fields, unquoted; throws {@link IllegalArgumentException} saying what is wrong and where. */
  static List<String> split(String line, char delimiter) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int n = line.length();
    int i = 0;
    while (true) {
      if (i < n && line.charAt(i) == '"') {
        int start = i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("unterminated quoted field " + (fields.size() + 1)
                + " (the quote at character " + (start + 1) + " is never closed)");
          }
          char c = line.charAt(i++);
          if (c != '"') {
            field.append(c);
          } else if (i < n && line.charAt(i) == '"') {
            field.append('"');
            i++;
          } else {
            break;
          }
        }
        if (i < n && line.charAt(i) != delimiter) {
          throw new IllegalArgumentException("text after the closing quote of field "
              + (fields.size() + 1) + " at character " + (i + 1));
        }
      } else {
        while (i < n && line.charAt(i) != delimiter) {
          field.append(line.charAt(i++));
        }
      }
      fields.add(field.toString());
      field.setLength(0);
      if (i >= n) {
        return fields;
      }
      i++; // the delimiter
    }
  }
}
