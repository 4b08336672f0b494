import Foundation
import LayersweepKit

#if canImport(Glibc)
  import Glibc
#endif

/// `layersweep-bench`: runs one library routine on a path so `scripts/bench.sh` can time it
/// against a standard tool. Not installed; the shipped CLI has no benchmark commands.
let usage = """
  Usage: layersweep-bench <command> <path>

  Commands:
    du <dir>             Print the apparent bytes of <dir> (DiskUsage.measure), as `du -sb`.
    mountinfo <file>     Parse a mountinfo file (MountInfoReader.read) and print its entry count.

  """

/// Runs `command` on `path` and returns the line to print.
func runBenchmark(_ command: String, _ path: String) throws -> String? {
  switch command {
  case "du":
    let usage = try DiskUsage.measure(path)
    return "\(usage.apparentBytes)\t\(path)"
  case "mountinfo":
    return String(try MountInfoReader.read(path: path).count)
  default:
    return nil
  }
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2, let command = arguments.first, let path = arguments.last else {
  FileHandle.standardError.write(Data(usage.utf8))
  exit(64)
}
do {
  guard let line = try runBenchmark(command, path) else {
    FileHandle.standardError.write(Data(("unknown command '\(command)'\n" + usage).utf8))
    exit(64)
  }
  print(line)
} catch {
  FileHandle.standardError.write(Data("layersweep-bench: \(error)\n".utf8))
  exit(2)
}
