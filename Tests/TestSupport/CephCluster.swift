// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A one-node Ceph with radosgw on loopback (`scripts/ceph.sh`), started once per test process on first use
/// and stopped when the process exits: the real S3-compatible server the object-storage tests run against.
/// Needs Debian's ceph-mon, ceph-osd, radosgw and ceph-common (`scripts/install-test-deps.sh` installs them).
public final class CephCluster: Sendable {
    /// The S3 endpoint, `http://127.0.0.1:PORT`.
    public let endpoint: String
    public let accessKey: String
    public let secretKey: String
    /// The directory the cluster lives in.
    public let directory: String

    /// The process's cluster, started on first use.
    /// - Throws: when Ceph is not installed or does not start (the script's output is in the message).
    public static func shared() throws -> CephCluster {
        switch started {
        case .success(let cluster): return cluster
        case .failure(let error): throw error
        }
    }

    private static let started: Result<CephCluster, CephError> = {
        do throws(CephError) { return .success(try CephCluster()) } catch { return .failure(error) }
    }()

    /// Why the cluster could not be used.
    public struct CephError: Error, CustomStringConvertible {
        public let description: String
    }

    private init() throws(CephError) {
        let script = InteropScript.repositoryRoot + "/scripts/ceph.sh"
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/radosgw") else {
            throw CephError(description: "radosgw is not installed: run scripts/install-test-deps.sh")
        }
        directory = TestScratch.directory("ocitool-ceph").path
        let outputPath = directory + "/start.out"
        let logPath = directory + "/start.log"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let status = Self.run([script, "start", directory], output: outputPath, errors: logPath)
        let printed = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        var values: [String: String] = [:]
        for line in printed.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard status == 0, let endpoint = values["S3_ENDPOINT"],
            let access = values["AWS_ACCESS_KEY_ID"], let secret = values["AWS_SECRET_ACCESS_KEY"]
        else {
            throw CephError(description: "scripts/ceph.sh start failed (\(status)):\n\(log)")
        }
        self.endpoint = endpoint
        accessKey = access
        secretKey = secret
        atexit { if case .success(let cluster) = CephCluster.started { cluster.stop() } }
    }

    /// Stops the daemons and removes the cluster's directory.
    private func stop() {
        let script = InteropScript.repositoryRoot + "/scripts/ceph.sh"
        _ = Self.run([script, "stop", directory], output: "/dev/null", errors: "/dev/null")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a bash script with its output streams in files and waits for it with `waitpid`. Not `Process`: its
    /// termination watch is a socket the child inherits, which the daemons the script starts would hold open.
    /// - Returns: the exit status (-1 when it could not be started).
    private static func run(_ arguments: [String], output: String, errors: String) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = (["/bin/bash"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// The credentials as the environment an S3 tool reads.
    public var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey]
    }
}
