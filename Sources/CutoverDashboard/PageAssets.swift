import HTTPTypes
import Hummingbird

/// The page, its script and its style, compiled into the binary (SwiftPM's `embedInCode`): no
/// build step, nothing fetched at run time. The page carries the actions' token (none when
/// read-only) and the scope in `<meta>` tags.
struct PageAssets: Sendable {
    let index: [UInt8]
    let script: [UInt8]
    let style: [UInt8]

    init(token: String?, scope: DashboardScope) {
        let html = String(decoding: PackageResources.index_html, as: UTF8.self)
            .replacingOccurrences(of: "{{TOKEN}}", with: token ?? "")
            .replacingOccurrences(of: "{{SCOPE}}", with: Self.escaped(scope.description))
        index = Array(html.utf8)
        script = PackageResources.dashboard_js
        style = PackageResources.dashboard_css
    }

    /// A response the browser must not cache (the token changes with every start), and that no
    /// other site may frame; the page loads only its own script and style.
    func response(_ body: [UInt8], type: String) -> Response {
        let headers: HTTPFields = [
            .contentType: type, .cacheControl: "no-store", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("X-Frame-Options")!: "DENY", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'",
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
