// SPDX-License-Identifier: Apache-2.0

/// A check an image must pass before a copy, a sync or an import writes anything of it: Trust's signature
/// requirement (`--require-signature`) is one. Layout only asks; what is checked is the gate's.
///
/// Asked once per image, with the manifest asked for at the source (an index as a whole, before a platform is
/// chosen: an index is judged by its own signature, and the children it lists come with it), from the thread
/// running the copy. A refusal stops that image before any blob, manifest or tag of it is written.
public protocol CopyGate: Sendable {
    /// Admits `descriptor`, a manifest at `source`, or throws why not.
    /// - Parameters:
    ///   - descriptor: the manifest the copy was asked for.
    ///   - source: where it is, with its referrers and cosign tags (signatures are read from there).
    /// - Throws: the refusal (the engine reports it as `LayoutError.verificationFailed` naming the image), or
    ///   the source's own errors, which pass through.
    func admit(_ descriptor: Descriptor, from source: any ImageSource) throws
}

extension CopyGate {
    /// `admit`, with a refusal as `LayoutError.verificationFailed` naming the image (an endpoint's own error,
    /// such as a missing blob or an unreachable registry, passes through unchanged).
    package func check(_ descriptor: Descriptor, from source: any ImageSource, named name: String) throws {
        do {
            try admit(descriptor, from: source)
        } catch let error as any EndpointError {
            throw error
        } catch {
            throw LayoutError.verificationFailed("\(name) (\(descriptor.digest)) was refused: \(error)")
        }
    }
}
