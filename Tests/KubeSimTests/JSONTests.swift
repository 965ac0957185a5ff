import KubeModels
import Testing
@testable import KubeSim

@Suite("JSON parsing and writing")
struct JSONTests {
    @Test("parses every JSON form and writes it back with sorted keys")
    func roundTrip() throws {
        let text = #"{"b":[1,-2.5,true,false,null],"a":"x\"\n\u00e9\ud83d\ude00","c":{}}"#
        let value = try JSONParser.parse(text)
        #expect(value["b"] == [1, -2.5, true, false, nil])
        #expect(value["a"] == "x\"\né😀")
        #expect(JSONWriter.string(value) == #"{"a":"x\"\né😀","b":[1,-2.5,true,false,null],"c":{}}"#)
    }

    @Test("rejects malformed documents", arguments: ["{", "[1,]", "{\"a\" 1}", "tru", "1 2", "\"\u{01}\""])
    func rejects(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test("strategic merge keys service ports by port and container ports by containerPort")
    func strategicKeys() throws {
        let service = try JSONParser.parse(#"{"spec":{"ports":[{"port":80,"name":"http"},{"port":443}]}}"#)
        let patched = try StrategicMergePatch.apply(
            try JSONParser.parse(#"{"spec":{"ports":[{"port":80,"targetPort":8080}]}}"#), to: service, kind: "Service")
        #expect(patched.at("spec.ports") == [["port": 80, "name": "http", "targetPort": 8080], ["port": 443]])
        let replaced = try StrategicMergePatch.apply(
            try JSONParser.parse(#"{"spec":{"$patch":"replace","ports":[]}}"#), to: service, kind: "Service")
        #expect(replaced.at("spec.ports") == [])
        let finalizers = try StrategicMergePatch.apply(
            try JSONParser.parse(#"{"metadata":{"finalizers":["b"],"$deleteFromPrimitiveList/finalizers":["a"]}}"#),
            to: try JSONParser.parse(#"{"metadata":{"finalizers":["a"]}}"#), kind: "ConfigMap")
        #expect(finalizers.at("metadata.finalizers") == ["b"])
    }

    @Test("label selectors parse every operator", arguments: [
        ("app=demo,tier!=db", ["app": "demo", "tier": "web"], true),
        ("app==demo", ["app": "other"], false),
        ("tier in (web, db)", ["tier": "db"], true),
        ("tier notin (web)", [:], true),
        ("tier", [:], false),
        ("!tier", [:], true),
    ] as [(String, [String: String], Bool)])
    func labelSelectors(selector: String, labels: [String: String], matches: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(labels.mapValues(JSONValue.string)) == matches)
    }
}
