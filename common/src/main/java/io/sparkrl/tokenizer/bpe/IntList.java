package io.sparkrl.tokenizer.bpe;

import java.util.Arrays;

/** A growable int array. */
final class IntList {
  private int[] a;
  private int n;

  IntList(int capacity) {
    a = new int[Math.max(4, capacity)];
  }

  void add(int v) {
    if (n == a.length) {
      a = Arrays.copyOf(a, n * 2);
    }
    a[n++] = v;
  }

  void addAll(int[] values) {
    if (n + values.length > a.length) {
      a = Arrays.copyOf(a, Math.max(n * 2, n + values.length));
    }
    System.arraycopy(values, 0, a, n, values.length);
    n += values.length;
  }

  int size() {
    return n;
  }

  int[] toArray() {
    return Arrays.copyOf(a, n);
  }
}
