// SPDX-License-Identifier: Apache-2.0
import Glibc
import NIOCore

/// A listening socket that could not be opened, said for a person: the address is taken, missing, or not
/// ours to bind.
public struct ListenError: Error, CustomStringConvertible {
    /// What failed: "cannot listen on 127.0.0.1:5000: the address is already in use".
    public let description: String
    /// What to do about it.
    public let hint: String

    /// `error` as a ListenError when it is one of the bind failures a user can fix, else nil.
    public init?(_ error: any Error, host: String, port: Int) {
        guard let error = error as? IOError else { return nil }
        let address = "cannot listen on \(host):\(port)"
        switch error.errnoCode {
        case EADDRINUSE:
            description = "\(address): the address is already in use"
            hint = "stop the program listening there, or pick another port with --port"
        case EACCES:
            description = "\(address): permission denied"
            hint = "ports below 1024 need root or CAP_NET_BIND_SERVICE; pick another port with --port"
        case EADDRNOTAVAIL:
            description = "\(address): no interface of this machine has that address"
            hint = "pick one of its addresses with --host (0.0.0.0 for all)"
        default:
            return nil
        }
    }
}
