/**
 * The check that guards every use of the JDK's Vector API: {@link io.sparkrl.vector.VectorModule}.
 * The code written with it lives beside the plain implementation it speeds up, behind that
 * implementation's interface, and is loaded by name only where the check passes.
 */
package io.sparkrl.vector;
