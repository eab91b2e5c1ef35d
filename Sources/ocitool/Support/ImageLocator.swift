// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Turns command-line references into layouts and manifests.
enum ImageLocator {
    /// Parses a reference that must name a layout.
    static func layoutReference(_ text: String) throws(LayoutError) -> (path: String, selector: ImageReference.Selector?) {
        guard case .layout(let path, let selector) = try ImageReference(parsing: text) else {
            throw .invalidReference(text, reason: "this command works on a layout directory (PATH[:TAG|@DIGEST])")
        }
        return (path, selector)
    }

    /// Opens the layout a reference names and resolves its manifest.
    static func image(_ text: String) throws(LayoutError) -> (layout: OCILayout, descriptor: Descriptor) {
        let (path, selector) = try layoutReference(text)
        let layout = try OCILayout(at: path)
        return (layout, try layout.resolve(selector))
    }

    /// Runs `body` on the image a reference names. Archives are imported into a temporary layout first,
    /// which is removed afterwards.
    static func withImage<T>(
        _ text: String, _ body: (OCILayout, Descriptor) throws(LayoutError) -> T
    ) throws(LayoutError) -> T {
        let reference = try ImageReference(parsing: text)
        switch reference {
        case .layout(let path, let selector):
            let layout = try OCILayout(at: path)
            return try body(layout, try layout.resolve(selector))
        case .ociArchive(let path, let tag):
            return try withImportedArchive(path, selection: tag.map { .tag($0) }, body)
        case .dockerArchive(let path, let name):
            return try withImportedArchive(path, selection: name.map { .dockerName($0) }, body)
        case .registry:
            throw .unsupported("registry references (docker://) are not supported by this command yet")
        }
    }

    private static func withImportedArchive<T>(
        _ path: String, selection: ArchiveSelection?, _ body: (OCILayout, Descriptor) throws(LayoutError) -> T
    ) throws(LayoutError) -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let layout = try OCILayout.create(at: directory)
        return try body(layout, try importSelected(path, selection: selection, into: layout))
    }

    /// Imports the one image an archive reference names (with its referrers) into `layout`.
    static func importSelected(_ text: String, into layout: OCILayout) throws(LayoutError) -> Descriptor {
        switch try ImageReference(parsing: text) {
        case .ociArchive(let path, let tag): try importSelected(path, selection: tag.map { .tag($0) }, into: layout)
        case .dockerArchive(let path, let name):
            try importSelected(path, selection: name.map { .dockerName($0) }, into: layout)
        default: throw .invalidReference(text, reason: "expected oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG]")
        }
    }

    private static func importSelected(_ path: String, selection: ArchiveSelection?, into layout: OCILayout)
        throws(LayoutError) -> Descriptor
    {
        let result = try layout.importArchive(from: path, options: ImportOptions(selection: selection))
        // Referrers come along with their images; they are not images to choose from.
        let images = result.images.filter { $0.descriptor.annotations?[Annotation.subject] == nil }
        guard images.count == 1, let image = images.first else {
            throw .invalidArgument(
                "\(path) holds \(images.count) images: name one, e.g. oci-archive:FILE:TAG or docker-archive:FILE:NAME:TAG")
        }
        return image.descriptor
    }
}
