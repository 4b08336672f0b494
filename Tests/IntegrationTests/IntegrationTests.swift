// Integration tests against real runtimes live in this target; each suite starts what it needs.
