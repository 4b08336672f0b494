#!/usr/bin/env python3
"""Build a synthetic container host for layersweep's benchmarks.

The host is a directory tree that layersweep reads through its path flags:

  docker/       a Docker data root: overlay2 layers, layerdb chains, images and containers
  proc/         a fake procfs: host processes, container shims and inits (with start times
                and cgroups that match their records), mountinfo per mount namespace,
                /proc/stat and /proc/cgroups
  cgroup/       v1 hierarchies and the v2 hierarchy as plain directories
  empty/        an empty directory for the store roots the benchmark does not cover

Sizes scale with --scale: 1.0 gives 10,000 layer directories, 2,000 containers, 20,000
host mounts and 10,000 cgroups. Most containers are stopped and have no cgroup. A few run,
and each of those has a shim, an init process in its own mount namespace, an overlay and a
shm mount, and a cgroup in every hierarchy. The host also carries a little garbage of every kind the
Docker store and the cross-checks report, so the audit has findings and bytes to count.

Prints one JSON object naming the paths and the counts it created.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import string

LAYERS_PER_IMAGE = 10
FILES_PER_LAYER = 4
# (hierarchy ID, controllers as /proc/cgroups and the mount options list them, directory)
V1_HIERARCHIES = [
    (2, "cpu,cpuacct", "cpu,cpuacct"),
    (3, "memory", "memory"),
    (4, "pids", "pids"),
    (1, "name=systemd", "systemd"),
]
V2_DIRECTORY = "unified"
BOOT_TIME = 1760000000
CLOCK_TICKS = 100
HOST_NAMESPACE = 4026531840

# Garbage of each kind, at every scale.
GARBAGE = {
    "orphaned_layers": 20,
    "dangling_metadata": 5,
    "broken_links": 5,
    "stale_removals": 3,
    "write_sets": 2,
    "unreferenced_images": 1,
    "untracked_containers": 3,
    "leaked_rw_layers": 2,
    "dead_mounts": 5,
    "leaked_mounts": 2,
    "leaked_cgroups": 10,
    "stale_states": 5,
    "zombies": 3,
    "dying_v1": 37,
    "dying_v2": 12,
}


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(content)


def iso(seconds):
    """Format seconds since the epoch as Docker writes StartedAt (RFC 3339, nanoseconds)."""
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")


class Host:
    """The paths of one synthetic host and the state shared while building it."""

    def __init__(self, directory, rng):
        self.host = os.path.abspath(directory)
        self.root = os.path.join(self.host, "docker")
        self.overlay = os.path.join(self.root, "overlay2")
        self.layerdb = os.path.join(self.root, "image/overlay2/layerdb")
        self.imagedb = os.path.join(self.root, "image/overlay2/imagedb/content/sha256")
        self.proc = os.path.join(self.host, "proc")
        self.cgroup_root = os.path.join(self.host, "cgroup")
        self.empty = os.path.join(self.host, "empty")
        self.rng = rng
        self.layer_count = 0
        self.processes = {}  # pid -> dict(comm, ppid, state, start, cgroup, namespace, cmdline)
        self.host_mounts = []  # mountinfo lines without the mount ID and parent ID
        self.namespaces = {}  # namespace inode -> mountinfo lines of that namespace
        self.container_cgroups = []  # cgroup paths below each hierarchy root
        for path in (self.overlay + "/l", self.proc, self.cgroup_root, self.empty):
            os.makedirs(path, exist_ok=True)

    def short_link(self):
        return "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(26))

    def make_layer(self, layer_id, lower_links):
        """Create one overlay2 layer directory with its diff, link, lower and l/ symlink."""
        layer = os.path.join(self.overlay, layer_id)
        os.makedirs(os.path.join(layer, "diff", "etc"))
        for index in range(FILES_PER_LAYER):
            size = self.rng.randint(10, 3000)
            write(os.path.join(layer, "diff", "etc", f"file{index}"), "x" * size)
        link = self.short_link()
        write(os.path.join(layer, "link"), link)
        os.symlink(f"../{layer_id}/diff", os.path.join(self.overlay, "l", link))
        if lower_links:
            os.makedirs(os.path.join(layer, "work"))
            write(os.path.join(layer, "lower"), ":".join(f"l/{name}" for name in lower_links))
        self.layer_count += 1
        return link

    def add_process(self, pid, comm, ppid, start, cgroup, namespace=HOST_NAMESPACE,
                    state="S", cmdline=None):
        """Record a process; `start` is in seconds since boot."""
        self.processes[pid] = {"comm": comm, "ppid": ppid, "state": state, "start": start,
                               "cgroup": cgroup, "namespace": namespace,
                               "cmdline": cmdline or [comm]}


def make_images(host, image_count):
    """Create images whose layer chains share nothing; return each image's top chain and links."""
    tops = []
    for image in range(image_count):
        chain, links, diff_ids = make_chain(host, f"image-{image}")
        config = {"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        body = json.dumps(config)
        write(os.path.join(host.imagedb, sha(body)), body)
        tops.append((chain, sha(body), links))
    return tops


def make_chain(host, name, depth_count=LAYERS_PER_IMAGE):
    """Create a layer chain with its layerdb entries; return the top chain ID, links, diff IDs."""
    diff_ids, chain, links, previous = [], None, [], None
    for depth in range(depth_count):
        diff_id = "sha256:" + sha(f"diff-{name}-{depth}")
        diff_ids.append(diff_id)
        chain = diff_id if chain is None else "sha256:" + sha(f"{chain} {diff_id}")
        cache_id = sha(f"cache-{name}-{depth}")
        links.insert(0, host.make_layer(cache_id, links[:]))
        entry = os.path.join(host.layerdb, "sha256", chain.split(":")[1])
        write(os.path.join(entry, "cache-id"), cache_id)
        write(os.path.join(entry, "diff"), diff_id)
        write(os.path.join(entry, "size"), str(FILES_PER_LAYER * 1500))
        if previous:
            write(os.path.join(entry, "parent"), previous)
        previous = chain
    return chain, links, diff_ids


def container_state(running, pid, started):
    return {"Running": running, "Paused": False, "Restarting": False, "OOMKilled": False,
            "RemovalInProgress": False, "Dead": False, "Pid": pid,
            "ExitCode": 0 if running else 137, "Error": "", "StartedAt": iso(started),
            "FinishedAt": "0001-01-01T00:00:00Z" if running else iso(started + 3600)}


def make_container(host, index, top, state, with_layers=True, with_directory=True):
    """Create one container: its RW and init layers, layerdb/mounts entry and config."""
    container = sha(f"container-{index}")
    chain, image, links = top
    mount_id = sha(f"mount-{index}")
    if with_layers:
        init_link = host.make_layer(mount_id + "-init", links)
        host.make_layer(mount_id, [init_link] + links)
        mounts = os.path.join(host.layerdb, "mounts", container)
        write(os.path.join(mounts, "mount-id"), mount_id)
        write(os.path.join(mounts, "init-id"), mount_id + "-init")
        write(os.path.join(mounts, "parent"), chain)
    if with_directory:
        directory = os.path.join(host.root, "containers", container)
        config = {"ID": container, "Created": "2026-01-01T00:00:00Z", "Image": "sha256:" + image,
                  "Name": f"/bench-{index}", "Driver": "overlay2", "State": state,
                  "ShmPath": os.path.join(directory, "mounts", "shm"),
                  "NetworkSettings": {"SandboxKey": ""}}
        write(os.path.join(directory, "config.v2.json"), json.dumps(config))
        write(os.path.join(directory, "hostconfig.json"), json.dumps({"NetworkMode": "default"}))
        write(os.path.join(directory, "hostname"), container[:12] + "\n")
        os.makedirs(os.path.join(directory, "mounts", "shm"), exist_ok=True)
    return container, mount_id, links


def container_mounts(host, container, mount_id, links):
    """Return the overlay root and shm mountinfo lines Docker leaves for a started container."""
    lower = ":".join(f"{host.overlay}/l/{link}" for link in links[:3])
    layer = os.path.join(host.overlay, mount_id)
    return [
        f"0:{40 + len(host.host_mounts)} / {layer}/merged rw,relatime - overlay overlay "
        f"rw,lowerdir={lower},upperdir={layer}/diff,workdir={layer}/work",
        f"0:{41 + len(host.host_mounts)} / {host.root}/containers/{container}/mounts/shm "
        f"rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k",
    ]


def make_containers(host, tops, count, running_count):
    """Create `count` containers: running ones with processes, the rest stopped."""
    next_pid = 10000
    garbage = GARBAGE
    stale = set(range(running_count, running_count + garbage["stale_states"]))
    dead_mounts = set(range(running_count + len(stale),
                            running_count + len(stale) + garbage["dead_mounts"]))
    leaked_mounts = set(range(max(dead_mounts) + 1, max(dead_mounts) + 1 + garbage["leaked_mounts"]))
    leaked_cgroups = set(range(max(leaked_mounts) + 1,
                               max(leaked_mounts) + 1 + garbage["leaked_cgroups"]))
    for index in range(count):
        top = tops[index % len(tops)]
        started = BOOT_TIME + 1000 + index
        if index < running_count:
            pid = next_pid
            next_pid += 10
            # Docker records the container's init (pid + 1), not its shim.
            state = container_state(True, pid + 1, started)
            container, mount_id, links = make_container(host, index, top, state)
            start_running(host, container, mount_id, links, pid, started, index)
        elif index in stale:
            state = container_state(True, 900000 + index, started)
            make_container(host, index, top, state)
        else:
            state = container_state(False, 0, started)
            container, mount_id, links = make_container(host, index, top, state)
            if index in dead_mounts:
                host.host_mounts += container_mounts(host, container, mount_id, links)
            if index in leaked_mounts:
                hold_mount(host, container, mount_id, links, next_pid)
                next_pid += 10
            if index in leaked_cgroups:
                host.container_cgroups.append(f"docker/{container}")
    for index in range(count, count + garbage["untracked_containers"]):
        make_container(host, index, tops[0], container_state(False, 0, BOOT_TIME),
                       with_layers=False)
    for index in range(count + 100, count + 100 + garbage["leaked_rw_layers"]):
        make_container(host, index, tops[0], None, with_directory=False)


def start_running(host, container, mount_id, links, pid, started, index):
    """Add a running container's shim, init and zombie processes, mounts and cgroups."""
    cgroup = f"docker/{container}"
    host.container_cgroups.append(cgroup)
    shim_pid, init_pid = pid, pid + 1
    started -= BOOT_TIME
    host.add_process(shim_pid, "containerd-shim", 1, started - 1, "system.slice/containerd.service",
                     cmdline=["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby",
                              "-id", container, "-address", "/run/containerd/containerd.sock"])
    namespace = HOST_NAMESPACE + 1000 + index
    host.add_process(init_pid, "nginx", shim_pid, started, cgroup, namespace=namespace,
                     cmdline=["nginx", "-g", "daemon off;"])
    for worker in range(2):
        host.add_process(init_pid + 2 + worker, "nginx", init_pid, started + 1, cgroup,
                         namespace=namespace, cmdline=["nginx: worker process"])
    if index < GARBAGE["zombies"]:
        host.add_process(init_pid + 5, "sh", shim_pid, started + 2, cgroup,
                         namespace=namespace, state="Z")
    host.host_mounts += container_mounts(host, container, mount_id, links)
    host.namespaces[namespace] = container_namespace_mounts(host, mount_id)


def container_namespace_mounts(host, mount_id):
    """Return the mountinfo lines a container's own mount namespace shows (about 20)."""
    layer = os.path.join(host.overlay, mount_id)
    lines = [f"0:900 / / rw,relatime - overlay overlay rw,lowerdir=x,upperdir={layer}/diff,"
             f"workdir={layer}/work",
             "0:901 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
             "0:902 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
             "0:903 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620",
             "0:904 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro",
             "0:905 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw",
             "0:906 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw",
             "0:907 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k"]
    for name in ("resolv.conf", "hostname", "hosts"):
        lines.append(f"8:1 /docker/containers/x/{name} /etc/{name} rw,relatime - ext4 /dev/vda rw")
    for index, name in enumerate(("asound", "acpi", "kcore", "keys", "timer_list", "scsi")):
        lines.append(f"0:{910 + index} / /proc/{name} ro,relatime - tmpfs tmpfs ro")
    return lines


def hold_mount(host, container, mount_id, links, pid):
    """Leave a stopped container's overlay root mounted in another process's namespace."""
    namespace = HOST_NAMESPACE + 500000 + pid
    host.add_process(pid, "ntpd", 1, 50, "system.slice/ntp.service",
                     namespace=namespace)
    lines = ["8:1 / / rw,relatime - ext4 /dev/vda rw"]
    lines += container_mounts(host, container, mount_id, links)
    host.namespaces[namespace] = lines


def make_layer_garbage(host, tops):
    """Add orphaned layers, dangling metadata, broken links, stale removals, unreferenced chains."""
    for index in range(GARBAGE["orphaned_layers"]):
        host.make_layer(sha(f"orphan-{index}"), [])
        os.utime(os.path.join(host.overlay, sha(f"orphan-{index}")), (1700000000, 1700000000))
    for index in range(GARBAGE["dangling_metadata"]):
        entry = os.path.join(host.layerdb, "sha256", sha(f"dangling-{index}"))
        write(os.path.join(entry, "cache-id"), sha(f"missing-cache-{index}"))
        write(os.path.join(entry, "diff"), "sha256:" + sha(f"dangling-diff-{index}"))
        write(os.path.join(entry, "size"), "0")
    for index in range(GARBAGE["broken_links"]):
        os.symlink(f"../{sha(f'gone-{index}')}/diff",
                   os.path.join(host.overlay, "l", host.short_link()))
    for index in range(GARBAGE["stale_removals"]):
        entry = os.path.join(host.layerdb, "sha256", f"{sha(f'removing-{index}')}-{index:08x}-removing")
        write(os.path.join(entry, "cache-id"), sha(f"removed-cache-{index}"))
        write(os.path.join(entry, "diff"), "sha256:" + sha(f"removing-diff-{index}"))
    for index in range(GARBAGE["write_sets"]):
        write(os.path.join(host.layerdb, "tmp", f"write-set-{index:09d}", "diff"), "")
    for index in range(GARBAGE["unreferenced_images"]):
        make_chain(host, f"untagged-{index}")


def make_proc(host, mount_count):
    """Write the fake procfs: every process, the host and namespace mount tables, stat."""
    self_pid = 4242
    host.add_process(1, "systemd", 0, 1, "init.scope", cmdline=["/sbin/init"])
    host.add_process(self_pid, "layersweep", 1, 90000, "user.slice/session-1.scope")
    for index in range(150):
        host.add_process(200 + index, f"worker{index % 7}", 1, 500 + index,
                         f"system.slice/service-{index % 40}.service")
    for pid, process in host.processes.items():
        write_process(host.proc, pid, process)
    os.symlink(str(self_pid), os.path.join(host.proc, "self"))
    write(os.path.join(host.proc, "stat"),
          "cpu  1 0 1 100 0 0 0 0 0 0\nintr 0\nctxt 0\n"
          f"btime {BOOT_TIME}\nprocesses 100000\nprocs_running 1\n")
    write_mountinfo(os.path.join(host.proc, str(self_pid), "mountinfo"),
                    host_mount_lines(host, mount_count))
    for namespace, lines in host.namespaces.items():
        first = min(pid for pid, process in host.processes.items()
                    if process["namespace"] == namespace)
        write_mountinfo(os.path.join(host.proc, str(first), "mountinfo"), lines)


def write_process(proc, pid, process):
    directory = os.path.join(proc, str(pid))
    os.makedirs(os.path.join(directory, "ns"))
    fields = [process["state"], process["ppid"], pid, pid, 0, -1, 4194560, 0, 0, 0, 0, 0, 0, 0,
              0, 20, 0, 1, 0, process["start"] * CLOCK_TICKS] + [0] * 30
    write(os.path.join(directory, "stat"),
          f"{pid} ({process['comm']}) " + " ".join(map(str, fields)) + "\n")
    write(os.path.join(directory, "cmdline"),
          "".join(argument + "\0" for argument in process["cmdline"]))
    lines = [f"{hierarchy}:{controllers}:/{process['cgroup']}"
             for hierarchy, controllers, _ in V1_HIERARCHIES]
    lines.append(f"0::/{process['cgroup']}")
    write(os.path.join(directory, "cgroup"), "\n".join(lines) + "\n")
    if process["state"] != "Z":
        os.symlink(f"mnt:[{process['namespace']}]", os.path.join(directory, "ns", "mnt"))


def host_mount_lines(host, mount_count):
    """Return the host table: root, cgroup mounts, container mounts, then filler to the count."""
    lines = ["8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw",
             f"0:20 / {host.cgroup_root} ro,nosuid,nodev,noexec shared:2 - tmpfs tmpfs ro,mode=755"]
    for hierarchy, controllers, name in V1_HIERARCHIES:
        lines.append(f"0:{20 + hierarchy} / {host.cgroup_root}/{name} rw,nosuid,nodev,noexec "
                     f"shared:{hierarchy + 2} - cgroup cgroup rw,xattr,{controllers}")
    lines.append(f"0:26 / {host.cgroup_root}/{V2_DIRECTORY} rw,nosuid,nodev,noexec shared:9 - "
                 f"cgroup2 cgroup2 rw,nsdelegate")
    lines += host.host_mounts
    index = 0
    while len(lines) < mount_count:
        # A busy node: projected volumes and secrets of many pods, each a tmpfs.
        lines.append(f"0:{1000 + index} / /run/bench/pods/pod-{index // 4}/volumes/"
                     f"kube-api-access\\040{index % 4} rw,relatime shared:{100 + index} - "
                     f"tmpfs tmpfs rw,size=8388608k")
        index += 1
    return lines


def write_mountinfo(path, lines):
    numbered = [f"{index + 21} {20 if index else 1} {line}" for index, line in enumerate(lines)]
    write(path, "\n".join(numbered) + "\n")


def make_cgroups(host, total):
    """Create `total` cgroup directories over the five hierarchies and consistent counts."""
    names = [name for _, _, name in V1_HIERARCHIES] + [V2_DIRECTORY]
    per_hierarchy = total // len(names)
    services = [f"system.slice/service-{index}.service" for index in range(40)]
    base = ["system.slice", "user.slice", "user.slice/user-1000.slice",
            "user.slice/session-1.scope", "init.scope", "docker",
            "system.slice/containerd.service", "system.slice/ntp.service"]
    paths = base + services + host.container_cgroups
    index = 0
    while len(paths) < per_hierarchy:
        # Transient units that come and go on a busy host, such as cron jobs and sessions.
        paths.append(f"system.slice/service-{index % 40}.service/task-{index}")
        index += 1
    for name in names:
        for path in paths:
            os.makedirs(os.path.join(host.cgroup_root, name, path), exist_ok=True)
    write(os.path.join(host.cgroup_root, V2_DIRECTORY, "cgroup.stat"),
          f"nr_descendants {len(paths)}\nnr_dying_descendants {GARBAGE['dying_v2']}\n")
    rows = ["#subsys_name\thierarchy\tnum_cgroups\tenabled"]
    for hierarchy, controllers, _ in V1_HIERARCHIES:
        dying = GARBAGE["dying_v1"] if controllers == "memory" else 0
        for controller in controllers.split(","):
            if not controller.startswith("name="):
                rows.append(f"{controller}\t{hierarchy}\t{len(paths) + 1 + dying}\t1")
    rows.append("io\t0\t1\t1")
    write(os.path.join(host.proc, "cgroups"), "\n".join(rows) + "\n")
    return len(paths) * len(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()

    host = Host(args.directory, random.Random(7))
    containers = int(2000 * args.scale)
    running = max(GARBAGE["zombies"], int(40 * args.scale))
    # Each container has two layer directories (read-write and init); images take the rest.
    container_layers = 2 * (containers + GARBAGE["leaked_rw_layers"])
    garbage_layers = GARBAGE["orphaned_layers"] + LAYERS_PER_IMAGE * GARBAGE["unreferenced_images"]
    image_layers = int(10000 * args.scale) - container_layers - garbage_layers
    tops = make_images(host, max(1, image_layers // LAYERS_PER_IMAGE))
    make_containers(host, tops, containers, running)
    make_layer_garbage(host, tops)
    make_proc(host, int(20000 * args.scale))
    cgroups = make_cgroups(host, int(10000 * args.scale))
    print(json.dumps({
        "docker_root": host.root, "proc": host.proc, "cgroup_root": host.cgroup_root,
        "overlay2": host.overlay, "empty": host.empty, "docker_socket": host.host + "/docker.sock",
        "mountinfo": os.path.join(host.proc, "self", "mountinfo"),
        "layers": host.layer_count, "containers": containers, "running": running,
        "processes": len(host.processes), "cgroups": cgroups,
        "mounts": int(20000 * args.scale)}))


if __name__ == "__main__":
    main()
