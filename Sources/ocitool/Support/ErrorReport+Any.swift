// SPDX-License-Identifier: Apache-2.0
import Layout
import OCICrypto
import Scan
import Serve
import Sync
import Trust

extension ErrorReport {
    /// The report of any library error the CLI maps; nil for others (ArgumentParser's, Foundation's).
    init?(any error: any Error) {
        switch error {
        case let error as LayoutError: self.init(error)
        case let error as SyncError: self.init(error)
        case let error as OCICryptoError: self.init(error)
        case let error as ScanError: self.init(error)
        case let error as TrustError: self.init(error)
        case let error as ListenError: self.init(error)
        default: return nil
        }
    }

    init(message: String, hint: String?, exitCode: Int32) {
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
    }

    /// The same report, its message prefixed with the image it is about (`IMAGE: message`).
    func naming(_ image: String) -> ErrorReport {
        ErrorReport(message: "\(image): \(message)", hint: hint, exitCode: exitCode)
    }
}
