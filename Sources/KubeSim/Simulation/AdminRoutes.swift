import Foundation
import KubeModels

/// The simulator's own endpoints next to the Kubernetes API: `/metrics` (Prometheus text of the
/// simulated traffic), `/sim/faults` (GET state, POST rules, DELETE all) and `/sim/stats`
/// (GET counts, DELETE to reset). They need no token, so Prometheus and curl can reach them.
enum AdminRoutes {
    static func install(on api: APIServer, simulation: ClusterSimulation) {
        api.extraRoutes["/metrics"] = { _ in
            HTTPResponse.text(200, simulation.metrics(), contentType: MetricsExposition.contentType)
        }
        api.extraRoutes["/sim/stats"] = { request in
            if request.method == "DELETE" {
                simulation.resetStats()
                return .json(200, ["status": "Success"])
            }
            return .json(200, simulation.statsJSON)
        }
        api.extraRoutes["/sim/faults"] = { request in
            switch request.method {
            case "GET":
                return .json(200, simulation.faultSnapshot())
            case "DELETE":
                simulation.clearFaults()
                return .json(200, simulation.faultSnapshot())
            case "POST", "PUT":
                let faultRequest: FaultRequest
                do {
                    faultRequest = try JSONDecoder().decode(FaultRequest.self, from: Data(request.body))
                } catch {
                    return .error(.badRequest("invalid fault request: \(error)"))
                }
                do throws(FaultRequestError) {
                    let effects = try simulation.applyFaults(faultRequest)
                    var body = simulation.faultSnapshot()
                    body["added"] = .array(effects.addedRuleIDs.map(JSONValue.string))
                    return .json(200, body)
                } catch {
                    return .error(APIError(
                        code: 400, reason: "BadRequest", message: error.description,
                        details: StatusDetails(causes: error.problems.map { StatusCause(reason: "FieldValueInvalid", message: $0) })))
                }
            default:
                return .error(.methodNotAllowed())
            }
        }
    }
}
