// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Scan
import Sync

struct SBOMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbom",
        abstract: "List an image's packages as an SPDX or CycloneDX SBOM, or a table.",
        discussion: """
            Reads the image's layers once each, as the runtime applies them (whiteouts and opaque directories
            honoured), and lists the dpkg, apk and rpm packages with the layer and path each came from. The
            distro comes from etc/os-release. Results are cached per layer digest (in the layout's .ocitool/,
            else under $XDG_CACHE_HOME/ocitool or ~/.cache/ocitool), so layers seen before are not read again.
            SOURCE_DATE_EPOCH fixes the creation time: the same image then gives the same bytes.

            An index gives one SBOM per platform: --platform picks one; with --output, each is written to FILE
            with .OS-ARCH[-VARIANT] before the extension (sbom.json -> sbom.linux-amd64.json). --attach stores
            each SBOM as a referrer of its image manifest (artifact type application/spdx+json or
            application/vnd.cyclonedx+json, as trivy looks for them).

            Examples:
              ocitool sbom ./images/app:1.0
              ocitool sbom --format spdx-json --output app.spdx.json ./images/app:1.0
              ocitool sbom --format cyclonedx-json --attach ./images/app:1.0
              ocitool sbom --platform linux/arm64 --format json oci-archive:app.tar
            """.reflowed
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case spdxJSON = "spdx-json"
        case cyclonedxJSON = "cyclonedx-json"
        case table
        case json

        var mediaType: String? {
            switch self {
            case .spdxJSON: SPDXDocument.mediaType
            case .cyclonedxJSON: CycloneDXDocument.mediaType
            case .table, .json: nil
            }
        }
    }

    @Argument(
        help:
            "The image: PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG|@DIGEST]."
    )
    var image: String

    @Option(help: "spdx-json, cyclonedx-json, table, or json (ocitool's own catalog, for scripts).")
    var format: Format = .table

    @Option(help: "Write to FILE instead of standard output.")
    var output: String?

    @Flag(help: "Store the SBOM as a referrer of the image (spdx-json or cyclonedx-json).")
    var attach = false

    @Option(help: "Only the image for os/arch[/variant] of an index.")
    var platform: String?

    @Flag(help: "Neither read nor write the per-layer cache.")
    var noCache = false

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    func validate() throws {
        if attach, format.mediaType == nil {
            throw ValidationError("--attach stores an SBOM document: use --format spdx-json or cyclonedx-json")
        }
        if let platform { _ = try Platform(parsing: platform) }
    }

    func run() throws {
        let reference = try ImageReference(parsing: image)
        let (source, selector) = try ImageEndpoint.source(reference, registry: try registry.options())
        let descriptor = try source.resolve(selector)
        let cache = noCache ? nil : LayerCatalogCache.of(source)
        let catalogs = try ImageCataloger(cache: cache).catalog(
            descriptor, in: source, platform: try platform.map { try Platform(parsing: $0) })
        if catalogs.count > 1, output == nil, format != .table, !attach {
            throw ValidationError(
                "the index holds \(catalogs.count) images: pick one with --platform, or give --output FILE "
                    + "(one file per platform)"
            )
        }
        let subject = SBOMSubject(
            name: image, created: SBOMSubject.creationTime(), toolVersion: OCITool.configuration.version)
        var tableText = ""
        for catalog in catalogs {
            let data = try render(catalog, subject: subject, heading: catalogs.count > 1)
            if let output {
                try Self.writeAtomically(
                    data, to: catalogs.count > 1 ? Self.fileName(output, platform: catalog.platform) : output)
            } else if format == .table {
                tableText += String(decoding: data, as: UTF8.self)
            } else if !attach {
                Console.write(bytes: data)
            }
            for skip in catalog.skips {
                Console.write(
                    "warning: skipped \(skip.path)\(skip.layer.map { " (layer \($0))" } ?? ""): \(skip.reason)\n",
                    to: .standardError)
            }
            if attach, let mediaType = format.mediaType {
                try attachDocument(data, mediaType: mediaType, to: catalog.manifest, reference: reference)
            }
        }
        if !tableText.isEmpty { Console.write(tableText) }
    }

    private func render(_ catalog: ImageCatalog, subject: SBOMSubject, heading: Bool) throws -> Data {
        switch format {
        case .spdxJSON: return try SPDXDocument.encode(catalog, subject: subject)
        case .cyclonedxJSON: return try CycloneDXDocument.encode(catalog, subject: subject)
        case .json: return Data((try Console.jsonText(catalog) + "\n").utf8)
        case .table:
            let title = heading ? "\(catalog.platform?.description ?? "image") \(catalog.manifest.digest)\n" : ""
            return Data((title + SBOMTable.render(catalog)).utf8)
        }
    }

    /// Stores `data` as a one-file artifact whose subject is `manifest`.
    private func attachDocument(_ data: Data, mediaType: String, to manifest: Descriptor, reference: ImageReference)
        throws
    {
        let (repository, _) = try ImageEndpoint.repository(
            reference, for: "sbom --attach", registry: try registry.options())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ocitool-sbom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = format == .spdxJSON ? "sbom.spdx.json" : "sbom.cdx.json"
        let file = directory.appendingPathComponent(name)
        try data.write(to: file)
        let attachment = try repository.attach(
            [AttachFile(path: file.path, mediaType: MediaType(rawValue: mediaType))],
            artifactType: MediaType(rawValue: mediaType),
            to: manifest, reusingEquals: true)
        let verb = attachment.attached ? "attached" : "already attached as"
        Console.write(
            "\(verb) \(attachment.descriptor.digest) (\(mediaType)) to \(manifest.digest)\n", to: .standardError)
    }

    /// `sbom.json` → `sbom.linux-amd64.json` (the platform before the last extension, or at the end).
    static func fileName(_ output: String, platform: Platform?) -> String {
        let tag =
            platform.map { [$0.os, $0.architecture, $0.variant].compactMap { $0 }.joined(separator: "-") } ?? "image"
        let url = URL(fileURLWithPath: output)
        let ext = url.pathExtension
        guard !ext.isEmpty else { return output + "." + tag }
        return url.deletingPathExtension().path + ".\(tag).\(ext)"
    }

    /// Writes through a temp file in the same directory, renamed into place: never a half-written SBOM.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw LayoutError.io("cannot write \(path)", path: path, errno: errno)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if error is LayoutError { throw error }
            throw LayoutError.io("cannot write \(path): \(error.localizedDescription)", path: path, errno: EIO)
        }
    }
}
