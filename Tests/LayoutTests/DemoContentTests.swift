// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("The demo store content")
struct DemoContentTests {
    @Test func demoImageIsAValidImageWithAnSBOMAndIsInstalledOnce() throws {
        let store = Store(root: LayoutFixtures.makeTemporaryDirectory())
        let image = try DemoContent.install(in: store)
        let layout = try store.layout(for: DemoContent.repository)
        #expect(try layout.resolve(.tag(DemoContent.tag)).digest == image.digest)
        #expect(try layout.referrers(of: image.digest).map(\.artifactType) == ["application/spdx+json"])
        #expect(try layout.check().isClean)
        #expect(store.repositories() == [DemoContent.repository])
        // A second start serves the same content.
        let index = try layout.readIndex()
        #expect(try DemoContent.install(in: store).digest == image.digest)
        #expect(try layout.readIndex() == index)
    }
}
