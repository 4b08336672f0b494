import LayersweepKit

#if canImport(Glibc)
  import Glibc
#endif

exit(Layersweep.main(Array(CommandLine.arguments.dropFirst())))
