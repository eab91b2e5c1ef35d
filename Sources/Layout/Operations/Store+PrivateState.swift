// SPDX-License-Identifier: Apache-2.0

extension Store {
    /// A directory of the store's private state, `ROOT/.ocitool/<component>` (never a repository: names
    /// beginning with `.` are refused). Servers keep what they derive from the store there (scan results).
    /// - Parameter component: a plain directory name such as `scan`.
    public func privateStateDirectory(_ component: String) -> String {
        root + "/.ocitool/" + component
    }
}
