import KubeModels
import Testing

@Suite("JSONPath")
struct JSONPathTests {
    @Test("selects keys, indexes, wildcards and filters")
    func selects() throws {
        let object = try JSONParser.parse(#"{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Other","status":"False"}]},"spec":{"a.b":1,"list":[1,2]}}"#)
        #expect(JSONPath(".status.conditions[?(@.type==\"Ready\")].status").first(object) == "True")
        #expect(JSONPath(".spec['a.b']").first(object) == 1)
        #expect(JSONPath(".spec.list[*]").evaluate(object) == [1, 2])
        #expect(JSONPath(".spec.list[-1]").first(object) == 2)
        #expect(JSONPath("{$.spec.list[0]}").first(object) == 1)
        #expect(JSONPath(".spec.missing").first(object) == nil)
        #expect(JSONPath("$").first(object) == object)
    }

    @Test("says what is wrong with a path it cannot read", arguments: [
        ("{.data.score}", nil), (".a[0].b", nil), ("$", nil), (#"{.a[?(@.name=="x")].v}"#, nil),
        ("score", "must be made of .key and [...] steps, like {.data.value}"),
        ("{.a[0}", "has a [ without a closing ]"),
        (".a[?(@.x>1)]", #"has a filter other than [?(@.key=="value")]"#),
    ] as [(String, String?)])
    func problems(_ path: String, _ problem: String?) {
        #expect(JSONPath(path).problem == problem)
    }
}
