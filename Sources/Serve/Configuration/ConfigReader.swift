// SPDX-License-Identifier: Apache-2.0
import YAMLConfig

/// How `serve.yaml` is read: the strict, located YAML reader `sync.yaml` uses too, failing with
/// `ConfigurationError` (`FILE:LINE:COLUMN: message`).
typealias ConfigReader = YAMLReader<ConfigurationError>
