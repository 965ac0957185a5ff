import KubeModels
import NIOCore
import Testing
@testable import KubeAPI

@Suite struct KubeErrorTests {
    @Test(arguments: [
        (404, "NotFound", "notFound"), (409, "AlreadyExists", "alreadyExists"), (409, "Conflict", "conflict"),
        (422, "Invalid", "invalid"), (400, "BadRequest", "badRequest"), (401, "Unauthorized", "unauthorized"),
        (403, "Forbidden", "forbidden"), (410, "Expired", "expired"), (415, "UnsupportedMediaType", "unsupportedMediaType"),
        (429, "TooManyRequests", "tooManyRequests"), (500, "InternalError", "serverError"), (504, "Timeout", "serverError"),
        (418, "", "other"),
    ])
    func statusCodesAndReasonsClassify(code: Int32, reason: String, expected: String) {
        let error = KubeError(status: Status(message: "m", reason: reason, code: code))
        #expect(String(describing: error).isEmpty == false)
        #expect("\(error)".contains("m"))
        #expect(Mirror(reflecting: error).children.first?.label == expected)
    }

    @Test func nonStatusBodiesStillGiveAStatus() {
        let status = KubeClient.failureStatus(code: 503, body: ByteBuffer(string: "<html>upstream down</html>"))
        #expect(status.code == 503)
        #expect(status.reason == "InternalError")
        #expect(status.message == "<html>upstream down</html>")
        let empty = KubeClient.failureStatus(code: 404, body: ByteBuffer())
        #expect(KubeError(status: empty).isNotFound)
    }
}
