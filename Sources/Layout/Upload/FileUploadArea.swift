// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Upload sessions in a directory of this machine, `ROOT/.ocitool/uploads/<id>/` (`FileUploadSession`): the
/// default, and the only area of a store whose repositories are directories.
public struct FileUploadArea: UploadArea {
    /// `ROOT/.ocitool/uploads`.
    public let location: String

    /// The area of the store at `root`.
    public init(root: String) { location = root + "/.ocitool/uploads" }

    public func create(id: String, repository: String, algorithm: DigestAlgorithm) throws(LayoutError)
        -> any UploadSession
    {
        try FileUploadSession.create(id: id, repository: repository, algorithm: algorithm, in: location)
    }

    /// The session's data is hashed once to rebuild its hasher; a directory without a readable state is none.
    public func resume(id: String) throws(LayoutError) -> (any UploadSession)? {
        try? FileUploadSession.resume(directory: location + "/" + id)
    }

    public func sessions() throws(LayoutError) -> [(id: String, lastActivity: Date?)] {
        let uploads = location
        return FileSystem.list(uploads).sorted().map { (id) in
            (id, FileUploadSession.lastActivity(directory: uploads + "/" + id))
        }
    }

    public func lastActivity(of id: String) -> Date? { FileUploadSession.lastActivity(directory: location + "/" + id) }

    public func remove(id: String) { FileUploadSession.removeDirectory(location + "/" + id) }
}
