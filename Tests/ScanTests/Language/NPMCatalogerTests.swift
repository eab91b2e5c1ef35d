// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

@Suite("Scan: npm catalogers")
struct NPMCatalogerTests {
    let packageJSON = PackageJSONCataloger()
    let packageLock = PackageLockCataloger()
    let yarnLock = YarnLockCataloger()

    @Test func packageJSONNameVersionLicenseAndPurl() throws {
        let scoped = try CatalogHarness(
            packageJSON, path: "app/node_modules/@babel/core/package.json",
            text: #"{"name": "@babel/core", "version": "7.24.0", "license": "MIT", "dependencies": {"x": "^1"}}"#, chunk: 3)
        let package = try #require(scoped.packages.first)
        #expect(package.name == "@babel/core" && package.version == "7.24.0")
        #expect(package.purl.description == "pkg:npm/%40babel/core@7.24.0")
        #expect(package.licenses == ["MIT"] && package.ecosystem == "npm" && package.kind == .npm)

        // The legacy shapes of the license field.
        let object = try CatalogHarness(
            packageJSON, path: "node_modules/a/package.json",
            text: #"{"name": "a", "version": "1.0.0", "license": {"type": "ISC", "url": "https://x"}}"#)
        #expect(object.packages.first?.licenses == ["ISC"])
        let array = try CatalogHarness(
            packageJSON, path: "node_modules/b/package.json",
            text: #"{"name": "b", "version": "2.0.0", "licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}"#)
        #expect(array.packages.first?.licenses == ["MIT", "Apache-2.0"])
    }

    /// As syft decides: a package.json counts when it has a name and a version, wherever it is (the application's
    /// own too); the `{"type": "module"}` markers inside packages do not.
    @Test func packageJSONWithoutNameOrVersionIsNotAPackage() throws {
        let app = try CatalogHarness(packageJSON, path: "srv/app/package.json", text: #"{"name": "my-app", "version": "0.1.0"}"#)
        #expect(app.coordinates == ["my-app@0.1.0"])
        let marker = try CatalogHarness(packageJSON, path: "node_modules/x/esm/package.json", text: #"{"type": "module"}"#)
        #expect(marker.packages.isEmpty && marker.skips.isEmpty)
        let private_ = try CatalogHarness(packageJSON, path: "srv/app/package.json", text: #"{"name": "my-app", "private": true}"#)
        #expect(private_.packages.isEmpty)
    }

    @Test func packageLockVersion1() throws {
        let lock = """
            {"name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": true,
             "dependencies": {
               "lodash": {"version": "4.17.20", "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"},
               "mocha": {"version": "10.0.0", "dev": true},
               "@scope/a": {"version": "1.2.3", "requires": {"ms": "2.0.0"},
                 "dependencies": {"ms": {"version": "2.0.0"}}},
               "ms": {"version": "2.1.3"}
             }}
            """
        let result = try CatalogHarness(packageLock, path: "srv/app/package-lock.json", text: lock)
        #expect(result.coordinates == ["@scope/a@1.2.3", "lodash@4.17.20", "ms@2.0.0", "ms@2.1.3"])
        #expect(result.packages.first { $0.name == "@scope/a" }?.purl.description == "pkg:npm/%40scope/a@1.2.3")
    }

    @Test func packageLockVersions2And3() throws {
        for version in [2, 3] {
            let lock = """
                {"name": "app", "version": "1.0.0", "lockfileVersion": \(version), "requires": true,
                 "packages": {
                   "": {"name": "app", "version": "1.0.0", "license": "UNLICENSED"},
                   "node_modules/lodash": {"version": "4.17.21", "license": "MIT"},
                   "node_modules/mocha": {"version": "10.0.0", "dev": true},
                   "node_modules/@types/node": {"version": "20.1.0", "license": "MIT"},
                   "node_modules/a/node_modules/ms": {"version": "2.0.0"},
                   "node_modules/b-alias": {"name": "b", "version": "3.0.0"},
                   "node_modules/local": {"resolved": "packages/local", "link": true},
                   "packages/local": {"name": "local", "version": "0.0.1"}
                 }}
                """
            let result = try CatalogHarness(packageLock, path: "app/package-lock.json", text: lock)
            #expect(
                result.coordinates == ["@types/node@20.1.0", "app@1.0.0", "b@3.0.0", "local@0.0.1", "lodash@4.17.21", "ms@2.0.0"],
                "lockfileVersion \(version)")
            #expect(result.packages.first { $0.name == "lodash" }?.licenses == ["MIT"])
        }
    }

    @Test func lockFilesInsideNodeModulesAreNotRead() {
        for cataloger in [packageLock as any Cataloger, yarnLock] {
            #expect(!cataloger.wants(CatalogEntry(path: "app/node_modules/x/package-lock.json", size: 10, isExecutable: false)))
            #expect(!cataloger.wants(CatalogEntry(path: "app/node_modules/x/yarn.lock", size: 10, isExecutable: false)))
            #expect(!cataloger.wants(CatalogEntry(path: "app/node_modules/.package-lock.json", size: 10, isExecutable: false)))
        }
        #expect(packageLock.wants(CatalogEntry(path: "app/npm-shrinkwrap.json", size: 10, isExecutable: false)))
    }

    @Test func yarnLockClassicAndBerry() throws {
        let classic = """
            # THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
            # yarn lockfile v1


            "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
              version "7.12.13"
              resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826b"
              integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
              dependencies:
                "@babel/highlight" "^7.12.13"

            abbrev@1, abbrev@^1.0.0:
              version "1.1.1"
              resolved "https://registry.yarnpkg.com/abbrev/-/abbrev-1.1.1.tgz#f8f2c887"
            """
        let classicResult = try CatalogHarness(yarnLock, path: "app/yarn.lock", text: classic)
        #expect(classicResult.coordinates == ["@babel/code-frame@7.12.13", "abbrev@1.1.1"])
        #expect(classicResult.skips.isEmpty)

        let berry = """
            # This file is generated by running "yarn install" inside your project.

            __metadata:
              version: 6
              cacheKey: 8

            "@types/node@npm:*, @types/node@npm:^20.0.0":
              version: 20.11.5
              resolution: "@types/node@npm:20.11.5"
              dependencies:
                undici-types: "npm:~5.26.4"
              checksum: 9a8c3c5c
              languageName: node
              linkType: hard

            "my-app@workspace:.":
              version: 0.0.0-use.local
              resolution: "my-app@workspace:."
              languageName: unknown
              linkType: soft

            "resolve@patch:resolve@npm%3A^1.20.0#~builtin<compat/resolve>":
              version: 1.22.8
              resolution: "resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d"
            """
        let berryResult = try CatalogHarness(yarnLock, path: "app/yarn.lock", text: berry)
        #expect(berryResult.coordinates == ["@types/node@20.11.5", "resolve@1.22.8"])
    }

    /// A million `[` (and the same inside a lock file): refused before the recursive parser sees it, a counted skip.
    @Test func nestingBombIsACountedSkip() throws {
        let bomb = Data(repeating: UInt8(ascii: "["), count: 1_000_000) + Data(repeating: UInt8(ascii: "]"), count: 1_000_000)
        let result = try CatalogHarness(packageJSON, path: "node_modules/bomb/package.json", data: bomb)
        #expect(result.packages.isEmpty)
        #expect(result.skips.count == 1 && result.skips.first?.reason.contains("nested deeper") == true)

        let objects = String(repeating: #"{"a":"#, count: 200_000) + "1" + String(repeating: "}", count: 200_000)
        let lock = #"{"lockfileVersion": 2, "packages": {"node_modules/x": {"version": "1.0.0", "deep": "# + objects + "}}}"
        let lockResult = try CatalogHarness(packageLock, path: "app/package-lock.json", text: lock)
        #expect(lockResult.packages.isEmpty && lockResult.skips.count == 1)

        // Brackets inside strings are not nesting: a shallow document full of them parses.
        let strings = #"{"name": "s", "version": "1.0.0", "description": ""# + String(repeating: "[{", count: 10_000) + #""}"#
        #expect(try CatalogHarness(packageJSON, path: "node_modules/s/package.json", text: strings).coordinates == ["s@1.0.0"])
    }

    @Test func oversizedAndMalformedFilesAreCountedSkips() throws {
        let small = PackageJSONCataloger(sizeLimit: 100)
        let big = try CatalogHarness(small, path: "node_modules/a/package.json", text: #"{"name": "a", "version": "1.0.0", "readme": ""# + String(repeating: "x", count: 200) + #""}"#)
        #expect(big.packages.isEmpty && big.skips.count == 1)
        let broken = try CatalogHarness(packageJSON, path: "node_modules/a/package.json", text: #"{"name": "a", "version": "#)
        #expect(broken.packages.isEmpty && broken.skips.first?.reason.contains("not valid JSON") == true)
    }
}

extension NPMCatalogerTests {
    @Test func yarnLockWithWindowsLineEnds() throws {
        let lock = "# yarn lockfile v1\r\n\r\nabbrev@1:\r\n  version \"1.1.1\"\r\n  resolved \"https://x\"\r\n"
        #expect(try CatalogHarness(yarnLock, path: "app/yarn.lock", text: lock).coordinates == ["abbrev@1.1.1"])
    }
}
