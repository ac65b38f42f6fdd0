# Sourced by the launch scripts: the Java 17 flags every JVM of the job needs, as JAVA_FLAGS.
# Spark's --add-opens list (the same list the poms give Surefire and the shaded jar's manifest),
# and the Vector API module, with which the sampler multiplies a transformer's rows 2-2.4x faster
# than with OpenBLAS (README, "Performance"). Not meant to be run on its own.
# shellcheck disable=SC2034
JAVA_FLAGS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED
--add-modules=jdk.incubator.vector"
