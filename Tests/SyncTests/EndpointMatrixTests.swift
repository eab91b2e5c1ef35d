// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Sync
import Testing

/// The payoff of one copy engine: the same image, with an SBOM and a signature of that SBOM (a referrer of a
/// referrer), copied between every kind of source and every kind of destination (layout, oci-archive,
/// docker-archive, registry) keeps its digest, its referrers and the same counts. A docker archive holds no
/// referrers: the result says so instead of counting none silently.
@Suite("One engine: every source kind to every destination kind")
struct EndpointMatrixTests {
    enum Kind: String, CaseIterable, CustomStringConvertible {
        case layout, ociArchive = "oci-archive", dockerArchive = "docker-archive", registry
        var description: String { rawValue }
    }

    @Test func everySourceToEveryDestinationGivesTheSameImageReferrersAndCounts() async throws {
        try await InProcessServe.with { serve in
            try await offPool { try EndpointMatrix(serve: serve).run() }
        }
    }
}

/// The fixture and the checks of the matrix test.
private struct EndpointMatrix {
    let serve: InProcessServe
    let directory = SyncFixtures.temporaryDirectory()

    func run() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let origin = try OCILayout.create(at: directory + "/origin")
        let image = try Self.dockerCompatibleImage(in: origin, directory: directory)
        let (sbom, sbomSignature, imageSignature) = try SyncFixtures.attachSBOMAndSignatures(in: origin, to: image)

        // The counts every pair must give: a layout-to-layout copy's, with and without referrers.
        let whole = try copy(from: LayoutEndpoint(origin), .tag("v1"), to: .layout, name: "reference-whole")
        #expect(whole.result.manifestsCopied == 4 && whole.result.referrersCopied == 3, "\(whole.result)")
        let bare = try copy(from: LayoutEndpoint(origin), .tag("v1"), to: .layout, name: "reference-bare", referrers: false)
        #expect(bare.result.manifestsCopied == 1 && bare.result.blobsCopied == 3, "\(bare.result)")

        // One source of each kind, each made from the origin by the engine.
        var sources: [(EndpointMatrixTests.Kind, any ImageSource, ImageReference.Selector?)] = []
        for kind in EndpointMatrixTests.Kind.allCases {
            let made = try copy(from: LayoutEndpoint(origin), .tag("v1"), to: kind, name: "source-\(kind)")
            sources.append((kind, try open(made.reference), made.selector))
        }
        let dockerDigest = try #require(sources.first { $0.0 == .dockerArchive }).1.resolve(nil).digest

        for (sourceKind, source, selector) in sources {
            for destinationKind in EndpointMatrixTests.Kind.allCases {
                let pair = "\(sourceKind) → \(destinationKind)"
                let watcher = StagingWatcher(
                    directory: FileManager.default.temporaryDirectory.path, ignoring: directory, holding: image.digest)
                let copied = try copy(from: source, selector, to: destinationKind, name: "\(sourceKind)-to-\(destinationKind)")
                let staged = watcher.stop()
                #expect(staged.isEmpty, "\(pair) staged layouts: \(staged)")
                let result = copied.result
                // A docker archive's image is the manifest import generates for it (docker media types).
                let expected = sourceKind == .dockerArchive ? dockerDigest : image.digest
                #expect(result.descriptor.digest == expected, "\(pair)")
                #expect(try open(copied.reference).resolve(copied.selector).digest == expected, "\(pair)")
                let docker = sourceKind == .dockerArchive || destinationKind == .dockerArchive
                let reference = docker ? bare.result : whole.result
                #expect(result.referrersOmitted == docker, "\(pair): \(result)")
                #expect(result.manifestsCopied == reference.manifestsCopied, "\(pair): \(result)")
                #expect(result.blobsCopied == reference.blobsCopied && result.blobsSkipped == 0, "\(pair): \(result)")
                #expect(result.bytesCopied == reference.bytesCopied, "\(pair): \(result)")
                #expect(result.referrersCopied == reference.referrersCopied, "\(pair): \(result)")
                guard !docker else { continue }
                let tree = try open(copied.reference).referrerTree(of: image.digest, artifactType: nil)
                #expect(Set(tree.map(\.descriptor.digest)) == [sbom.digest, imageSignature.digest], "\(pair)")
                let sbomNode = tree.first { $0.descriptor.digest == sbom.digest }
                #expect(sbomNode?.referrers.map(\.descriptor.digest) == [sbomSignature.digest], "\(pair)")
            }
        }
    }

    /// Copies into a new endpoint of `kind` named `name`.
    /// - Returns: the reference written (to open it again) with its selector, and the engine's result.
    private func copy(
        from source: any ImageSource, _ selector: ImageReference.Selector?, to kind: EndpointMatrixTests.Kind,
        name: String, referrers: Bool = true
    ) throws -> (reference: ImageReference, selector: ImageReference.Selector?, result: CopyResult) {
        let reference: ImageReference
        switch kind {
        case .layout: reference = .layout(path: "\(directory)/\(name)", selector: .tag("v1"))
        case .ociArchive: reference = .ociArchive(path: "\(directory)/\(name).tar", tag: "v1")
        case .dockerArchive:
            reference = .dockerArchive(path: "\(directory)/\(name).tar", name: ImageReference.DockerName(repository: "app", tag: "v1"))
        case .registry: reference = .registry(host: serve.host, repository: "matrix/\(name.lowercased())", selector: .tag("v1"))
        }
        let (destination, _) = try ImageEndpoint.destination(reference, registry: options)
        let result = try ImageCopy(from: source, to: destination, options: CopyOptions(referrers: referrers))
            .copy(selector, tag: "v1")
        return (reference, kind == .dockerArchive ? nil : .tag("v1"), result)
    }

    private func open(_ reference: ImageReference) throws -> any ImageSource {
        try ImageEndpoint.source(reference, registry: options).source
    }

    private var options: RegistryOptions { RegistryOptions(anonymous: true, plainHTTP: true, retry: RetryPolicy(initialDelay: 0.05)) }

    /// An OCI image a docker archive can hold too: two uncompressed tar layers whose digests are the config's
    /// diff IDs.
    static func dockerCompatibleImage(in layout: OCILayout, directory: String) throws -> Descriptor {
        var layers: [Descriptor] = []
        for number in 1...2 {
            let path = "\(directory)/layer-\(number).tar"
            let writer = try ArchiveWriter(path: path)
            try writer.addFile("file-\(number).bin", contents: SyncFixtures.randomBytes(20_000 * number))
            try writer.finish()
            let blob = try layout.writeBlob(try Data(contentsOf: URL(fileURLWithPath: path)))
            layers.append(Descriptor(mediaType: .ociLayer, digest: blob.digest, size: blob.size))
        }
        let diffIDs = layers.map { "\"\($0.digest)\"" }.joined(separator: ",")
        let config = try layout.writeBlob(Data(
            #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[\#(diffIDs)]}}"#.utf8))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size), layers: layers)
        return try layout.putManifest(try JSONEncoder.ocitool.encode(manifest), mediaType: .ociManifest, tag: "v1")
    }
}

/// Watches a directory tree on a thread of its own, recording every new layout that holds a given blob (the
/// image being copied, staged on its way) until stopped. Layouts of tests running alongside never hold it.
private final class StagingWatcher: @unchecked Sendable {
    private let directory: String
    private let lock = NSLock()
    private var found: Set<String> = []
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)
    private let before: Set<String>

    /// - Parameters:
    ///   - ignoring: a directory whose layouts are the test's own (the copies' destinations).
    ///   - digest: the blob a staged layout would hold.
    init(directory: String, ignoring: String, holding digest: Digest) {
        self.directory = directory
        before = StagingWatcher.layouts(under: directory)
        let thread = Thread { [self] in
            while !lock.withLock({ stopped }) {
                let now = StagingWatcher.layouts(under: directory).subtracting(before).filter {
                    !$0.hasPrefix(ignoring + "/") && FileManager.default.fileExists(atPath: $0 + "/" + digest.blobPath)
                }
                lock.withLock { found.formUnion(now) }
                Thread.sleep(forTimeInterval: 0.002)
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops watching; returns the staged layouts seen.
    func stop() -> Set<String> {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { found }
    }

    /// Directories up to four levels below `root` that hold an `oci-layout` file.
    static func layouts(under root: String, depth: Int = 4) -> Set<String> {
        guard depth > 0, let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        var result: Set<String> = names.contains("oci-layout") ? [root] : []
        for name in names where name != "blobs" {
            var isDirectory: ObjCBool = false
            let path = root + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                result.formUnion(layouts(under: path, depth: depth - 1))
            }
        }
        return result
    }
}
