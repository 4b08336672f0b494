#!/usr/bin/env python3
"""Build a synthetic containers/storage overlay store (Podman, CRI-O) for layersweep's benchmarks.

Writes DIR/graph (the graph root) and DIR/run (the run root) as Podman 4.3 lays them out:
overlay/<id>/ layer directories with diff/, link, lower and work/, the overlay/l/ short links,
overlay-layers/layers.json, overlay-images/images.json, overlay-containers/containers.json,
the run root's overlay-layers/mountpoints.json, and the four lock files.

--layers sets the number of layer directories (default 10,000): a fifth are the read-write
layers of containers, most of the rest belong to images of 10 layers each, and 20 are orphaned
layer directories that no record names, so the audit has findings.

Prints one JSON object naming the roots and the counts it created.
"""

import argparse
import hashlib
import json
import os
import random
import string

LAYERS_PER_IMAGE = 10
FILES_PER_LAYER = 4
ORPHANS = 20
CREATED = "2026-01-01T00:00:00Z"


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(content)


class Store:
    """The roots of one store and the records collected while its layers are written."""

    def __init__(self, directory, rng):
        self.graph = os.path.join(os.path.abspath(directory), "graph")
        self.run = os.path.join(os.path.abspath(directory), "run")
        self.driver = os.path.join(self.graph, "overlay")
        self.rng = rng
        self.layers = []
        self.layer_count = 0
        os.makedirs(os.path.join(self.driver, "l"))

    def make_layer(self, layer_id, parent, lower_links, record=True):
        """Create one layer directory and its short link; return the link name."""
        layer = os.path.join(self.driver, layer_id)
        os.makedirs(os.path.join(layer, "diff", "etc"))
        os.makedirs(os.path.join(layer, "work"))
        for index in range(FILES_PER_LAYER):
            size = self.rng.randint(10, 3000)
            write(os.path.join(layer, "diff", "etc", f"file{index}"), "x" * size)
        link = "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(26))
        write(os.path.join(layer, "link"), link)
        os.symlink(f"../{layer_id}/diff", os.path.join(self.driver, "l", link))
        if lower_links:
            write(os.path.join(layer, "lower"), ":".join(f"l/{name}" for name in lower_links))
        if record:
            entry = {"id": layer_id, "created": CREATED, "compressed-size": 1024,
                     "uncompressed-size": FILES_PER_LAYER * 1500}
            if parent:
                entry["parent"] = parent
            self.layers.append(entry)
        self.layer_count += 1
        return link


def make_images(store, count):
    """Create `count` images of LAYERS_PER_IMAGE layers; return (image id, top layer, links)."""
    images = []
    for image in range(count):
        parent, links = None, []
        for depth in range(LAYERS_PER_IMAGE):
            layer_id = sha(f"image-{image}-layer-{depth}")
            links.insert(0, store.make_layer(layer_id, parent, links[:]))
            parent = layer_id
        images.append((sha(f"image-{image}"), parent, links))
    records = [{"id": image_id, "names": [f"localhost/bench-{index}:latest"], "layer": top,
                "created": CREATED}
               for index, (image_id, top, _) in enumerate(images)]
    write(os.path.join(store.graph, "overlay-images", "images.json"), json.dumps(records))
    return images


def make_containers(store, images, count):
    """Create `count` stopped Podman containers, each with a read-write layer on an image."""
    records = []
    for index in range(count):
        image_id, top, links = images[index % len(images)]
        container = sha(f"container-{index}")
        layer_id = sha(f"container-{index}-layer")
        store.make_layer(layer_id, top, links)
        records.append({"id": container, "names": [f"bench-{index}"], "image": image_id,
                        "layer": layer_id, "metadata": json.dumps({"image-name": "bench"}),
                        "created": CREATED})
    write(os.path.join(store.graph, "overlay-containers", "containers.json"), json.dumps(records))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--layers", type=int, default=10000)
    args = parser.parse_args()

    store = Store(args.directory, random.Random(11))
    containers = args.layers // 5
    images = make_images(store, max(1, (args.layers - containers - ORPHANS) // LAYERS_PER_IMAGE))
    make_containers(store, images, containers)
    for index in range(ORPHANS):
        store.make_layer(sha(f"orphan-{index}"), None, [], record=False)
    write(os.path.join(store.graph, "overlay-layers", "layers.json"), json.dumps(store.layers))
    write(os.path.join(store.run, "overlay-layers", "mountpoints.json"), "[]")
    for lock in ("overlay-layers/layers.lock", "overlay-images/images.lock",
                 "overlay-containers/containers.lock"):
        write(os.path.join(store.graph, lock), "")
    write(os.path.join(store.run, "overlay-layers", "mountpoints.lock"), "")
    print(json.dumps({"graph_root": store.graph, "run_root": store.run,
                      "layers": store.layer_count, "images": len(images),
                      "containers": containers, "orphans": ORPHANS}))


if __name__ == "__main__":
    main()
