// SPDX-License-Identifier: Apache-2.0
public import ArgumentParser
public import Layout

/// `--compress none|gzip|zstd`.
extension Compression: ExpressibleByArgument {}
