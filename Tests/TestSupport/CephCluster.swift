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
        guard let pid = Self.spawn([script, "start", directory], output: outputPath, errors: logPath) else {
            throw CephError(description: "cannot run \(script)")
        }
        // The script prints the credentials last. Its output is polled rather than its exit awaited: the exit
        // status of a shell whose daemons live on is not always ours to collect in a test process.
        var values: [String: String] = [:]
        let deadline = Date().addingTimeInterval(240)
        var exited = false
        while values["AWS_SECRET_ACCESS_KEY"] == nil, Date() < deadline, !exited {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            exited = reaped == pid || (reaped == -1 && errno == ECHILD)
            let printed = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            for line in printed.split(separator: "\n") where printed.hasSuffix("\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
            }
            if values["AWS_SECRET_ACCESS_KEY"] == nil, !exited { usleep(100_000) }
        }
        guard let endpoint = values["S3_ENDPOINT"], let access = values["AWS_ACCESS_KEY_ID"],
            let secret = values["AWS_SECRET_ACCESS_KEY"]
        else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            Self.stop(directory, removing: false)
            throw CephError(description: "scripts/ceph.sh start did not print credentials (see \(directory)/log):\n\(log)")
        }
        self.endpoint = endpoint
        accessKey = access
        secretKey = secret
        atexit { if case .success(let cluster) = CephCluster.started { cluster.stop() } }
    }

    /// Stops the daemons and removes the cluster's directory.
    private func stop() { Self.stop(directory, removing: true) }

    /// Stops whatever daemons of the cluster in `directory` run; removes the directory unless asked to keep it
    /// (its logs explain a failed start).
    private static func stop(_ directory: String, removing: Bool) {
        let script = InteropScript.repositoryRoot + "/scripts/ceph.sh"
        if let pid = spawn([script, "stop", directory], output: "/dev/null", errors: "/dev/null") {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        }
        if removing { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Starts a bash script with its output streams in files. Not `Process`: its termination watch is a socket
    /// the child inherits, which the daemons the script starts would hold open.
    /// - Returns: its process ID, or nil when it could not be started.
    private static func spawn(_ arguments: [String], output: String, errors: String) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Default signal handling, nothing blocked, a process group of its own: the test process ignores SIGPIPE
        // and may block signals, which a shell and its daemons would otherwise inherit.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let argv = (["/bin/bash"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        return posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, environ) == 0 ? pid : nil
    }

    /// The credentials as the environment an S3 tool reads.
    public var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey]
    }
}
