// SPDX-License-Identifier: Apache-2.0
import Scan
import Testing

@Suite("Scan: language catalogers")
struct LanguageCatalogersTests {
    /// Which of the default language catalogers each file goes to, from its header alone.
    @Test func filesGoToTheirCatalogers() {
        let cases: [(CatalogEntry, [CatalogedPackage.Kind])] = [
            (CatalogEntry(path: "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA", size: 900, isExecutable: false), [.python]),
            (CatalogEntry(path: "app/node_modules/lodash/package.json", size: 900, isExecutable: false), [.npm]),
            (CatalogEntry(path: "app/package-lock.json", size: 900, isExecutable: false), [.npm]),
            (CatalogEntry(path: "app/yarn.lock", size: 900, isExecutable: false), [.npm]),
            (CatalogEntry(path: "usr/local/bin/kubectl", size: 50 << 20, isExecutable: true), [.go]),
            (CatalogEntry(path: "opt/app/app.jar", size: 50 << 20, isExecutable: false), [.java]),
            (CatalogEntry(path: "opt/app/run.jar", size: 50 << 20, isExecutable: true), [.java]),
            (CatalogEntry(path: "usr/local/bin/entrypoint.sh", size: 50 << 10, isExecutable: true), []),
            (CatalogEntry(path: "usr/lib/x86_64-linux-gnu/libgo.so.1", size: 50 << 10, isExecutable: true), [.go]),
            (CatalogEntry(path: "etc/passwd", size: 900, isExecutable: false), []),
        ]
        for (entry, kinds) in cases {
            #expect(LanguageCatalogers.all.filter { $0.wants(entry) }.map(\.kind) == kinds, "\(entry.path)")
        }
    }
}
