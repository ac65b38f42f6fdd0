package io.sparkrl.settings;

/**
 * A setting that is missing, of the wrong type, or outside its range. The message always names the
 * full key and the offending value, so a user can fix the configuration without reading code.
 */
public final class SettingsException extends IllegalArgumentException {
  private final String key;

  public SettingsException(String key, Object value, String requirement) {
    super(key + " = " + render(value) + ": " + requirement);
    this.key = key;
  }

  public SettingsException(String key, String message, Throwable cause) {
    super(key + ": " + message, cause);
    this.key = key;
  }

  /** The full configuration path of the bad setting, e.g. {@code sparkrl.sampling.temperature}. */
  public String key() {
    return key;
  }

  private static String render(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }
}
