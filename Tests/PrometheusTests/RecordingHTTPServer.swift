import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// How much later than its timeout a query may end in a test. Generous because `swift test` runs
/// every target's tests in one process, and CPU-bound tests elsewhere can hold the cooperative
/// thread pool (two threads on a two-core machine) for many seconds; a hang still fails, by the
/// `.timeLimit` on the tests and by this bound.
let schedulingSlack: Duration = .seconds(10)

/// A loopback HTTP server that records each request and answers with a fixed status and body, or
/// never answers. It stands in for a proxy in front of Prometheus: what the client puts on the wire
/// (headers, form body) can only be seen from the server side.
final class RecordingHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    enum Answer: Sendable {
        case respond(status: Int, contentType: String, body: String)
        /// Sends the headers of a 200 with a body that never comes.
        case stallBody
        /// Sends a 200 whose chunked body never ends: 64 KiB of JSON-looking bytes, again and again.
        case endlessBody
        case never
    }

    private let channel: any Channel
    private let recorded: NIOLockedValueBox<[Request]>
    let port: Int

    var requests: [Request] { recorded.withLockedValue { $0 } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(answer: Answer) async throws {
        let recorded = NIOLockedValueBox<[Request]>([])
        self.recorded = recorded
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(answer: answer, recorded: recorded))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async throws {
        try await channel.close()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        /// Writes `chunk` each time the last write completed, until the client goes away.
        func writeForever(context: ChannelHandlerContext, chunk: ByteBuffer) {
            guard context.channel.isActive else { return }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk)))).whenSuccess { [self] in
                writeForever(context: context, chunk: chunk)
            }
        }

        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let answer: Answer
        let recorded: NIOLockedValueBox<[Request]>
        var head: HTTPRequestHead?
        var body = ""

        init(answer: Answer, recorded: NIOLockedValueBox<[Request]>) {
            self.answer = answer
            self.recorded = recorded
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(var buffer):
                body += buffer.readString(length: buffer.readableBytes) ?? ""
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
                recorded.withLockedValue { $0.append(request) }
                if case .stallBody = answer {
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: "1000")
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
                    return
                }
                if case .endlessBody = answer {
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Transfer-Encoding", value: "chunked")
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
                    writeForever(context: context, chunk: ByteBuffer(string: "{\"status\":\"success\"," + String(repeating: " ", count: 64 << 10)))
                    return
                }
                guard case .respond(let status, let contentType, let text) = answer else { return }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: contentType)
                headers.add(name: "Content-Length", value: "\(text.utf8.count)")
                let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
