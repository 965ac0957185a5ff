import KubeModels
import Testing
@testable import KubeSim

@Suite("DELETE, finalizers and garbage collection")
struct DeleteTests {
    @Test("delete returns a Success Status; preconditions are checked")
    func deleteStatus() async throws {
        try await withSim(tls: false) { sim, client in
            try await Fixtures.installWidgets(sim)
            let widget = try await client.post(Fixtures.widgets, Fixtures.widget("d")).json
            let wrongUID = try await client.delete(Fixtures.widgets + "/d", ["preconditions": ["uid": "nope"]])
            #expect(wrongUID.status == 409)
            #expect(wrongUID.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: nope") == true)
            let response = try await client.delete(Fixtures.widgets + "/d", ["propagationPolicy": "Background"])
            #expect(response.status == 200)
            #expect(response.json["status"] == "Success")
            #expect(response.json.at("details.uid") == widget.at("metadata.uid"))
            #expect(response.json.at("details.kind") == "widgets")
            #expect(try await client.get(Fixtures.widgets + "/d").status == 404)
        }
    }

    @Test("finalizers hold the object with a deletionTimestamp until removed")
    func finalizers() async throws {
        try await withSim { _, client in
            var config = Fixtures.configMap("f")
            config.set(path: ["metadata", "finalizers"], to: ["example.dev/hold"])
            _ = try await client.post(Fixtures.configmaps, config)
            let deleting = try await client.delete(Fixtures.configmaps + "/f")
            #expect(deleting.status == 200)
            #expect(deleting.json.at("metadata.deletionTimestamp") != nil)
            #expect(deleting.json.at("metadata.deletionGracePeriodSeconds") == 0)
            #expect(try await client.get(Fixtures.configmaps + "/f").status == 200)
            let removed = try await client.patch(Fixtures.configmaps + "/f", #"{"metadata":{"finalizers":null}}"#)
            #expect(removed.status == 200)
            #expect(try await client.get(Fixtures.configmaps + "/f").status == 404)
        }
    }

    @Test("background GC deletes dependents whose owner is gone; off when disabled")
    func garbageCollection() async throws {
        for enabled in [true, false] {
            try await withSim(gc: enabled) { sim, client in
                try await Fixtures.installWidgets(sim)
                let owner = try await client.post(Fixtures.widgets, Fixtures.widget("owner")).json
                let reference: JSONValue = [
                    "apiVersion": "test.kubesim.dev/v1", "kind": "Widget", "name": "owner",
                    "uid": owner.at("metadata.uid") ?? "", "controller": true, "blockOwnerDeletion": true,
                ]
                _ = try await client.post(Fixtures.deployments, Fixtures.deployment("child", owner: reference))
                _ = try await client.delete(Fixtures.widgets + "/owner")
                if enabled {
                    let gone = try await eventually { try await client.get(Fixtures.deployments + "/child").status == 404 }
                    #expect(gone)
                } else {
                    // Disabled, no collector exists (deletes are what start a collection), so there
                    // is nothing to wait for: the dependent stays.
                    #expect(try await client.get(Fixtures.deployments + "/child").status == 200)
                }
            }
        }
    }

    @Test("a dependent created after its owner was deleted is collected, as the real collector verifies owners")
    func dependentOfAGoneOwner() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let owner = try await client.post(Fixtures.widgets, Fixtures.widget("owner")).json
            let reference: JSONValue = [
                "apiVersion": "test.kubesim.dev/v1", "kind": "Widget", "name": "owner",
                "uid": owner.at("metadata.uid") ?? "", "controller": true,
            ]
            _ = try await client.delete(Fixtures.widgets + "/owner")
            // A controller acting on its stale cache creates a child of the owner just deleted.
            #expect(try await client.post(Fixtures.deployments, Fixtures.deployment("late", owner: reference)).status == 201)
            let gone = try await eventually { try await client.get(Fixtures.deployments + "/late").status == 404 }
            #expect(gone)
            // An owner that exists keeps its dependent.
            let living = try await client.post(Fixtures.widgets, Fixtures.widget("living")).json
            var alive = reference
            alive["name"] = "living"
            alive["uid"] = living.at("metadata.uid") ?? ""
            #expect(try await client.post(Fixtures.deployments, Fixtures.deployment("kept", owner: alive)).status == 201)
            // Another late child makes the collector pass again; it takes that one, not this.
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("later", owner: reference))
            #expect(try await eventually { try await client.get(Fixtures.deployments + "/later").status == 404 })
            #expect(try await client.get(Fixtures.deployments + "/kept").status == 200)
        }
    }

    @Test("foreground deletion waits for dependents; orphan strips references")
    func foregroundAndOrphan() async throws {
        try await withSim { _, client in
            let owner = try await client.post(Fixtures.configmaps, Fixtures.configMap("owner")).json
            let reference: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner.at("metadata.uid") ?? ""]
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("dep", owner: reference))
            _ = try await client.delete(Fixtures.configmaps + "/owner", ["propagationPolicy": "Foreground"])
            #expect(try await eventually { try await client.get(Fixtures.configmaps + "/owner").status == 404 })
            #expect(try await client.get(Fixtures.deployments + "/dep").status == 404)

            let second = try await client.post(Fixtures.configmaps, Fixtures.configMap("owner2")).json
            let reference2: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": second.at("metadata.uid") ?? ""]
            _ = try await client.post(Fixtures.deployments, Fixtures.deployment("kept", owner: reference2))
            _ = try await client.delete(Fixtures.configmaps + "/owner2", ["propagationPolicy": "Orphan"])
            #expect(try await eventually { try await client.get(Fixtures.configmaps + "/owner2").status == 404 })
            let kept = try await client.get(Fixtures.deployments + "/kept")
            #expect(kept.status == 200)
            #expect(kept.json.at("metadata.ownerReferences") == nil || kept.json.at("metadata.ownerReferences") == [])
        }
    }

    @Test("deleting a CRD stops serving its resource")
    func deleteCRD() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            _ = try await client.post(Fixtures.widgets, Fixtures.widget("w"))
            async let watch = client.send("GET", Fixtures.widgets + "?watch=true&timeoutSeconds=30")
            #expect(await eventually { sim.store.watchCount > 0 })
            #expect(try await client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.kubesim.dev").status == 200)
            let events = try await watch.body.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
            #expect(events.map { $0["type"] } == ["ADDED", "DELETED"])
            #expect(try await client.get(Fixtures.widgets).status == 404)
            #expect(try await client.get("/apis/test.kubesim.dev/v1").status == 404)
        }
    }
}
