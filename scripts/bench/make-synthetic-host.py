#!/usr/bin/env python3
"""Build a synthetic container host for layersweep's benchmarks.

The host is a directory tree that layersweep reads through its path flags:

  docker/   a Docker data root with overlay2 layers, layerdb chains, images and containers
  proc/     a fake procfs: one process, its mountinfo, /proc/stat and /proc/cgroups
  cgroup/   v1 and v2 cgroup hierarchies as plain directories

Sizes scale with --scale (1.0 gives 10,000 layer directories, 2,000 containers, 20,000 mounts
and 10,000 cgroups). A few orphaned layers and leaked cgroups are added so the audit has
findings to report and bytes to count.
"""

import argparse
import hashlib
import json
import os
import random
import string

LAYERS_PER_IMAGE = 10
FILES_PER_LAYER = 4
HIERARCHIES = ["cpu,cpuacct", "memory", "pids", "name=systemd"]


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(content)


def short_link(rng):
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(26))


def make_layer(overlay, layer_id, lower_links, rng):
    """Create one overlay2 layer directory with its diff, link, lower and l/ symlink."""
    layer = os.path.join(overlay, layer_id)
    os.makedirs(os.path.join(layer, "diff", "etc"))
    for index in range(FILES_PER_LAYER):
        write(os.path.join(layer, "diff", "etc", f"file{index}"), "x" * rng.randint(10, 3000))
    link = short_link(rng)
    write(os.path.join(layer, "link"), link)
    os.symlink(f"../{layer_id}/diff", os.path.join(overlay, "l", link))
    if lower_links:
        os.makedirs(os.path.join(layer, "work"))
        write(os.path.join(layer, "lower"), ":".join(f"l/{name}" for name in lower_links))
    return link


def make_images(root, overlay, image_count, rng):
    """Create images whose layer chains share nothing; return each image's top chain ID and links."""
    layerdb = os.path.join(root, "image/overlay2/layerdb/sha256")
    imagedb = os.path.join(root, "image/overlay2/imagedb/content/sha256")
    tops = []
    for image in range(image_count):
        diff_ids, chain, links = [], None, []
        for depth in range(LAYERS_PER_IMAGE):
            diff_id = "sha256:" + sha(f"diff-{image}-{depth}")
            diff_ids.append(diff_id)
            chain = diff_id if chain is None else "sha256:" + sha(f"{chain} {diff_id}")
            cache_id = sha(f"cache-{image}-{depth}")
            links.insert(0, make_layer(overlay, cache_id, links[:], rng))
            entry = os.path.join(layerdb, chain.split(":")[1])
            write(os.path.join(entry, "cache-id"), cache_id)
            write(os.path.join(entry, "diff"), diff_id)
            write(os.path.join(entry, "size"), str(FILES_PER_LAYER * 1500))
            if depth > 0:
                write(os.path.join(entry, "parent"), previous)
            previous = chain
        config = {"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        body = json.dumps(config)
        write(os.path.join(imagedb, sha(body)), body)
        tops.append((chain, sha(body), links))
    return tops


def make_containers(root, overlay, tops, count, rng):
    """Create stopped containers with RW and init layers on top of the images."""
    mounts_dir = os.path.join(root, "image/overlay2/layerdb/mounts")
    ids = []
    for index in range(count):
        container = sha(f"container-{index}")
        chain, image, links = tops[index % len(tops)]
        mount_id = sha(f"mount-{index}")
        init_link = make_layer(overlay, mount_id + "-init", links, rng)
        make_layer(overlay, mount_id, [init_link] + links, rng)
        write(os.path.join(mounts_dir, container, "mount-id"), mount_id)
        write(os.path.join(mounts_dir, container, "init-id"), mount_id + "-init")
        write(os.path.join(mounts_dir, container, "parent"), chain)
        state = {"Running": False, "Paused": False, "Restarting": False, "OOMKilled": False,
                 "Dead": False, "Pid": 0, "ExitCode": 0, "Error": "",
                 "StartedAt": "2026-01-01T00:00:00Z", "FinishedAt": "2026-01-01T01:00:00Z"}
        config = {"ID": container, "Created": "2026-01-01T00:00:00Z", "Image": "sha256:" + image,
                  "Name": f"/bench-{index}", "Driver": "overlay2", "State": state,
                  "ShmPath": os.path.join(root, "containers", container, "mounts", "shm"),
                  "NetworkSettings": {"SandboxKey": ""}}
        write(os.path.join(root, "containers", container, "config.v2.json"), json.dumps(config))
        ids.append(container)
    return ids


def make_proc(proc, cgroup_root, mount_count, extra_mounts):
    """Create a fake procfs with one process whose mountinfo holds mount_count entries."""
    pid = "4242"
    os.makedirs(os.path.join(proc, pid, "ns"))
    os.symlink(pid, os.path.join(proc, "self"))
    os.symlink("mnt:[4026531840]", os.path.join(proc, pid, "ns", "mnt"))
    write(os.path.join(proc, pid, "stat"),
          f"{pid} (bench) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0 "
          + " ".join(["0"] * 30) + "\n")
    write(os.path.join(proc, pid, "cmdline"), "bench\0")
    write(os.path.join(proc, pid, "cgroup"), "0::/bench\n")
    write(os.path.join(proc, "stat"), "cpu 0 0 0 0\nbtime 1760000000\n")

    lines = ["1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw"]
    mount_id = 2
    for hierarchy_id, controllers in enumerate(HIERARCHIES, start=1):
        name = controllers.replace("name=", "")
        lines.append(f"{mount_id} 1 0:{mount_id} / {cgroup_root}/{name} rw,nosuid - cgroup cgroup "
                     f"rw,{controllers}")
        mount_id += 1
    lines.append(f"{mount_id} 1 0:{mount_id} / {cgroup_root}/unified rw - cgroup2 cgroup2 rw")
    mount_id += 1
    for line in extra_mounts:
        lines.append(f"{mount_id} 1 {line}")
        mount_id += 1
    while len(lines) < mount_count:
        lines.append(f"{mount_id} 1 0:{mount_id} / /run/bench/tmpfs\\040{mount_id} "
                     f"rw,nosuid,nodev - tmpfs tmpfs rw,size=1024k")
        mount_id += 1
    write(os.path.join(proc, pid, "mountinfo"), "\n".join(lines) + "\n")

    counts = ["#subsys_name\thierarchy\tnum_cgroups\tenabled"]
    for hierarchy_id, controllers in enumerate(HIERARCHIES, start=1):
        for controller in controllers.split(","):
            if not controller.startswith("name="):
                counts.append(f"{controller}\t{hierarchy_id}\t1\t1")
    write(os.path.join(proc, "cgroups"), "\n".join(counts) + "\n")


def make_cgroups(cgroup_root, containers, total):
    """Create `total` cgroup directories spread over the hierarchies, docker/<id> per container."""
    names = [controllers.replace("name=", "") for controllers in HIERARCHIES] + ["unified"]
    created = 0
    for name in names:
        os.makedirs(os.path.join(cgroup_root, name, "docker"), exist_ok=True)
        write(os.path.join(cgroup_root, name, "cgroup.stat"), "nr_descendants 0\nnr_dying_descendants 0\n")
    index = 0
    while created < total:
        name = names[index % len(names)]
        container = containers[(index // len(names)) % len(containers)]
        path = os.path.join(cgroup_root, name, "docker", container + ("" if index < len(containers) * len(names) else f"-{index}"))
        os.makedirs(path, exist_ok=True)
        created += 1
        index += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--orphans", type=int, default=20)
    args = parser.parse_args()

    rng = random.Random(7)
    host = os.path.abspath(args.directory)
    root, proc, cgroup_root = (os.path.join(host, name) for name in ("docker", "proc", "cgroup"))
    overlay = os.path.join(root, "overlay2")
    os.makedirs(os.path.join(overlay, "l"))

    containers = int(2000 * args.scale)
    image_layers = int(10000 * args.scale) - 2 * containers - args.orphans
    tops = make_images(root, overlay, max(1, image_layers // LAYERS_PER_IMAGE), rng)
    ids = make_containers(root, overlay, tops, containers, rng)
    for index in range(args.orphans):
        make_layer(overlay, sha(f"orphan-{index}"), [], rng)
        os.utime(os.path.join(overlay, sha(f"orphan-{index}")), (1700000000, 1700000000))

    make_proc(proc, cgroup_root, int(20000 * args.scale), [])
    make_cgroups(cgroup_root, ids, int(10000 * args.scale))
    print(json.dumps({"docker_root": root, "proc": proc, "cgroup_root": cgroup_root,
                      "overlay2": overlay, "containers": containers}))


if __name__ == "__main__":
    main()
