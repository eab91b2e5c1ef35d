// SPDX-License-Identifier: Apache-2.0

/// skopeo's boolean options as skopeo reads them: `--tls-verify` alone means true, and with `=` Go's spellings
/// (`1`, `t`, `TRUE`, `0`, `f`, `False`, …) are values too. A separate `true` or `false` after the option stays
/// its value, as ocitool always read it. ArgumentParser takes only `--tls-verify=true|false`, so the arguments
/// are brought to that form before parsing; nothing after `--` is touched.
enum BooleanFlags {
    static let names: Set<String> = ["--tls-verify", "--src-tls-verify", "--dest-tls-verify"]

    static func normalized(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result += arguments[(index - 1)...]
                break
            }
            if names.contains(argument) {
                if index < arguments.endIndex, ["true", "false"].contains(arguments[index]) {
                    result.append("\(argument)=\(arguments[index])")
                    index += 1
                } else {
                    result.append("\(argument)=true")
                }
            } else if let equals = argument.firstIndex(of: "="), names.contains(String(argument[..<equals])),
                let value = boolean(String(argument[argument.index(after: equals)...]))
            {
                result.append("\(argument[..<equals])=\(value)")
            } else {
                result.append(argument)
            }
        }
        return result
    }

    /// Go's `strconv.ParseBool`.
    private static func boolean(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": true
        case "0", "f", "F", "false", "FALSE", "False": false
        default: nil
        }
    }
}
