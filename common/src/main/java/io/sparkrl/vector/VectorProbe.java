package io.sparkrl.vector;

import jdk.incubator.vector.FloatVector;

/** Links against the Vector API: loaded by {@link VectorModule} only once the module is there. */
final class VectorProbe {
  private VectorProbe() {}

  static int preferredBits() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }
}
