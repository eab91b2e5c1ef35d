// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout
import Sync
import Testing

@Suite struct SyncConfigTests {
    static let valid = #"""
        source:
          registry: registry.example.com:5000
          credentials: reader:se:cret
          tlsVerify: false
        destination:
          layout: mirror
        repositories:
          - name: team/app
            destination: copies/{name}
            tags:
              allow: ['^v?\d+\.\d+\.\d+$']
              deny: -rc
              semver: '>=1.2 <2'
              latest: 3
            platforms: [linux/amd64, linux/arm64/v8]
            artifactTypes: application/spdx+json
          - name: tools/cli
            all: true
            referrers: false
        """#

    @Test func aValidConfigurationBecomesOneJobPerRepository() throws {
        let config = try SyncConfig(yaml: SyncConfigTests.valid, name: "sync.yaml")
        #expect(config.repositories.map(\.name) == ["team/app", "tools/cli"])
        #expect(config.repositories[0].tags?.deny == ["-rc"])  // a single expression is a list of one
        let jobs = try config.jobs(defaults: RegistryOptions(plainHTTP: true), baseDirectory: "/etc/ocitool")

        #expect(jobs.count == 2)
        let app = jobs[0]
        #expect(app.source == .registry(host: "registry.example.com:5000", repository: "team/app", selector: nil))
        #expect(app.destination == .layout(path: "/etc/ocitool/mirror/copies/team/app", selector: nil))
        #expect(app.sourceRegistry.credentials == Credentials(username: "reader", password: "se:cret"))
        #expect(app.sourceRegistry.transport.tlsVerify == false)
        #expect(app.sourceRegistry.plainHTTP)  // from the defaults
        #expect(app.filter.allow == [#"^v?\d+\.\d+\.\d+$"#])
        #expect(app.filter.latest == 3)
        #expect(app.filter.apply(["1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0-rc", "1.6.0-rc1", "v1.7.0", "2.0.0", "latest"])
            == ["1.3.0", "1.4.0", "v1.7.0"])
        #expect(app.copy.platforms.map(\.description) == ["linux/amd64", "linux/arm64/v8"])
        #expect(app.copy.artifactTypes == ["application/spdx+json"])
        #expect(app.copy.referrers && !app.copy.all)

        let cli = jobs[1]
        #expect(cli.destination == .layout(path: "/etc/ocitool/mirror/tools/cli", selector: nil))
        #expect(cli.copy.all && !cli.copy.referrers)
        #expect(cli.filter.apply(["b", "a"]) == ["a", "b"])
    }

    /// `noCreds` per side: that side is read anonymously (the command line's --creds does not reach it); the other
    /// side keeps the command line's settings.
    @Test func noCredsMakesOneSideAnonymous() throws {
        let text = "source: {registry: a, noCreds: true}\ndestination: {registry: b}\nrepositories: [{name: x}]"
        let defaults = RegistryOptions(credentials: Credentials(username: "u", password: "p"))
        let job = try #require(try SyncConfig(yaml: text).jobs(defaults: defaults).first)
        #expect(job.sourceRegistry.anonymous)
        #expect(try job.sourceRegistry.configuration(registry: "a").credentials == nil)
        #expect(!job.destinationRegistry.anonymous)
        #expect(try job.destinationRegistry.configuration(registry: "b").credentials == Credentials(username: "u", password: "p"))
    }

    /// A side's own `authfile` replaces the command line's --creds for that side (as --src-authfile does).
    @Test func aSidesAuthFileReplacesTheCommandLinesCredentials() throws {
        let text = "source: {registry: a, authfile: auth.json}\ndestination: {registry: b}\nrepositories: [{name: x}]"
        let defaults = RegistryOptions(credentials: Credentials(username: "u", password: "p"))
        let job = try #require(try SyncConfig(yaml: text).jobs(defaults: defaults, baseDirectory: "/etc/ocitool").first)
        #expect(job.sourceRegistry.credentials == nil)
        #expect(job.sourceRegistry.authFile == "/etc/ocitool/auth.json")
        #expect(job.destinationRegistry.credentials == Credentials(username: "u", password: "p"))
    }

    @Test func jsonIsYAMLToo() throws {
        let text = #"{"source": {"layout": "/a"}, "destination": {"registry": "h:1", "plainHTTP": true}, "repositories": [{"name": "x"}]}"#
        let jobs = try SyncConfig(yaml: text).jobs()
        #expect(jobs.map(\.destination) == [.registry(host: "h:1", repository: "x", selector: nil)])
        #expect(jobs[0].destinationRegistry.plainHTTP)
    }

    static let minimal = "source: {registry: a.example}\ndestination: {registry: b.example}\n"

    /// Each broken configuration and the message it must give.
    static let mistakes: [(String, String)] = [
        ("", "sync.yaml: the document"),
        ("source: [", "invalid YAML"),
        ("source: {registry: a}\nrepositories: []", "sync.yaml:1:1: missing setting 'destination'"),
        (minimal, "missing setting 'repositories'"),
        (minimal + "repositories: []", "repositories: list at least one repository"),
        (minimal + "repository: [{name: x}]", "sync.yaml:3:1: unknown setting 'repository' (did you mean 'repositories'?)"),
        (minimal + "repositories: {name: x}", "'repositories' must be a list"),
        (minimal + "repositories: [{destination: y}]", "missing setting 'repositories[0].name'"),
        (minimal + "repositories: [{name: x, tag: {latest: 1}}]", "unknown setting 'repositories[0].tag' (did you mean 'tags'?)"),
        (minimal + "repositories: [{name: x}, {name: y, tags: {latest: many}}]", "'repositories[1].tags.latest' must be a whole number"),
        (minimal + "repositories: [{name: x, tags: {latest: 0}}]", "repositories[0].tags.latest: latest must be at least 1"),
        (minimal + "repositories: [{name: x, tags: {allow: ['^a', '(']}}]", "repositories[0].tags.allow[1]: invalid regular expression '('"),
        (minimal + "repositories: [{name: x, tags: {deny: ['']}}]", "repositories[0].tags.deny[0]: invalid regular expression ''"),
        (minimal + "repositories: [{name: x, tags: {semver: '>=1.x.2'}}]", "repositories[0].tags.semver: invalid version range '>=1.x.2'"),
        (minimal + "repositories: [{name: x, tags: {regex: a}}]", "unknown setting 'repositories[0].tags.regex'"),
        (minimal + "repositories: [{name: Team/App}]", "repositories[0].name: invalid repository name 'Team/App'"),
        (minimal + "repositories: [{name: x, destination: 'm/{repo}'}]", "repositories[0].destination: '{repo}' is not a placeholder"),
        (minimal + "repositories: [{name: x, destination: 'm//{name}'}]", "repositories[0].destination: invalid repository name 'm//x'"),
        (minimal + "repositories: [{name: x, platforms: [linux]}]", "repositories[0].platforms[0]:"),
        (minimal + "repositories: [{name: x, all: yes-please}]", "'repositories[0].all' must be true or false"),
        (minimal + "repositories: [{name: x, all: true, platforms: [linux/amd64]}]", "repositories[0]: 'all' copies every platform"),
        (minimal + "repositories: [{name: x, artifactTypes: [spdx]}]", "repositories[0].artifactTypes[0]: 'spdx' is not a media type"),
        (minimal + "repositories: [{name: x, referrers: false, artifactTypes: [a/b]}]", "repositories[0]: 'artifactTypes' selects referrers, but 'referrers' is false"),
        ("source: {}\ndestination: {registry: b}\nrepositories: [{name: x}]", "source: give 'registry: HOST[:PORT]' or 'layout: DIR'"),
        ("source: {registry: a, layout: /x}\ndestination: {registry: b}\nrepositories: [{name: x}]", "source: give either 'registry' or 'layout', not both"),
        ("source: {registry: 'https://a/v2'}\ndestination: {registry: b}\nrepositories: [{name: x}]", "source.registry: 'https://a/v2' is not HOST[:PORT]"),
        ("source: {registry: a}\ndestination: {layout: /m, plainHTTP: true}\nrepositories: [{name: x}]", "destination.plainHTTP: applies to a registry, not to a layout"),
        ("source: {registry: a, credentials: nobody}\ndestination: {registry: b}\nrepositories: [{name: x}]", "source.credentials: must be USER:PASSWORD"),
        ("source: {registry: a, noCreds: true, credentials: u:p}\ndestination: {registry: b}\nrepositories: [{name: x}]", "source.noCreds: cannot be combined with 'credentials' or 'authfile'"),
        ("source: {registry: a}\ndestination: {layout: /m, noCreds: true}\nrepositories: [{name: x}]", "destination.noCreds: applies to a registry, not to a layout"),
        ("source: {registry: a, plainHttp: true}\ndestination: {registry: b}\nrepositories: [{name: x}]", "unknown setting 'source.plainHttp' (did you mean 'plainHTTP'?)"),
    ]

    @Test(arguments: mistakes)
    func eachMistakeGivesAPreciseError(text: String, message: String) {
        #expect {
            _ = try SyncConfig(yaml: text, name: "sync.yaml").jobs()
        } throws: { error in
            guard let error = error as? SyncError, case .invalidArgument = error else { return false }
            return error.description.contains(message)
        }
    }

    /// As in serve.yaml, every mistake is one line at FILE:LINE:COLUMN, those `jobs` finds later included.
    static let located: [(String, String)] = [
        ("source: [", "sync.yaml:2:1: invalid YAML: did not find expected node content"),
        ("source: {registry: a}\nrepositories: []", "sync.yaml:1:1: missing setting 'destination'"),
        (minimal + "repository: [{name: x}]", "sync.yaml:3:1: unknown setting 'repository' (did you mean 'repositories'?)"),
        (minimal + "repositories: [{name: x}, {name: y, tags: {latest: many}}]", "sync.yaml:3:52: 'repositories[1].tags.latest' must be a whole number"),
        (minimal + "repositories: [{name: x, tags: {allow: ['^a', '(']}}]", "sync.yaml:3:47: repositories[0].tags.allow[1]: invalid regular expression '('"),
        ("source:\n  registry: a\ndestination:\n  registry: b\nrepositories:\n  - name: x\n    tags:\n      latest: 0\n",
         "sync.yaml:8:15: repositories[0].tags.latest: latest must be at least 1"),
    ]

    @Test(arguments: located)
    func errorsNameFileLineAndColumn(text: String, expected: String) {
        #expect {
            _ = try SyncConfig(yaml: text, name: "sync.yaml").jobs()
        } throws: { error in
            let message = (error as? SyncError)?.description ?? ""
            return message.hasPrefix(expected) && !message.contains("\n")
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect {
            _ = try SyncConfig.load("/nonexistent/sync.yaml")
        } throws: { error in
            "\(error)" == "cannot read the configuration file /nonexistent/sync.yaml"
        }
    }
}
