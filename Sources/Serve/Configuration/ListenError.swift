// SPDX-License-Identifier: Apache-2.0
import Glibc
import NIOCore

/// A listening socket that could not be opened, said for a person: the address is taken, missing, or not
/// ours to bind.
public struct ListenError: Error, CustomStringConvertible {
    /// What failed: "cannot listen on 127.0.0.1:5000: the address is already in use".
    public let description: String
    /// The bind's errno: `EADDRINUSE`, `EACCES` or `EADDRNOTAVAIL`.
    public let errno: Int32

    /// `error` as a ListenError when it is one of the bind failures a user can fix, else nil.
    public init?(_ error: any Error, host: String, port: Int) {
        guard let error = error as? IOError else { return nil }
        let address = "cannot listen on \(host):\(port)"
        switch error.errnoCode {
        case EADDRINUSE: description = "\(address): the address is already in use"
        case EACCES: description = "\(address): permission denied"
        case EADDRNOTAVAIL: description = "\(address): no interface of this machine has that address"
        default: return nil
        }
        errno = error.errnoCode
    }
}
