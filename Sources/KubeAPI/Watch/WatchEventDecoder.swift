import Foundation
import KubeModels
import NIOCore

/// Turns the chunks of a watch response body into events. Chunks may split a line anywhere (even
/// inside a multi-byte character); a line is decoded only once its newline has arrived.
public struct WatchEventDecoder<Object: Decodable & Sendable> {
    private var buffer = ByteBuffer()
    private let decoder = JSONValueDecoder()
    /// Longest line accepted; a longer one means a broken stream, not a big object.
    public var maxLineBytes = 64 << 20

    public init() {}

    /// Adds the next chunk of the body.
    public mutating func feed(_ chunk: ByteBuffer) {
        var chunk = chunk
        buffer.writeBuffer(&chunk)
    }

    /// The next complete event, or nil when more bytes are needed. An ERROR event throws its Status as
    /// a ``KubeError`` (410 becomes ``KubeError/expired(_:)``).
    public mutating func next() throws -> WatchUpdate<Object>? {
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            if buffer.readerIndex > 1 << 20 { buffer.discardReadBytes() }
            if let update = try decode(line) { return update }
        }
        guard buffer.readableBytes <= maxLineBytes else {
            throw KubeError.decoding(what: "watch stream", reason: "a line exceeds \(maxLineBytes) bytes")
        }
        return nil
    }

    /// At the end of the body: an unterminated last line, if any.
    public mutating func finish() throws -> WatchUpdate<Object>? {
        let rest = buffer.readSlice(length: buffer.readableBytes)!
        return try decode(rest)
    }

    private func decode(_ line: ByteBuffer) throws -> WatchUpdate<Object>? {
        let bytes = line.readableBytesView
        guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else {
            return nil
        }
        let envelope: WatchEnvelope<Object>
        do {
            envelope = try decoder.decode(WatchEnvelope<Object>.self, from: Array(bytes))
        } catch {
            throw KubeError.decoding(what: "watch event", reason: String(describing: error))
        }
        switch envelope.payload {
        case .update(let update): return update
        case .failure(let status): throw KubeError(status: status)
        }
    }
}
