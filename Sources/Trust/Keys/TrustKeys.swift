// SPDX-License-Identifier: Apache-2.0
import Foundation
public import OCICrypto

/// The public keys a verification trusts (any of them), read from files and directories.
public enum TrustKeys {
    /// The largest key file read.
    static let maxFileSize = 1 << 20

    /// Reads public keys: each path is a PEM file (`PUBLIC KEY` or `RSA PUBLIC KEY`), or a directory whose
    /// `*.pub` and `*.pem` files are read (others are skipped; a `.pem` that holds no public key is an error).
    /// Duplicates are kept once.
    /// - Returns: the keys, in the order given (a directory's files sorted by name).
    /// - Throws: `TrustError.keyFile` naming the file that is missing or not a public key (a private key
    ///   included: pass the `.pub`), `.noKeys` when nothing was given or a directory holds no key.
    public static func load(paths: [String]) throws(TrustError) -> [PublicKey] {
        guard !paths.isEmpty else { throw .noKeys("no public key given") }
        var keys: [PublicKey] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .keyFile(path: path, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                let found = try directory(path)
                guard !found.isEmpty else {
                    throw .noKeys("\(path) holds no public key (*.pub or *.pem PEM files)")
                }
                keys += found
            } else {
                keys.append(try file(path))
            }
        }
        var seen = Set<PublicKey>()
        return keys.filter { seen.insert($0).inserted }
    }

    /// The public key in one PEM file.
    public static func file(_ path: String) throws(TrustError) -> PublicKey {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .keyFile(path: path, reason: "cannot be read")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxFileSize + 1)) ?? Data()
        guard data.count <= maxFileSize else { throw .keyFile(path: path, reason: "larger than a key file can be") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .keyFile(path: path, reason: "not a PEM text file")
        }
        do {
            return try PublicKey(pem: text)
        } catch let error as OCICryptoError {
            if case .unexpectedPEMType(let found, _) = error, found.contains("PRIVATE KEY") {
                throw .keyFile(path: path, reason: "it holds a private key; verification takes the public key (.pub)")
            }
            throw .keyFile(path: path, reason: error.description)
        } catch {
            throw .keyFile(path: path, reason: "\(error)")
        }
    }

    private static func directory(_ path: String) throws(TrustError) -> [PublicKey] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw .keyFile(path: path, reason: "the directory cannot be listed")
        }
        var keys: [PublicKey] = []
        for name in names.sorted() where name.hasSuffix(".pub") || name.hasSuffix(".pem") {
            let file = (path as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            keys.append(try self.file(file))
        }
        return keys
    }
}
