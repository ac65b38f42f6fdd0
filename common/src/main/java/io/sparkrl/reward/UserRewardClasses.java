package io.sparkrl.reward;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Loads user reward classes by fully-qualified name. The same checks run when the settings are read
 * on the driver and when the functions are built, so a bad name fails at start-up with a reason,
 * not in the middle of a Spark job.
 */
final class UserRewardClasses {
  private UserRewardClasses() {}

  /**
   * @throws IllegalArgumentException whose message is the reason alone ("class not found", ...),
   *     for the caller to prefix with the setting's key
   */
  static Constructor<? extends Reward> constructor(String className) {
    Class<?> type = load(className);
    if (!Reward.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException("does not implement " + Reward.class.getName());
    }
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      throw new IllegalArgumentException("is abstract and cannot be instantiated");
    }
    if (!Modifier.isPublic(type.getModifiers())) {
      throw new IllegalArgumentException("is not a public class");
    }
    try {
      return type.asSubclass(Reward.class).getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("has no public no-argument constructor", e);
    }
  }

  static Reward instantiate(String className) {
    Constructor<? extends Reward> constructor = constructor(className);
    try {
      return constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          "reward class " + className + " failed in its constructor: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("reward class " + className + " cannot be instantiated: " + e, e);
    }
  }

  /**
   * The context class loader first: on Spark executors user jars are visible there, not
   * necessarily to the loader of this library.
   */
  private static Class<?> load(String className) {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      try {
        return Class.forName(className, false, context);
      } catch (ClassNotFoundException | LinkageError e) {
        // Not visible there; the library's own loader may still see it.
      }
    }
    try {
      return Class.forName(className, false, UserRewardClasses.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("class not found (and not a built-in: "
          + String.join(", ", RewardSettings.BUILT_INS) + ")", e);
    } catch (LinkageError e) {
      throw new IllegalArgumentException("class cannot be loaded: " + e, e);
    }
  }
}
