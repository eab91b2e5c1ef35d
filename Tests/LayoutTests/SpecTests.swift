// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Spec grammars")
struct SpecTests {
    static let hex64 = String(repeating: "a", count: 64)

    @Test(arguments: [
        ("sha256:" + hex64, true),
        ("sha512:" + String(repeating: "0", count: 128), true),
        ("sha256:" + String(repeating: "A", count: 64), false),  // uppercase hex
        ("sha256:" + String(repeating: "a", count: 63), false),  // too short
        ("sha256:" + String(repeating: "g", count: 64), false),  // not hex
        ("md5:" + String(repeating: "a", count: 32), false),  // unregistered algorithm
        ("sha256" + hex64, false),  // no colon
        ("", false),
    ])
    func digestGrammar(text: String, valid: Bool) {
        #expect(((try? Digest(text)) != nil) == valid)
    }

    @Test func digestOfKnownBytes() throws {
        #expect(Digest.sha256(of: Data("{}".utf8)).description
            == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        let hasher = DigestHasher(.sha512)
        hasher.update(Data("abc".utf8))
        #expect(hasher.finalize().encoded.hasPrefix("ddaf35a193617aba"))
        let digest = try Digest("sha256:" + Self.hex64)
        #expect(digest.blobPath == "blobs/sha256/" + Self.hex64)
        #expect(digest.referrersTag == "sha256-" + Self.hex64)
    }

    @Test(arguments: [
        ("library/alpine", true), ("a", true), ("a/b/c", true), ("a.b_c__d--e", true), ("team/app-1", true),
        ("A", false), ("a//b", false), ("/a", false), ("a/", false), ("a/../b", false), ("a_-b", false),
        ("-a", false), ("a..b", false), ("a___b", false), ("", false), (String(repeating: "a", count: 256), false),
    ])
    func repositoryGrammar(name: String, valid: Bool) {
        #expect(((try? Names.validateRepository(name)) != nil) == valid)
    }

    @Test(arguments: [
        ("latest", true), ("v1.2.3-rc_1", true), ("_x", true), (String(repeating: "t", count: 128), true),
        (".x", false), ("-x", false), ("a/b", false), ("a:b", false), ("", false),
        (String(repeating: "t", count: 129), false),
    ])
    func tagGrammar(tag: String, valid: Bool) {
        #expect(Names.isValidTag(tag) == valid)
    }

    @Test func referenceGrammar() throws {
        let digest = "sha256:" + Self.hex64
        #expect(try ImageReference(parsing: "out/app:v1") == .layout(path: "out/app", selector: .tag("v1")))
        #expect(try ImageReference(parsing: "oci:/srv/a:b/c") == .layout(path: "/srv/a:b/c", selector: nil))
        #expect(try ImageReference(parsing: "./x@\(digest)") == .layout(path: "./x", selector: .digest(try Digest(digest))))
        #expect(try ImageReference(parsing: "oci-archive:a.tar:v2") == .ociArchive(path: "a.tar", tag: "v2"))
        #expect(try ImageReference(parsing: "docker-archive:a.tar") == .dockerArchive(path: "a.tar", name: nil))
        #expect(
            try ImageReference(parsing: "docker-archive:a.tar:localhost:5000/x/y:1")
                == .dockerArchive(path: "a.tar", name: .init(repository: "localhost:5000/x/y", tag: "1")))
        #expect(
            try ImageReference(parsing: "docker://localhost:5000/team/app:v1")
                == .registry(host: "localhost:5000", repository: "team/app", selector: .tag("v1")))
        #expect(throws: LayoutError.self) { try ImageReference(parsing: "x:tag!") }
        #expect(throws: LayoutError.invalidTag("-bad")) { try ImageReference(parsing: "x:-bad") }
        #expect(throws: LayoutError.self) { try ImageReference(parsing: "docker://Host/UPPER:tag") }
        // '@' starts a digest only when what follows looks like one; archives take tags only.
        #expect(try ImageReference(parsing: "/tmp/build@2") == .layout(path: "/tmp/build@2", selector: nil))
        #expect(try ImageReference(parsing: "oci-archive:/tmp/build@2.tar") == .ociArchive(path: "/tmp/build@2.tar", tag: nil))
    }

    @Test func platformParsing() throws {
        let platform = try Platform(parsing: "linux/arm64/v8")
        #expect(platform == Platform(architecture: "arm64", os: "linux", variant: "v8"))
        #expect(platform.matches(try Platform(parsing: "linux/arm64")))
        #expect(!platform.matches(try Platform(parsing: "linux/arm64/v7")))
        #expect(throws: LayoutError.self) { try Platform(parsing: "linux") }
    }
}
