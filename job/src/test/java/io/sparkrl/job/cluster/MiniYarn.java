package io.sparkrl.job.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * HDFS and YARN in this JVM (Hadoop's MiniDFSCluster with one DataNode, MiniYARNCluster with one
 * ResourceManager and one NodeManager), sized for a 2-core machine, and a Hadoop configuration
 * folder that points spark-submit at them ({@code HADOOP_CONF_DIR}). Containers are separate
 * JVMs that the NodeManager launches; their logs stay in its log folder after they end.
 */
final class MiniYarn implements AutoCloseable {
  /** What the NodeManager offers: room for an ApplicationMaster and one small executor. */
  static final int NODE_MEMORY_MB = 3072;
  static final int NODE_VCORES = 4;

  final MiniDFSCluster hdfs;
  final MiniYARNCluster yarn;
  final Path confDir;
  final String nameNode;

  private MiniYarn(MiniDFSCluster hdfs, MiniYARNCluster yarn, Path confDir, String nameNode) {
    this.hdfs = hdfs;
    this.yarn = yarn;
    this.confDir = confDir;
    this.nameNode = nameNode;
  }

  static MiniYarn start(Path work) throws IOException, InterruptedException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, work.resolve("dfs").toString());
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    String nameNode = "hdfs://localhost:" + hdfs.getNameNodePort();

    YarnConfiguration yc = new YarnConfiguration(hdfs.getConfiguration(0));
    yc.set("fs.defaultFS", nameNode);
    yc.setInt(YarnConfiguration.NM_PMEM_MB, NODE_MEMORY_MB);
    yc.setInt(YarnConfiguration.NM_VCORES, NODE_VCORES);
    yc.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    // containers are JVMs with native ND4J buffers: YARN's memory checks would kill them for
    // virtual memory they reserve but do not use
    yc.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    yc.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    // a shared development disk may be fuller than the NodeManager's default 90% threshold
    yc.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
    yc.setLong(YarnConfiguration.NM_MIN_PER_DISK_FREE_SPACE_MB, 0);
    // first in, first out: the Capacity Scheduler needs a capacity-scheduler.xml (which the
    // shaded minicluster jar does not bring) and gives ApplicationMasters 10% of the node
    yc.set(YarnConfiguration.RM_SCHEDULER,
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
    yc.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, 1);
    MiniYARNCluster yarn = new MiniYARNCluster("sparkrl-yarn", 1, 1, 1);
    yarn.init(yc);
    yarn.start();
    // the ResourceManager's address is written into the configuration after start() returns
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS, ":0").endsWith(":0")) {
      if (System.nanoTime() > deadline) {
        yarn.stop();
        hdfs.shutdown();
        throw new IllegalStateException("MiniYARNCluster published no ResourceManager address");
      }
      Thread.sleep(100);
    }
    Path confDir = Files.createDirectories(work.resolve("hadoop-conf"));
    // only the addresses: the mini cluster's own settings name test classes (StaticMapping)
    Configuration published = new Configuration(false);
    published.set("fs.defaultFS", nameNode);
    yarn.getConfig().getPropsWithPrefix("yarn.resourcemanager.").forEach((k, v) -> {
      if (k.contains("address") || k.equals("hostname")) {
        published.set("yarn.resourcemanager." + k, v);
      }
    });
    for (String site : new String[] {"core-site.xml", "hdfs-site.xml", "yarn-site.xml"}) {
      try (OutputStream out = Files.newOutputStream(confDir.resolve(site))) {
        published.writeXml(out);
      }
    }
    return new MiniYarn(hdfs, yarn, confDir, nameNode);
  }

  /** The client configuration of both clusters, as spark-submit reads it from {@link #confDir}. */
  Configuration clientConf() {
    return new Configuration(yarn.getConfig());
  }

  /**
   * The folders in which the NodeManager kept the logs (stdout, stderr) of an application's
   * containers, one per container: {@code container_..._000001} is the ApplicationMaster.
   */
  List<Path> containerLogs(String applicationId) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (String logDir : yarn.getNodeManager(0).getConfig()
        .getTrimmedStrings(YarnConfiguration.NM_LOG_DIRS)) {
      Path app = Path.of(logDir.replaceFirst("^file:", "")).resolve(applicationId);
      if (Files.isDirectory(app)) {
        try (Stream<Path> containers = Files.list(app)) {
          dirs.addAll(containers.filter(Files::isDirectory).sorted().toList());
        }
      }
    }
    return dirs;
  }

  @Override
  public void close() {
    yarn.stop();
    hdfs.shutdown();
  }
}
