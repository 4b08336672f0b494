import Foundation
import Testing

@testable import LayersweepKit

@Suite struct KernelLogReaderTests {
  static let records = """
    6,1200,5140900,-;loop0: detected capacity change from 0 to 131072
    3,1201,7260123,-;INFO: task kworker/u4:2:4107 blocked for more than 122 seconds.
     SUBSYSTEM=block
    3,1202,7260200,-;      Not tainted 6.1.0 #1
    3,1203,7260300,-;INFO: task my:odd:name:77 blocked for more than 241 seconds.
    3,1204,7260400,c;INFO: task broken blocked for more than x seconds.

    """

  @Test func parsesHungTaskReports() {
    let reports = KernelLogReader.parseReports(Self.records)
    #expect(reports.count == 2)
    #expect(reports.first?.command == "kworker/u4:2")
    #expect(reports.first?.pid == 4107)
    #expect(reports.first?.blockedSeconds == 122)
    #expect(reports.first?.loggedAtMicroseconds == 7_260_123)
    #expect(reports.last?.command == "my:odd:name")
    #expect(reports.last?.pid == 77)
  }

  @Test func readsFromFileWithoutBlocking() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/kmsg"
    try Self.records.write(toFile: path, atomically: true, encoding: .utf8)
    let reader = try KernelLogReader(path: path, startAtEnd: false)
    #expect(reader.readReports().map(\.pid) == [4107, 77])
    #expect(reader.readReports().isEmpty)
  }

  @Test func missingDeviceNamesPath() {
    #expect(throws: WatchError.unreadable(path: "/nonexistent/kmsg", errno: ENOENT)) {
      try KernelLogReader(path: "/nonexistent/kmsg", startAtEnd: true)
    }
  }
}
