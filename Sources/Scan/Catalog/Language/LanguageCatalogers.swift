// SPDX-License-Identifier: Apache-2.0

/// The language-ecosystem catalogers, each with its default limits: Python distributions, npm packages and lock
/// files, Go binaries' build info and Java archives. The layer walker runs them with the OS catalogers.
public enum LanguageCatalogers {
    public static let all: [any Cataloger] = [
        PythonMetadataCataloger(),
        PackageJSONCataloger(),
        PackageLockCataloger(),
        YarnLockCataloger(),
        GoBinaryCataloger(),
        JavaArchiveCataloger(),
    ]
}
