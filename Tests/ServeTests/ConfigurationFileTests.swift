// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Logging
import Testing

@testable import Serve

/// `ocitool serve --config FILE` and `--check-config`: every setting parses, mistakes are one precise line.
@Suite("Serve: configuration file")
struct ConfigurationFileTests {
    static let full = """
        root: store
        host: 0.0.0.0
        port: 5443
        uploadExpiry: 30m
        deletes: false
        readOnly: true
        insecureHTTP: false
        log:
          level: debug
          format: json
          access: false
        tls:
          certificate: tls/cert.pem
          key: /etc/key.pem
          clientCA: tls/ca.pem
        auth:
          htpasswd: htpasswd
          anonymousRead: true
          groups:
            devs: [alice, bob]
          access:
            - users: [carol]
              groups: [devs]
              repositories: ["team/*", "**/base"]
              actions: [pull, push]
            - users: "*"
              repositories: "**"
              actions: [pull]
          token:
            service: registry.example.com
            realm: https://registry.example.com/token
            secret: 0123456789abcdef0123456789abcdef
            expiry: 10m
          failedLogins:
            max: 3
            window: 2m
        rateLimit:
          requestsPerSecond: 50
          burst: 100
        gc:
          interval: 12h
          grace: 90m
          untagged: true
        metrics:
          enabled: false
          storeSizeInterval: 5m
        storage:
          s3: s3://registry/prod
          endpoint: http://rgw.internal:7480
          region: eu-1
          singleReplica: true
          redirect: true
          cache:
            dir: cache
            maxSize: 20GiB
        """

    @Test func configFileParsingCoversEverySetting() throws {
        let configuration = try ServeConfiguration.parse(
            yaml: ConfigurationFileTests.full, file: "/etc/ocitool/serve.yaml")
        #expect(configuration.root == "/etc/ocitool/store")
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 5443)
        #expect(configuration.uploadExpiry == .seconds(1800))
        #expect(!configuration.deleteEnabled)
        #expect(configuration.readOnly)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
        #expect(!configuration.accessLog)
        #expect(
            configuration.tls
                == ServeConfiguration.TLS(
                    certificate: "/etc/ocitool/tls/cert.pem", key: "/etc/key.pem", clientCA: "/etc/ocitool/tls/ca.pem"))
        let auth = try #require(configuration.auth)
        #expect(auth.htpasswd == "/etc/ocitool/htpasswd")
        #expect(auth.anonymousRead)
        #expect(auth.groups == ["devs": ["alice", "bob"]])
        #expect(
            auth.rules == [
                AuthConfiguration.Rule(
                    users: ["carol"], groups: ["devs"], repositories: ["team/*", "**/base"], actions: [.pull, .push]),
                AuthConfiguration.Rule(users: ["*"], repositories: ["**"], actions: [.pull]),
            ])
        #expect(
            auth.token
                == AuthConfiguration.Token(
                    service: "registry.example.com", realm: "https://registry.example.com/token",
                    secret: "0123456789abcdef0123456789abcdef", expiry: .seconds(600)))
        #expect(auth.failedLoginLimit == 3)
        #expect(auth.failedLoginWindow == .seconds(120))
        #expect(configuration.rateLimit == ServeConfiguration.RateLimit(requestsPerSecond: 50, burst: 100))
        #expect(
            configuration.gc
                == ServeConfiguration.OnlineGC(interval: .seconds(43200), grace: .seconds(5400), untagged: true))
        #expect(configuration.metrics == ServeConfiguration.Metrics(enabled: false, storeSizeInterval: .seconds(300)))
        var storage = ServeConfiguration.ObjectStore(
            url: "s3://registry/prod", endpoint: "http://rgw.internal:7480", region: "eu-1", singleReplica: true)
        storage.redirect = true
        storage.cache = .init(directory: "/etc/ocitool/cache", maxSize: 20 << 30)
        #expect(configuration.storage == storage)
    }

    @Test func checkConfigOutputReadsBackAsTheSameConfiguration() throws {
        let configuration = try ServeConfiguration.parse(
            yaml: ConfigurationFileTests.full, file: "/etc/ocitool/serve.yaml")
        let printed = configuration.effectiveYAML
        #expect(!printed.contains("0123456789abcdef"), "the token secret must never be printed")
        var again = try ServeConfiguration.parse(yaml: printed, file: "/elsewhere/printed.yaml")
        again.auth?.token?.secret = configuration.auth?.token?.secret
        #expect(again.effectiveYAML == printed)
        // Settings the file leaves out keep the base's values (flags are applied over the file the same way).
        let base = ServeConfiguration(root: "/base", port: 6000)
        let partial = try ServeConfiguration.parse(yaml: "host: ::1\n", file: "p.yaml", over: base)
        #expect(partial.root == "/base" && partial.port == 6000 && partial.host == "::1")
    }

    @Test(arguments: [
        ("root: x\nhots: y\n", "serve.yaml:2:1: unknown setting 'hots'"),
        ("port: 70000\n", "serve.yaml:1:7: 'port' must be a whole number from 0 to 65535"),
        ("uploadExpiry: soon\n", "serve.yaml:1:15: 'uploadExpiry' must be a duration"),
        ("log:\n  format: xml\n", "serve.yaml:2:11: 'log.format' must be text or json"),
        ("tls:\n  certificate: c.pem\n", "serve.yaml:2:3: 'tls' needs both 'certificate' and 'key'"),
        (
            "auth:\n  htpasswd: h\n  access:\n    - users: [a]\n      repositories: [x]\n      actions: [pul]\n",
            "serve.yaml:6:16: 'auth.access[0].actions': unknown action 'pul'"
        ),
        (
            "auth:\n  htpasswd: h\n  access:\n    - groups: [ops]\n      repositories: [x]\n      actions: [pull]\n",
            "serve.yaml:4:15: 'auth.access[0].groups' names group 'ops'"
        ),
        ("gc:\n  interval: 1h\n  untagged: maybe\n", "serve.yaml:3:13: 'gc.untagged' must be true or false"),
        ("root: [unclosed\n", "serve.yaml:2:1: invalid YAML"),
        ("storage:\n  endpoint: http://x\n", "serve.yaml:2:3: 'storage' needs 's3: s3://BUCKET/PREFIX'"),
        (
            "storage:\n  s3: s3://b\n  cache:\n    dir: c\n    maxSize: lots\n",
            "serve.yaml:5:14: 'storage.cache.maxSize' must be bytes, or a number with KiB, MiB, GiB or TiB"
        ),
    ])
    func checkConfigErrorsNameFileLineAndColumn(yaml: String, expected: String) {
        #expect {
            try ServeConfiguration.parse(yaml: yaml, file: "serve.yaml")
        } throws: { error in
            let message = (error as? ConfigurationError)?.message ?? ""
            return message.hasPrefix(expected) && !message.contains("\n")
        }
    }

    @Test func checkConfigValidationRefusesWhatCannotBeServed() throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        func message(_ configure: (inout ServeConfiguration) -> Void) -> String? {
            var configuration = ServeConfiguration(root: fixture.root)
            configure(&configuration)
            do {
                try configuration.validate()
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message { _ in } == nil)
        #expect(message { $0.root = "" }?.hasPrefix("root: no store root") == true)
        // Plain HTTP only on loopback, unless explicitly asked.
        #expect(message { $0.host = "0.0.0.0" }?.hasPrefix("host (--host): 0.0.0.0 is not a loopback address") == true)
        #expect(
            message {
                $0.host = "0.0.0.0"
                $0.insecureHTTP = true
            } == nil)
        #expect(message { $0.host = "::1" } == nil)
        #expect(message { $0.host = "127.0.0.2" } == nil)
        // Files are loaded: a missing htpasswd, a hash that is not bcrypt, a missing certificate.
        #expect(
            message { $0.auth = AuthConfiguration(htpasswd: fixture.root + "/none") }?.contains(
                "cannot read the htpasswd file") == true)
        let md5 = fixture.root + "/md5"
        try "alice:$apr1$abcdefgh$0123456789abcdefghijkl\n".write(toFile: md5, atomically: true, encoding: .utf8)
        #expect(
            message { $0.auth = AuthConfiguration(htpasswd: md5) }
                == "\(md5):1: the hash of 'alice' is not bcrypt (create it with 'htpasswd -B')")
        #expect(
            message {
                $0.tls = ServeConfiguration.TLS(certificate: fixture.root + "/none.pem", key: fixture.root + "/k.pem")
            }?
            .hasPrefix("tls certificate \(fixture.root)/none.pem: cannot read the file") == true)
        #expect(
            message { $0.rateLimit = ServeConfiguration.RateLimit(requestsPerSecond: 0) }?.hasPrefix(
                "rateLimit.requestsPerSecond") == true)
        // A bucket is checked without being reached: its name and the endpoint's form.
        #expect(message { $0.storage = .init(url: "s3://x") }?.hasPrefix("storage (--storage): ") == true)
        #expect(message { $0.storage = .init(url: "s3://bucket/p", endpoint: "rgw:7480") }?.contains("http") == true)
        #expect(message { $0.storage = .init(url: "s3://bucket/p", endpoint: "http://rgw:7480") } == nil)
    }

    @Test func theREADMEExampleConfigurationParses() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/serve.yaml").path
        let configuration = try ServeConfiguration.load(file: example)
        #expect(configuration.root == "/srv/registry")
        #expect(configuration.auth?.rules.count == 2)
        #expect(configuration.auth?.token?.service == "registry.example.com")
        #expect(configuration.gc?.interval == .seconds(86400))
    }

    @Test func durations() {
        #expect(DurationText.parse("90s") == .seconds(90))
        #expect(DurationText.parse("1h30m") == .seconds(5400))
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("2d") == .seconds(172_800))
        #expect(DurationText.parse("42") == .seconds(42))
        #expect(DurationText.parse("1x") == nil)
        #expect(DurationText.parse("") == nil)
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.milliseconds(1500)) == "1s500ms")
    }
}
