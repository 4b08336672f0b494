/// Process exit statuses. 0, 1 and 2 match node-problem-detector's custom plugin contract
/// (OK, NonOK, Unknown).
public enum ExitStatus: Int32, Sendable {
  /// Nothing wrong was found, or everything planned was done.
  case healthy = 0
  /// Findings are present, or some planned items were skipped or failed.
  case findings = 1
  /// The run could not complete; the error was printed.
  case failed = 2
  /// The command line was invalid.
  case usage = 64
}
