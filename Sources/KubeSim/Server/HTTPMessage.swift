import KubeModels

/// One HTTP request as the API layer sees it: the whole body is read before handling, which
/// suits every Kubernetes verb (watches have no request body).
struct HTTPRequest: Sendable {
    var method: String
    /// The path without the query, percent-decoded.
    var path: String
    /// Query parameters, percent-decoded; the last value wins.
    var query: [String: String]
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    init(method: String, uri: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.headers = headers
        self.body = body
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = HTTPRequest.percentDecode(String(parts.first ?? ""), plusIsSpace: false)
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = HTTPRequest.percentDecode(String(keyValue[0]), plusIsSpace: true)
                query[key] = keyValue.count > 1 ? HTTPRequest.percentDecode(String(keyValue[1]), plusIsSpace: true) : ""
            }
        }
        self.query = query
    }

    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else if byte == UInt8(ascii: "+"), plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A response: either a whole body, or a stream of chunks (watches) that ends when the sequence does.
struct HTTPResponse: Sendable {
    enum Body: Sendable {
        case bytes([UInt8])
        case stream(AsyncStream<[UInt8]>)
    }

    var status: Int
    var headers: [(String, String)]
    var body: Body

    init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response.
    static func json(_ status: Int, _ value: JSONValue, contentType: String = "application/json", headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)] + headers, body: .bytes(JSONWriter.bytes(value)))
    }

    /// The Status body of an error.
    static func error(_ error: APIError) -> HTTPResponse {
        json(error.code, error.json, headers: error.headers)
    }

    static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: .bytes(Array(text.utf8)))
    }
}
