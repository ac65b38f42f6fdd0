# Sourced by the launch scripts: the Java 17 flags every JVM of the job needs, as JAVA_FLAGS.
# Spark's --add-opens list (the same list the poms give Surefire and the shaded jar's manifest),
# and the Vector API module, with which the sampler multiplies a transformer's rows 2-2.4x faster
# than with OpenBLAS (README, "Performance"). Also OpenBLAS's kernels: ND4J's OpenBLAS (0.3.19)
# predates AVX-512 on AMD: it runs its AVX2 kernels on a Zen 4 and its SSE3 ones on a Zen 5 (a
# family it does not know), a half to a fifth of its AVX-512 kernels' sgemm throughput there.
# Where this CPU is an AMD one with the AVX-512 extensions those kernels use, and
# OPENBLAS_CORETYPE is not in the environment, OPENBLAS_CORETYPE=SkylakeX is exported (set the
# variable yourself, e.g. to Haswell, to choose otherwise). Not meant to be run on its own.
# shellcheck disable=SC2034
JAVA_FLAGS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED
--add-modules=jdk.incubator.vector"

if [ -z "${OPENBLAS_CORETYPE+set}" ] && [ -r /proc/cpuinfo ] \
    && grep -q -m1 '^vendor_id[[:space:]]*: AuthenticAMD' /proc/cpuinfo; then
  _sparkrl_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  _sparkrl_avx512=1
  for _sparkrl_flag in avx512f avx512cd avx512bw avx512dq avx512vl; do
    case "$_sparkrl_flags" in *" $_sparkrl_flag "*) ;; *) _sparkrl_avx512=0 ;; esac
  done
  if [ "$_sparkrl_avx512" = 1 ]; then
    export OPENBLAS_CORETYPE=SkylakeX
  fi
  unset _sparkrl_flags _sparkrl_avx512 _sparkrl_flag
fi
